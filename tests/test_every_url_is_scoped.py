"""Every URL of the resolver, as every outsider persona (tests/personas.py), GET and POST: a record of agency A
is a 404, a deactivated account and an anonymous visitor are sent to log in, nothing is written, and no response
body names anything of agency A that the asker may not see (docs/design.md#rule-access).

The walker fills each URL's parameters with a record of agency A (`records`). A URL it cannot fill, or a page
without a record in its URL that is not in NOT_RECORD_SCOPED, fails the test by name: a new page is
covered without anyone remembering to add it here. The names looked for (`names_of_agency_a`) are made
distinctive in `records`, and each is checked to be on some page agency A's admin gets, so the absence of a name
from an outsider's page means something.
"""

import datetime
import types

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from caseapp.models import OnCallShift, OnCallSwap
from caseapp.services.alerts import raise_alert
from caseapp.services.photos import add_photo
from exports.models import ProviderAlert
from missing_reports.models import PacketVersion, ReturnResponse
from missing_reports.services import disclosures, le_followup, response_plans, what_helps
from missing_reports.services import episodes as episode_services
from risk.models import Outcome
from risk.services import decisions, observations
from tests.exports.helpers import start as start_export
from tests.helpers import jpeg_upload, sign_in
from tests.personas import OTHER_AGENCY, OUTSIDERS, SIGNED_OUT

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)

# Pages with no record in their URL. Each shows only the asker's own scope (their lists are tested with
# their pages); here they must answer without an error and show nothing of agency A's youth.
NOT_RECORD_SCOPED = {
    "dashboard": "home: the asker's own caseload and clocks, or an empty home for a user with no role",
    "login": "the login form, for everyone",
    "logout": "POST logs out; GET is not allowed (405)",
    "caseload": "the youth list: only youth the asker sees (none of agency A for an outsider)",
    "youth_create": "a new youth, in a team the asker edits; 403 for a role that opens no records",
    "staff_list": "staff and teams of the admin's own agency; 404 for other roles",
    "staff_create": "a new account in the admin's own agency; 404 for other roles",
    "team_create": "a new team in the admin's own agency; 404 for other roles",
    "system_status": "database and worker health (no records) for agency admins; 403 for other roles",
    "my_work": "the asker's own work items, of youth in their scope only",
    "team_work": "work items of the asker's supervised teams or agency; 404 for caseworkers and no role",
    "missing_now": "open episodes of the asker's scope only",
    "report_missing": "pick a youth the asker edits; 403 for a role that opens no records",
    "risk_review_queue": "review items of the youth the asker decides about; 403/404 for other roles",
    "risk_scoring": "the risk weights of the admin's own agency; 404 for other roles",
    "reports": "the report form, run over the asker's scope; 404 for roles that do not export",
    "reports_dashboard": "figures over the asker's scope; 404 for roles that do not export",
    "reports_dashboard_status": "whether the asker's own scope's figures are counted; 404 for roles that do not export",
    "reports_dashboard_recount": "POST counts the asker's own scope's figures again; 404 for roles that do not export",
    "export_list": "the asker's own export jobs",
    "alert_list": "the asker's own alerts, about youth they may open",
    "on_call": "the on-call roster of the asker's own agency; 404 for no role, and a POST 404 but for its admins",
    "sign_in_code": "the second step of the asker's own half-done sign-in; the sign-in page without one",
    "sign_in_security": "the asker's own second factor",
    "password_change": "changing the asker's own password, for their current one (a POST with none changes nothing)",
    "two_factor_set_up": "setting up the asker's own authenticator app",
    "two_factor_remove": "removing the asker's own authenticator app, for a current code from it",
    "recovery_codes_show": "the asker's own recovery codes, once, just after they are made",
    "recovery_codes_new": "new recovery codes for the asker, for a current code from their app",
    "session_status": "how long the asker's own session has left (the idle warning); nothing of any record",
    "session_renew": "POST renews the asker's own session (\"Stay signed in\"); GET is not allowed (405)",
    "sign_in_activity": "sign-in events of the admin's own agency's accounts; 404 for other roles",
    "punitive_responses_report": "responses of the asker's scope only; 404 for roles that do not export",
    "provider_alert_list": "provider alerts of the asker's agency (a supervisor's: their teams'); 404 for roles that "
    "do not export",
}

# Pages whose key is a signed token, not a record id: no sign-in, and what they show is what the link's holder
# was sent (first name and case number). Their forged, expired and out-of-scope answers are tested with the page.
TOKEN_SCOPED = {
    "alert_ack_link": "the acknowledgement link of an alert email or SMS (tests/caseapp/test_alerts_pages.py)",
}

# Pages anyone may ask for, signed in or not, that name no record and show none (tested in
# tests/caseapp/test_deploy.py): the web process's health check for the proxy and the monitoring.
PUBLIC = {
    "health_check": "200 'ok' when the database answers, 503 otherwise; nothing else",
}

# The Django admin is for superusers: no outsider persona has admin-site access, so every admin URL
# sends them to the admin's login (its lists are scoped through caseapp/access.py as well).
ADMIN_NAMESPACE = "admin"


# The name the walker gives a parameter a regex pattern leaves unnamed.
UNNAMED = "(unnamed group)"


def parameters(pattern):
    regex = pattern.regex
    return [*regex.groupindex, *[UNNAMED] * (regex.groups - len(regex.groupindex))]


def walk(patterns, namespace=None):
    """(name, namespace, pattern, parameter names) of every URL, nested includes too."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            outer = entry.namespace or namespace
            for name, inner, route, params in walk(entry.url_patterns, outer):
                yield name, inner, f"{entry.pattern}{route}", [*parameters(entry.pattern), *params]
        elif isinstance(entry, URLPattern):
            yield entry.name, namespace, str(entry.pattern), parameters(entry.pattern)


@pytest.fixture
def records(
    youth_a1, caseworker_a, supervisor_a, agency_admin_a, team_a1, now, django_capture_on_commit_callbacks
):
    """One of each record of agency A that a URL names, all of youth_a1 (team North)."""
    placement = youth_a1.placements.get()
    photo = add_photo(actor=caseworker_a, youth_id=youth_a1.pk, image=jpeg_upload(), taken_on=timezone.localdate())
    # An earlier run, returned, with its return interview and an action of its response plan (the debrief and
    # the action the walker names); youth_a1's "What helps me" (named by the youth's id).
    with django_capture_on_commit_callbacks(execute=True):
        earlier = episode_services.log_run(
            actor=caseworker_a, youth_id=youth_a1.pk, last_seen_at=now - 100 * HOUR,
            last_seen_location="At the mall", reported_by="Group home staff", agency_learned_at=now - 99 * HOUR,
        )
        earlier = episode_services.log_return(
            actor=caseworker_a, episode_id=earlier.pk, expected_version=earlier.version, returned_at=now - 90 * HOUR
        )
        debrief = episode_services.record_debrief(
            actor=caseworker_a, episode_id=earlier.pk, interview_at=now - 80 * HOUR, running_direction="from",
            primary_factors=["conflict"], trafficking_screening_done="yes",
        )
    action = response_plans.add_action(
        actor=caseworker_a, debrief_id=debrief.pk, factor="conflict", what="Mediation", owner=caseworker_a,
        due_at=now + HOUR,
    )
    what_helps.save_what_helps(actor=caseworker_a, youth_id=youth_a1.pk, expected_version=0, when_leaving="A walk.")
    with django_capture_on_commit_callbacks(execute=True):
        episode = episode_services.log_run(
            actor=caseworker_a, youth_id=youth_a1.pk, last_seen_at=now - 2 * HOUR,
            last_seen_location="Outside Central High", reported_by="A. Rivera, foster parent",
            agency_learned_at=now - HOUR,
        )
    # The law-enforcement notice of the run (the walker's notification_id) with a refusal recorded on it.
    refusal = le_followup.record_refusal(
        actor=caseworker_a, notification_id=episode.notifications.get(party="law_enforcement", event="missing").pk,
        kind="ncic", refused_at=now - HOUR, le_agency="Example City Police", reason="Told us to wait.",
    )
    observation = observations.record_observation(
        actor=caseworker_a, youth_id=youth_a1.pk, indicator_code="C0.3", observed_at=now - 2 * HOUR,
        information_received_at=now - HOUR, source="external", evidence="verified",
    )
    decision = decisions.decide(
        actor=supervisor_a, youth_id=youth_a1.pk, outcome=Outcome.IDENTIFIED, expected_latest_decision_id=None,
        trafficking_type="sex", trafficking_kind="familial", timing="in_care", information_received_at=now - HOUR,
        referrals=["housing"],
    )
    # A disclosure with a risk observation, without an episode: its reports are the youth's own clocks.
    disclosure = disclosures.record_disclosure(
        actor=caseworker_a, youth_id=youth_a1.pk, kind="abuse_neglect", disclosed_at=now - HOUR,
        what_was_said="Said an adult at home hurt them.",
    )
    # A response to the return (made directly: the walker's episode stays open for the pages that need it).
    response = ReturnResponse.objects.create(
        episode=episode, kind="detention", decided_at=now, decided_by_name="Juvenile court", reason="Court order.",
        recorded_by=caseworker_a,
    )
    # A provider alert of the provider youth_a1 is placed with (names_of_agency_a names it), of team North.
    provider_alert = ProviderAlert.objects.create(
        agency=youth_a1.agency, provider_key="walker", provider_name="Hawthorne-Providerhome Family",
        period_start=datetime.date(2026, 1, 1), period_end=datetime.date(2026, 6, 30), rate=9, median_rate=2,
        factor=2, placement_days=400, episodes=4, providers_compared=3, min_placement_days=365,
    )
    provider_alert.teams.set([team_a1])
    job = start_export(agency_admin_a, django_capture_on_commit_callbacks)  # done, with a file to download
    alert = raise_alert(
        agency=youth_a1.agency, youth=youth_a1, kind="run_logged", key="walker:1", subject="Missing from care",
        body="A run was logged.", sms_text="Missing from care.", url="/", ack_minutes=15,
        recipients=[(agency_admin_a, "", "Agency admin")],
    )
    shift = OnCallShift.objects.create(
        agency=youth_a1.agency, team=team_a1, user=supervisor_a, weekday=0, start_hour=22, end_hour=6,
        created_by=agency_admin_a,
    )
    swap = OnCallSwap.objects.create(
        agency=youth_a1.agency, user=caseworker_a, replaces=supervisor_a, starts_at=now, ends_at=now + HOUR,
        created_by=agency_admin_a,
    )
    return {
        "youth_id": youth_a1.pk,
        "placement_id": placement.pk,
        "photo_id": photo.pk,
        "staff_id": caseworker_a.pk,
        "team_id": team_a1.pk,
        "episode_id": episode.pk,
        "notification_id": episode.notifications.get(party="law_enforcement", event="missing").pk,
        "refusal_id": refusal.pk,
        "packet_id": PacketVersion.objects.filter(episode=episode).order_by("pk").first().pk,
        "fmt": "pdf",
        "observation_id": observation.pk,
        "report_id": decision.le_report.pk,
        "referral_id": decision.service_referrals.get().pk,
        "decision_id": decision.pk,
        "job_id": job.pk,
        "recipient_id": alert.recipients.get().pk,
        "shift_id": shift.pk,
        "swap_id": swap.pk,
        "disclosure_id": disclosure.pk,
        "disclosure_report_id": disclosure.reports.order_by("pk").first().pk,
        "debrief_id": debrief.pk,
        "action_id": action.pk,
        "response_id": response.pk,
        "alert_id": provider_alert.pk,
    }


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def names_of_agency_a(records, youth_a1, agency_a, team_a1, caseworker_a, supervisor_a, agency_admin_a):
    """What an outsider's response must never contain, made distinctive (a short Faker name could turn up inside
    another word): `record` names youth_a1 and its records, hidden from every outsider; `agency` names agency A,
    its team and staff, hidden from other agencies' staff too (agency A's own outsiders may see their colleagues)."""
    Agency, Team, User, Youth = (apps.get_model("caseapp", name) for name in ("Agency", "Team", "User", "Youth"))
    Agency.objects.filter(pk=agency_a.pk).update(name="Wrenfield County Youth Services")
    Team.objects.filter(pk=team_a1.pk).update(name="Larkspur Unit")
    Youth.objects.filter(pk=youth_a1.pk).update(
        legal_first_name="Thessaly", legal_middle_name="Corvina", preferred_name="Tessamae"
    )
    youth_a1.placements.update(provider_name="Hawthorne-Providerhome Family")
    staff = []
    for number, user in enumerate((caseworker_a, supervisor_a, agency_admin_a), start=1):
        User.objects.filter(pk=user.pk).update(first_name=f"Quennel{number}", last_name=f"Ashgrove-Staff{number}")
        staff.append(f"Quennel{number} Ashgrove-Staff{number}")
    youth = Youth.objects.get(pk=youth_a1.pk)
    return types.SimpleNamespace(
        agency_id=agency_a.pk,
        record=(
            youth.legal_first_name, youth.legal_middle_name, youth.preferred_name, youth.legal_last_name,
            youth.case_number, "Hawthorne-Providerhome Family", "Outside Central High", "A. Rivera, foster parent",
        ),
        agency=("Wrenfield County Youth Services", "Larkspur Unit", *staff, caseworker_a.email),
        case_number=youth.case_number,
        team_id=team_a1.pk, staff_id=caseworker_a.pk, youth_id=youth.pk,
    )


def hidden_from(user, names):
    """The names `user` must not be shown: the youth's records, and agency A itself to another agency's staff."""
    if user is None or user.agency_id != names.agency_id:
        return (*names.record, *names.agency)
    return names.record


def leaks(response, hidden):
    """The hidden names found in a response's body (a streamed file is a record's content, never an outsider's)."""
    if response.streaming:
        return []
    body = response.content.decode(errors="replace")
    return [name for name in hidden if name in body]


def app_urls(records):
    """(name, url) of every URL outside the admin that names a record; fails on a URL it cannot fill."""
    unfilled, unlisted, urls = [], [], []
    for name, namespace, route, params in walk(get_resolver().url_patterns):
        if namespace == ADMIN_NAMESPACE or name in TOKEN_SCOPED or name in PUBLIC:
            continue
        if not params:
            if name not in NOT_RECORD_SCOPED:
                unlisted.append(f"{name} ({route})")
            continue
        missing = [param for param in params if param not in records]
        if missing:
            unfilled.append(f"{name} ({route}): no record of agency A for {missing}")
            continue
        urls.append((name, reverse(name, kwargs={param: records[param] for param in params})))
    assert not unlisted, (
        "Pages without a record in their URL must be in NOT_RECORD_SCOPED, with what an outsider gets: "
        f"{unlisted}"
    )
    assert not unfilled, f"The walker cannot fill these URLs; add the record to `records`: {unfilled}"
    return urls


def admin_urls():
    """Every admin URL, its parameters filled with a placeholder (the login redirect comes first)."""
    urls = []
    for name, namespace, _route, params in walk(get_resolver().url_patterns):
        if namespace != ADMIN_NAMESPACE or name is None:
            continue
        if params == [UNNAMED] * len(params):  # django-simple-history's re_path: positional groups
            urls.append((name, reverse(f"{ADMIN_NAMESPACE}:{name}", args=["1"] * len(params))))
            continue
        kwargs = {param: ("caseapp" if param == "app_label" else "1") for param in params}
        urls.append((name, reverse(f"{ADMIN_NAMESPACE}:{name}", kwargs=kwargs)))
    return urls


def logged_in(request, persona):
    user = request.getfixturevalue(persona)
    return sign_in(Client(), user), user


# Bookkeeping of the sign-in itself, not a record: a deactivated account's session is forgotten when it is
# refused (caseapp/sessions.py), which is what should happen.
NOT_RECORDS = {"caseapp.UserSession"}


def counts():
    """Rows of every table of the project's apps: an outsider's request must change none."""
    return {
        model._meta.label: model._default_manager.count()
        for app in ("caseapp", "missing_reports", "risk", "exports")
        for model in apps.get_app_config(app).get_models()
        if model._meta.label not in NOT_RECORDS
    }


def insider_answers(records, names):
    """What agency A's admin (who sees, edits, decides and exports there) gets for each URL and method:
    not a 404, so the outsiders' 404 is about scope, not a wrong id. A method the page does not take at
    all (405) is 405 for everyone. Every name the outsiders' pages are searched for is on one of the admin's
    pages, so its absence from theirs is not an accident of spelling."""
    insider = sign_in(Client(), apps.get_model("caseapp", "User").objects.get(username="agency_admin_a"))
    answers, unseen = {}, {*names.record, *names.agency}
    for name, url in [*app_urls(records), *((name, reverse(name)) for name in NOT_RECORD_SCOPED)]:
        response = insider.get(url)
        unseen -= {*leaks(response, unseen)}
        if name in NOT_RECORD_SCOPED:
            continue
        assert response.status_code != 404, f"{name} ({url}) is a 404 to agency A's admin: the walker's record is wrong"
        answers[name, "get"] = 405 if response.status_code == 405 else 404
        try:
            with transaction.atomic():  # an empty form rarely saves, but the records stay as they are
                status = insider.post(url, {}).status_code
                raise RolledBack
        except RolledBack:
            pass
        answers[name, "post"] = 405 if status == 405 else 404
    assert not unseen, f"No page shows agency A's admin these names, so looking for them proves nothing: {unseen}"
    return answers


class RolledBack(Exception):
    pass


def test_every_record_url_is_404_to_every_outsider_writes_nothing_and_names_nothing(
    request, records, names_of_agency_a
):
    expected = insider_answers(records, names_of_agency_a)
    clients = {persona: logged_in(request, persona) for persona in sorted({*OUTSIDERS, *OTHER_AGENCY})}
    before = counts()  # after signing in, which records the login on the account
    wrong = []
    for persona, (client, user) in clients.items():
        hidden = hidden_from(user, names_of_agency_a)
        for name, url in app_urls(records):
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                if response.status_code != expected[name, method]:
                    wrong.append(
                        f"{persona}: {method.upper()} {name} {url}: {response.status_code}, "
                        f"expected {expected[name, method]}"
                    )
                if found := leaks(response, hidden):
                    wrong.append(f"{persona}: {method.upper()} {name} {url} shows {found}")
    assert wrong == []
    assert counts() == before


# Signing in and out are what these pages are for (and a sign-in attempt is audited): their POST is tested with
# the sign-in pages. Every other page without a record is also posted to, and must write nothing.
POST_WRITES_BY_DESIGN = {"login", "logout"}


def probe(names):
    """Agency A's ids under the names the list pages' filters and the forms' choice fields use, and its case
    number as a search: an outsider filtering by another scope's team, worker or youth gets none of it."""
    team, staff, youth = str(names.team_id), str(names.staff_id), str(names.youth_id)
    return {
        "q": names.case_number, "team": team, "worker": staff, "user": staff, "replaces": staff,
        "supervisors": staff, "supervised_teams": team, "assigned_caseworkers": staff, "youth": youth,
        "youth_id": youth, "episode": str(records_episode(names)), "show": "all", "page": "1",
    }


def records_episode(names):
    episodes = apps.get_model("missing_reports", "MissingEpisode").objects.filter(youth_id=names.youth_id)
    return episodes.get(status="open").pk


def test_pages_without_a_record_show_an_outsider_nothing_of_agency_a_and_write_nothing(
    request, records, names_of_agency_a
):
    """GET, GET filtered or searched by agency A's ids and case number, and POST of the same as form data. The
    search's own answer may echo the case number searched for, never the youth's names."""
    clients = {persona: logged_in(request, persona) for persona in sorted({*OUTSIDERS, *OTHER_AGENCY})}
    asked = probe(names_of_agency_a)
    before = counts()
    wrong = []
    for persona, (client, user) in clients.items():
        hidden = hidden_from(user, names_of_agency_a)
        for name in NOT_RECORD_SCOPED:
            url = reverse(name)
            answers = [("GET", client.get(url), hidden)]
            answers.append(
                ("GET ?q=…", client.get(url, asked), [n for n in hidden if n != names_of_agency_a.case_number])
            )
            if name not in POST_WRITES_BY_DESIGN:
                answers.append(("POST", client.post(url, asked), hidden))
            for method, response, not_shown in answers:
                if response.status_code not in (200, 302, 403, 404, 405):
                    wrong.append(f"{persona}: {method} {name}: {response.status_code}")
                if found := leaks(response, not_shown):
                    wrong.append(f"{persona}: {method} {name} shows {found}")
    assert wrong == []
    assert counts() == before


@pytest.mark.parametrize("persona", [*SIGNED_OUT, None])
def test_a_deactivated_or_anonymous_visitor_is_sent_to_log_in_everywhere(request, records, names_of_agency_a, persona):
    client = Client()
    if persona:
        client.force_login(request.getfixturevalue(persona))
    hidden = hidden_from(None, names_of_agency_a)
    before = counts()
    login = reverse("login")
    wrong = []
    for name, url in app_urls(records) + [(name, reverse(name)) for name in NOT_RECORD_SCOPED if name != "login"]:
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if found := leaks(response, hidden):
                wrong.append(f"{method.upper()} {name} {url} shows {found}")
            if name == "logout":
                continue  # logging out needs no login: it ends a session, if any, and redirects
            if response.status_code != 302 or not response["Location"].startswith(f"{login}?next="):
                wrong.append(f"{method.upper()} {name} {url}: {response.status_code}")
    assert wrong == []
    assert counts() == before


@pytest.mark.parametrize("persona", [*sorted({*OUTSIDERS, *OTHER_AGENCY, *SIGNED_OUT}), None])
def test_the_admin_sends_every_outsider_to_its_login(request, records, names_of_agency_a, persona):
    client = Client()
    user = None
    if persona:
        user = request.getfixturevalue(persona)
        sign_in(client, user)
    hidden = hidden_from(user, names_of_agency_a)
    # Signed in without admin-site access, or anonymous: the admin's login; signed out (deactivated): the app's.
    logins = {reverse(f"{ADMIN_NAMESPACE}:login"), reverse("login")}
    before = counts()
    wrong = []
    for name, url in admin_urls():
        if name in ("login", "logout"):
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if response.status_code != 302 or response["Location"].split("?")[0] not in logins:
                wrong.append(f"{method.upper()} {name} {url}: {response.status_code} {response.get('Location', '')}")
            if found := leaks(response, hidden):
                wrong.append(f"{method.upper()} {name} {url} shows {found}")
    assert wrong == []
    assert counts() == before


def test_the_walker_fails_a_page_it_cannot_fill(records, settings):
    """A new page with a record the walker does not know is named, not skipped."""
    records = {key: value for key, value in records.items() if key != "job_id"}
    with pytest.raises(AssertionError, match="export_detail"):
        app_urls(records)
