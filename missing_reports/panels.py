"""What missing_reports shows on caseapp's pages (caseapp/registry.py; registered in apps.py).

Each returns the context its template needs, from this app's selectors, scoped to the user.
"""

from django.utils import timezone

from caseapp import access, work

from . import selectors


def home_context(user) -> dict:
    """The home page's "missing from care now": every open episode in scope, most urgent first."""
    return {"missing_now": selectors.missing_now(user)}


def youth_context(user, youth) -> dict:
    """The youth page's episode timeline; its open episode also decides the page's "Report missing"
    button (templates/missing_reports/_youth_actions.html)."""
    return selectors.youth_episode_context(user, youth)


def youth_disclosures_context(user, youth) -> dict:
    """The youth page's disclosures (with an episode or without) and their reports' clocks; which of them the user
    may correct or withdraw (the recorder, or a decider of the youth: services.disclosures.may_correct)."""
    rows = selectors.youth_disclosures(user, youth)
    # Asked only when there is a disclosure to correct: most youth have none (docs/design.md#speed).
    decider = bool(rows) and access.youth_reviewable_by(user).filter(pk=youth.pk).exists()
    may = {d.pk for d, _ in rows if decider or d.recorded_by_id == user.pk}
    return {"youth_disclosures": rows, "may_correct_disclosures": may}


def _plan_context(user, youth) -> dict:
    now = timezone.now()
    return {
        "what_helps": selectors.what_helps_me(youth),
        # (action, due words, overdue): overdue is caseapp.work.is_overdue, the one rule (docs/design.md#work).
        "open_actions": [
            (action, work.due_words(action.due_at, now), work.is_overdue(action.due_at, now))
            for action in selectors.open_response_actions(youth)
        ],
        "may_edit_plan": access.can_edit_youth(user, youth),
    }


def youth_plan_context(user, youth) -> dict:
    """The youth page's "What helps me" and the open actions of their response plans (two queries)."""
    return _plan_context(user, youth)


def placement_form_context(user, youth) -> dict:
    """The new-placement form: "What helps me", the factors named in earlier return interviews and the open
    actions, so the next placement answers them (§471(a)(35)(A)(ii), docs/duties.md#response-plan)."""
    return {**_plan_context(user, youth), "earlier_factors": selectors.earlier_factors(youth)}
