"""My work, the team view, the home page's work list and the top bar's overdue count (caseapp/views/work.py,
caseapp/work.py): the right items for the right person, in order, worded in agency time, with a fixed number
of queries at 10 and 1,000 items."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from caseapp.models import Youth
from missing_reports.models import MissingEpisode, Notification
from missing_reports.services import episodes as services

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
MY_WORK = reverse("my_work")
TEAM_WORK = reverse("team_work")


def log_run(actor, youth, *, learned_ago=HOUR):
    now = timezone.now()
    return services.log_run(
        actor=actor,
        youth_id=youth.pk,
        last_seen_at=now - learned_ago - HOUR,
        last_seen_location="Bus station",
        reported_by="Foster parent",
        agency_learned_at=now - learned_ago,
    )


def make_overdue(episode, party="ncmec", by=3 * HOUR):
    Notification.objects.filter(episode=episode, party=party).update(due_at=timezone.now() - by)


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def main(response):
    """The page below the top bar (and below the team view's filter form, whose lists name every kind)."""
    page = text(response).split('<main id="main"', 1)[1]
    return page.split("</form>", 1)[1] if 'aria-label="Filter the team' in page else page


# --- My work --------------------------------------------------------------------------------------------------


def test_my_work_lists_what_for_whom_when_and_the_form(client_for, caseworker_a, youth_a1):
    episode = log_run(caseworker_a, youth_a1)
    make_overdue(episode)
    page = main(client_for(caseworker_a).get(MY_WORK))
    ncmec = episode.notifications.get(party="ncmec")
    assert (
        f'<a class="fw-semibold" href="{reverse("notification_record", args=[ncmec.pk])}">Report to NCMEC</a>' in page
    )
    assert youth_a1.display_name in page and youth_a1.case_number in page
    assert "Overdue by 3 h" in page
    assert re.search(r"Due \d\d/\d\d/\d{4} \d\d:\d\d C[SD]T", page)  # agency time, with the zone
    assert re.search(r"Due in 2[23] h", page)  # the search effort, a day after the agency learned
    # Overdue on top, then the soonest due.
    assert page.index("Report to NCMEC") < page.index("Report to law enforcement") < page.index("Search effort")


def test_my_work_empty_state(client_for, caseworker_a, youth_a1):
    page = main(client_for(caseworker_a).get(MY_WORK))
    assert "Nothing to do right now" in page


def test_my_work_shows_only_my_own_items(client_for, caseworker_a, caseworker_a2, supervisor_a, youth_a1, youth_a2):
    log_run(caseworker_a, youth_a1)
    log_run(caseworker_a2, youth_a2)
    mine = main(client_for(caseworker_a).get(MY_WORK))
    assert youth_a1.case_number in mine and youth_a2.case_number not in mine
    supervisor = main(client_for(supervisor_a).get(MY_WORK))
    assert "Supervisory review of the absence" in supervisor and "Report to NCMEC" not in supervisor
    assert youth_a2.case_number not in supervisor


@pytest.mark.parametrize("persona", ["caseworker_b", "admin_b", "agency_staff_a", "no_role_user"])
def test_outsiders_see_none_of_agency_a_on_my_work(request, client_for, caseworker_a, youth_a1, persona):
    log_run(caseworker_a, youth_a1)
    page = text(client_for(request.getfixturevalue(persona)).get(MY_WORK))
    assert youth_a1.case_number not in page and "Nothing to do right now" in page


def test_the_home_page_shows_my_work_first_and_keeps_its_content(client_for, caseworker_a, youth_a1):
    log_run(caseworker_a, youth_a1)
    page = main(client_for(caseworker_a).get(reverse("dashboard")))
    assert page.index("My work") < page.index("Active youth you can see")
    assert f'href="{MY_WORK}">See all my work' in page
    assert "Recently viewed" in page


def test_the_home_page_has_no_work_list_without_items(client_for, caseworker_a, youth_a1):
    page = main(client_for(caseworker_a).get(reverse("dashboard")))
    assert "See all my work" not in page and "Active youth you can see" in page


# --- The overdue count in the top bar ------------------------------------------------------------------------


def test_the_top_bar_counts_my_overdue_items_on_every_page(client_for, caseworker_a, supervisor_a, youth_a1):
    episode = log_run(caseworker_a, youth_a1)
    make_overdue(episode, "ncmec")
    make_overdue(episode, "law_enforcement")
    for url in (reverse("caseload"), reverse("youth_detail", args=[youth_a1.pk]), MY_WORK):
        bar = text(client_for(caseworker_a).get(url)).split("</nav>", 1)[0]
        assert f'href="{MY_WORK}" aria-label="2 overdue items in My work">2 overdue</a>' in bar
    # The supervisor's own list has nothing overdue: no badge.
    assert "overdue</a>" not in text(client_for(supervisor_a).get(reverse("caseload"))).split("</nav>", 1)[0]


def badge(response) -> str:
    """The top bar's overdue link, or "" when there is none."""
    bar = text(response).split("</nav>", 1)[0]
    found = re.search(r'<a [^>]*href="' + MY_WORK + r'" aria-label="[^"]*">[^<]*</a>', bar)
    return found.group(0) if found else ""


def test_the_top_bar_count_is_kept_a_minute_and_my_work_shows_it_fresh(
    client_for, caseworker_a, youth_a1, settings
):
    settings.WORK_COUNT_SECONDS = 60
    episode = log_run(caseworker_a, youth_a1)
    make_overdue(episode, "ncmec")
    client = client_for(caseworker_a)
    assert ">1 overdue</a>" in badge(client.get(reverse("caseload")))
    make_overdue(episode, "law_enforcement")  # a clock running out, with nothing saved by this person
    # Kept for up to a minute on other pages; My work computes the list, shows it fresh and refreshes the count.
    assert ">1 overdue</a>" in badge(client.get(reverse("caseload")))
    assert ">2 overdue</a>" in badge(client.get(MY_WORK))
    assert ">2 overdue</a>" in badge(client.get(reverse("caseload")))


def test_what_i_save_shows_in_the_top_bar_count_at_once(client_for, caseworker_a, youth_a1, settings):
    settings.WORK_COUNT_SECONDS = 60
    episode = log_run(caseworker_a, youth_a1)
    make_overdue(episode, "ncmec")
    make_overdue(episode, "law_enforcement")
    client = client_for(caseworker_a)
    assert ">2 overdue</a>" in badge(client.get(reverse("caseload")))
    ncmec = episode.notifications.get(party="ncmec")
    done_at = timezone.localtime(timezone.now() - datetime.timedelta(minutes=20)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("notification_record", args=[ncmec.pk]),
        {"version": ncmec.version, "done_at": done_at, "method": "phone", "contact_name": "Intake line",
         "reference": "NCMEC-1", "explanation": ""},
    )
    assert response.status_code == 302
    assert ">1 overdue</a>" in badge(client.get(reverse("caseload")))


def test_signed_out_pages_show_no_count(client, caseworker_a, youth_a1):
    make_overdue(log_run(caseworker_a, youth_a1))
    assert "overdue" not in text(client.get(reverse("login")))


def test_the_count_is_computed_once_per_page(client_for, caseworker_a, youth_a1, django_assert_max_num_queries):
    log_run(caseworker_a, youth_a1)
    client = client_for(caseworker_a)
    with CaptureQueriesContext(connection) as queries:
        client.get(MY_WORK)
    # The queries that read notification rows (not those that only look one up in a subquery, as the screenings do).
    notices = [q for q in queries.captured_queries if q["sql"].startswith('SELECT "missing_reports_notification"."id"')]
    assert len(notices) == 2  # the notices and the return interviews, once each, for the page and the top bar


# --- Team work ------------------------------------------------------------------------------------------------


@pytest.fixture
def runs(caseworker_a, caseworker_a2, youth_a1, youth_a2):
    first, second = log_run(caseworker_a, youth_a1), log_run(caseworker_a2, youth_a2)
    make_overdue(first)
    return first, second


def test_the_supervisor_sees_their_teams_work_grouped_by_worker(client_for, supervisor_a, caseworker_a, runs):
    page = main(client_for(supervisor_a).get(TEAM_WORK))
    youth_a1, youth_a2 = runs[0].youth, runs[1].youth
    assert youth_a1.case_number in page and youth_a2.case_number not in page
    assert f">{caseworker_a} <" in page and f">{supervisor_a} <" in page
    caseworker_group = page.split(f">{caseworker_a} <", 1)[1].split("</section>", 1)[0]
    assert "Report to NCMEC" in caseworker_group and "Supervisory review" not in caseworker_group
    supervisor_group = page.split(f">{supervisor_a} <", 1)[1].split("</section>", 1)[0]
    assert "Supervisory review of the absence" in supervisor_group


def test_the_agency_admin_sees_every_team_and_agency_staff_start_on_overdue(
    client_for, agency_admin_a, agency_staff_a, runs
):
    youth_a1, youth_a2 = runs[0].youth, runs[1].youth
    admin = main(client_for(agency_admin_a).get(TEAM_WORK))
    assert youth_a1.case_number in admin and youth_a2.case_number in admin
    staff = main(client_for(agency_staff_a).get(TEAM_WORK))
    assert "overdue only" in staff
    assert "Report to NCMEC" in staff and "Search effort" not in staff and youth_a2.case_number not in staff
    everything = main(client_for(agency_staff_a).get(TEAM_WORK + "?show=all"))
    assert youth_a2.case_number in everything


def test_the_team_view_filters_by_kind_and_worker(client_for, agency_admin_a, caseworker_a, caseworker_a2, runs):
    client = client_for(agency_admin_a)
    searches = main(client.get(TEAM_WORK + "?kind=search_effort"))
    assert "Search effort" in searches and "Report to NCMEC" not in searches
    assert "Supervisory review" not in searches
    one = main(client.get(TEAM_WORK + f"?worker={caseworker_a2.pk}"))
    assert runs[1].youth.case_number in one and runs[0].youth.case_number not in one


@pytest.mark.parametrize("query", ["?show=soon", "?kind=nonsense", "?worker=abc", "?worker=999999"])
def test_a_bad_filter_is_a_message_not_an_error(client_for, supervisor_a, runs, query):
    response = client_for(supervisor_a).get(TEAM_WORK + query)
    assert response.status_code == 200
    assert "Some filters were not understood" in text(response)
    assert runs[0].youth.case_number in text(response)  # the rest of the page still shows the team's work


@pytest.mark.parametrize("persona", ["caseworker_a", "no_role_user"])
def test_caseworkers_and_no_role_get_404_on_the_team_view(request, client_for, persona, runs):
    assert client_for(request.getfixturevalue(persona)).get(TEAM_WORK).status_code == 404


@pytest.mark.parametrize("persona", ["admin_b", "supervisor_b", "agency_staff_b"])
def test_another_agency_sees_none_of_agency_a_on_the_team_view(request, client_for, persona, runs):
    page = text(client_for(request.getfixturevalue(persona)).get(TEAM_WORK))
    assert runs[0].youth.case_number not in page and runs[1].youth.case_number not in page


def test_an_item_with_several_owners_is_under_each(client_for, supervisor_a, caseworker_a, runs, team_a1):
    from tests.factories import UserFactory

    second = UserFactory(
        agency=team_a1.agency, role="caseworker", team=team_a1, first_name="Second", last_name="Worker"
    )
    runs[0].youth.assigned_caseworkers.add(second)
    page = main(client_for(supervisor_a).get(TEAM_WORK + "?kind=notice"))
    for worker in (caseworker_a, second):
        assert "Report to NCMEC" in page.split(f">{worker} <", 1)[1].split("</section>", 1)[0]


# --- A fixed number of queries at 10 and at 1,000 items ------------------------------------------------------


def add_runs(team, caseworker, count):
    """`count` youth of `team` on `caseworker`'s caseload, each missing with both notices open and one overdue
    (three items on the caseworker's list, one on the supervisor's), written in bulk."""
    now = timezone.now()
    start = Youth.objects.count()
    youth = Youth.objects.bulk_create(
        Youth(
            agency_id=team.agency_id,
            team=team,
            case_number=f"BULK-{start + i:06d}",
            legal_first_name="Sam",
            legal_last_name=f"Bulk-Testfamily{start + i}",
            date_of_birth=datetime.date(2011, 5, 1),
            sex="female",
        )
        for i in range(count)
    )
    Youth.assigned_caseworkers.through.objects.bulk_create(
        Youth.assigned_caseworkers.through(youth_id=y.pk, user_id=caseworker.pk) for y in youth
    )
    episodes = MissingEpisode.objects.bulk_create(
        MissingEpisode(
            youth=y,
            last_seen_at=now - 3 * HOUR,
            last_seen_location="Park",
            agency_learned_at=now - 2 * HOUR,
            reported_by="Foster parent",
            created_by=caseworker,
        )
        for y in youth
    )
    Notification.objects.bulk_create(
        Notification(episode=e, event="missing", party=party, due_at=due, rule_hours=24)
        for e in episodes
        for party, due in (("ncmec", now - HOUR), ("law_enforcement", now + 20 * HOUR))
    )


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("caseworker_a", MY_WORK),
        ("caseworker_a", reverse("dashboard")),
        ("supervisor_a", TEAM_WORK),
        ("supervisor_a", MY_WORK),
    ],
)
def test_the_work_pages_run_the_same_queries_at_10_and_1000_items(
    request, client_for, django_assert_num_queries, team_a1, caseworker_a, supervisor_a, persona, url
):
    from caseapp import work

    user = request.getfixturevalue(persona)
    client = client_for(user)
    add_runs(team_a1, caseworker_a, 4)  # 12 items for the caseworker, 16 on the team view
    client.get(url)  # warm-up
    small = queries(client, url)
    add_runs(team_a1, caseworker_a, 330)  # 1,002 for the caseworker, 1,336 on the team view
    assert len(work.my_items(caseworker_a)) >= 1000
    with django_assert_num_queries(small):
        response = client.get(url)
    if persona == "caseworker_a":
        assert "1002 overdue" not in text(response) and "334 overdue" in text(response)
    if url == TEAM_WORK:  # each worker's group shows its first 25, and links to the rest
        assert "1002 items, 334 overdue" in text(response)
        assert f'&amp;worker={caseworker_a.pk}">977 more for {caseworker_a}</a>' in text(response)


def test_the_home_page_shows_the_first_five_and_links_to_all(client_for, caseworker_a, team_a1):
    add_runs(team_a1, caseworker_a, 3)  # nine items
    page = main(client_for(caseworker_a).get(reverse("dashboard")))
    work_list = page.split('id="my-work-h"', 1)[1].split("</section>", 1)[0]
    assert work_list.count('class="list-group-item"') == 5
    assert "9 items, 3 overdue" in work_list
    assert f'href="{MY_WORK}">See all my work (9)</a>' in work_list


# --- The agency's cadence settings ------------------------------------------------------------------------------


@pytest.fixture
def superuser(db):
    from tests.factories import UserFactory

    return UserFactory(username="root", is_superuser=True, is_staff=True, role="")


def post_agency(client, agency, **changes):
    data = {
        "name": agency.name,
        "code": agency.code,
        "state": agency.state,
        "time_zone": agency.time_zone,
        "phone": "",
        "email": "",
        "address": "",
        "compliance_contact_email": "",
        "first_hour_reminder_minutes": 60,
        "reminder_lead_hours_first": 4,
        "reminder_lead_hours_second": 1,
        "search_daily_days": 7,
        "search_interval_days": 7,
        "search_until_days": "",
        "long_absence_review_days": 7,
        "screening_follow_up_days": 7, "session_idle_minutes": 30,
        "ack_minutes_run": 15,
        "ack_minutes_reminder": 60,
    }
    return client.post(reverse("admin:caseapp_agency_change", args=[agency.pk]), {**data, **changes})


def test_the_admin_saves_floridas_weekly_search_for_30_days(client_for, superuser, agency_a):
    response = post_agency(client_for(superuser), agency_a, search_daily_days=0, search_until_days=30)
    assert response.status_code == 302
    agency_a.refresh_from_db()
    assert (agency_a.search_daily_days, agency_a.search_interval_days, agency_a.search_until_days) == (0, 7, 30)


@pytest.mark.parametrize(
    "changes",
    [
        {"search_interval_days": 0},
        {"search_until_days": 0},
        {"long_absence_review_days": 0},
        {"search_daily_days": -1},
        {"search_interval_days": "weekly"},
    ],
)
def test_the_admin_refuses_a_bad_cadence_and_keeps_the_agency(client_for, superuser, agency_a, changes):
    response = post_agency(client_for(superuser), agency_a, name="Renamed", **changes)
    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to" in text(response) or "Enter a whole number" in text(response)
    agency_a.refresh_from_db()
    assert (agency_a.name, agency_a.search_interval_days, agency_a.long_absence_review_days) == ("Agency A", 7, 7)
