"""Every URL of the resolver, as every outsider: a record of agency A is a 404 (GET and POST), and nothing
is written; a deactivated account and an anonymous visitor are sent to log in (docs/design.md#rule-access).

The walker fills each URL's parameters with a record of agency A (`records`). A URL it cannot fill, or a page
without a record in its URL that is not in NOT_RECORD_SCOPED, fails the test by name: a new page is
covered without anyone remembering to add it here.
"""

import datetime

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from caseapp.models import OnCallShift, OnCallSwap
from caseapp.services.alerts import raise_alert
from caseapp.services.photos import add_photo
from missing_reports.models import PacketVersion
from missing_reports.services import disclosures, le_followup
from missing_reports.services import episodes as episode_services
from risk.models import Outcome
from risk.services import decisions, observations
from tests.exports.helpers import start as start_export
from tests.helpers import jpeg_upload
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
    "export_list": "the asker's own export jobs",
    "alert_list": "the asker's own alerts, about youth they may open",
    "on_call": "the on-call roster of the asker's own agency; 404 for no role, and a POST 404 but for its admins",
}

# Pages whose key is a signed token, not a record id: no sign-in, and what they show is what the link's holder
# was sent (first name and case number). Their forged, expired and out-of-scope answers are tested with the page.
TOKEN_SCOPED = {
    "alert_ack_link": "the acknowledgement link of an alert email or SMS (tests/caseapp/test_alerts_pages.py)",
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
    }


@pytest.fixture
def now():
    return timezone.now()


def app_urls(records):
    """(name, url) of every URL outside the admin that names a record; fails on a URL it cannot fill."""
    unfilled, unlisted, urls = [], [], []
    for name, namespace, route, params in walk(get_resolver().url_patterns):
        if namespace == ADMIN_NAMESPACE or name in TOKEN_SCOPED:
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
    client = Client()
    client.force_login(request.getfixturevalue(persona))
    return client


def counts():
    """Rows of every table of the project's apps: an outsider's request must change none."""
    return {
        model._meta.label: model._default_manager.count()
        for app in ("caseapp", "missing_reports", "risk", "exports")
        for model in apps.get_app_config(app).get_models()
    }


def insider_answers(records):
    """What agency A's admin (who sees, edits, decides and exports there) gets for each URL and method:
    not a 404, so the outsiders' 404 is about scope, not a wrong id. A method the page does not take at
    all (405) is 405 for everyone."""
    insider = Client()
    insider.force_login(apps.get_model("caseapp", "User").objects.get(username="agency_admin_a"))
    answers = {}
    for name, url in app_urls(records):
        status = insider.get(url).status_code
        assert status != 404, f"{name} ({url}) is a 404 to agency A's admin: the walker's record is wrong"
        answers[name, "get"] = 405 if status == 405 else 404
        try:
            with transaction.atomic():  # an empty form rarely saves, but the records stay as they are
                status = insider.post(url, {}).status_code
                raise RolledBack
        except RolledBack:
            pass
        answers[name, "post"] = 405 if status == 405 else 404
    return answers


class RolledBack(Exception):
    pass


def test_every_record_url_is_404_to_every_outsider_and_writes_nothing(request, records):
    expected = insider_answers(records)
    clients = {persona: logged_in(request, persona) for persona in sorted({*OUTSIDERS, *OTHER_AGENCY})}
    before = counts()  # after signing in, which records the login on the account
    wrong = []
    for persona, client in clients.items():
        for name, url in app_urls(records):
            for method in ("get", "post"):
                got = getattr(client, method)(url).status_code
                if got != expected[name, method]:
                    wrong.append(f"{persona}: {method.upper()} {name} {url}: {got}, expected {expected[name, method]}")
    assert wrong == []
    assert counts() == before


def test_pages_without_a_record_show_an_outsider_nothing_of_agency_a(request, records, youth_a1):
    wrong = []
    for persona in sorted({*OUTSIDERS, *OTHER_AGENCY}):
        client = Client()
        client.force_login(request.getfixturevalue(persona))
        for name in NOT_RECORD_SCOPED:
            response = client.get(reverse(name))
            body = response.content.decode() if not response.streaming else ""
            if response.status_code not in (200, 302, 403, 404, 405):
                wrong.append(f"{persona}: {name}: {response.status_code}")
            if youth_a1.case_number in body or youth_a1.legal_last_name in body:
                wrong.append(f"{persona}: {name} shows youth_a1")
    assert wrong == []


@pytest.mark.parametrize("persona", [*SIGNED_OUT, None])
def test_a_deactivated_or_anonymous_visitor_is_sent_to_log_in_everywhere(request, records, persona):
    client = Client()
    if persona:
        client.force_login(request.getfixturevalue(persona))
    before = counts()
    login = reverse("login")
    wrong = []
    for name, url in app_urls(records) + [(name, reverse(name)) for name in NOT_RECORD_SCOPED if name != "login"]:
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if name == "logout":
                continue  # logging out needs no login: it ends a session, if any, and redirects
            if response.status_code != 302 or not response["Location"].startswith(f"{login}?next="):
                wrong.append(f"{method.upper()} {name} {url}: {response.status_code}")
    assert wrong == []
    assert counts() == before


@pytest.mark.parametrize("persona", sorted({*OUTSIDERS, *OTHER_AGENCY, *SIGNED_OUT}))
def test_the_admin_sends_every_outsider_to_its_login(request, persona):
    client = Client()
    client.force_login(request.getfixturevalue(persona))
    # Signed in without admin-site access: the admin's login; signed out (deactivated): the app's login.
    logins = {reverse(f"{ADMIN_NAMESPACE}:login"), reverse("login")}
    wrong = [
        f"{name} {url}: {response.status_code} {response.get('Location', '')}"
        for name, url in admin_urls()
        if name not in ("login", "logout")
        for response in [client.get(url)]
        if response.status_code != 302 or response["Location"].split("?")[0] not in logins
    ]
    assert wrong == []


def test_the_walker_fails_a_page_it_cannot_fill(records, settings):
    """A new page with a record the walker does not know is named, not skipped."""
    records = {key: value for key, value in records.items() if key != "job_id"}
    with pytest.raises(AssertionError, match="export_detail"):
        app_urls(records)
