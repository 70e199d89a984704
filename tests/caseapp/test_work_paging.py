"""My work a page at a time (caseapp/work.py `my_page`, docs/design.md#the-work-registry): each source is asked
only about the youth whose items are the person's, a row source reads a page of its rows ordered in SQL and
counts the rest in SQL, and the merged pages are exactly the slices of the whole list, with exact counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from caseapp import work
from missing_reports import clock_state
from missing_reports.models import Notification
from tests.caseapp.test_work_owners import every_kind, named_items  # noqa: F401 (a fixture)
from tests.caseapp.test_work_pages import add_runs, main, text
from tests.factories import TeamFactory, YouthFactory

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
MY_WORK = reverse("my_work")


def reference(user, now):
    """The whole list as it was built before paging: every item of every source for the youth the user can own
    (and the agency for an admin's admin rules; and the youth whose records name the user for an ASSIGNEE source),
    owners resolved by rule, the user's own kept, ordered."""
    if not work.access.can_own_work(user):
        return []
    owned = work.owned_scope(user)
    wide = work.access.youth_visible_to(user) if work.access.owns_agency_wide_work(user) else None
    found = []
    for source in work.sources():
        admin = wide is not None and any(rule in work.ADMIN_RULES for rule in source.owners)
        scope = wide if admin else owned
        if source.named_youth is not None and not admin:
            named = set(source.named_youth(user)) | set(owned.values_list("pk", flat=True))
            scope = work.access.youth_visible_to(user).filter(pk__in=named)
        found.extend(work._items_of(source, scope, now))
    return work.mine(work.ordered(work.resolve_owners(found), now), user)


def shown(items):
    """What a line shows of each item (My work does not read the owners of the items of the user's own youth)."""
    return [(i.kind, i.what, i.youth_id, i.url, i.due_at, i.detail) for i in items]


@pytest.fixture
def busy(agency_a, team_a1, caseworker_a, supervisor_a, agency_admin_a):
    """Every kind of item on the supervisor's list (youth with no caseworker), 2 x 70 youth on the caseworker's,
    a team with no supervisor for the admin, and some clocks due exactly now (not overdue) or without a due
    time order: enough to page through."""
    now = timezone.now().replace(microsecond=0)
    every_kind(team_a1, supervisor_a, 4, now)
    every_kind(TeamFactory(agency=agency_a, name="Nobody supervises"), agency_admin_a, 2, now)
    add_runs(team_a1, caseworker_a, 70)
    Notification.objects.filter(pk__in=Notification.objects.order_by("pk").values("pk")[:5]).update(due_at=now)
    return now


@pytest.mark.parametrize("persona", ["caseworker_a", "supervisor_a", "agency_admin_a"])
def test_each_page_is_the_slice_of_the_whole_list_with_its_counts(request, busy, persona):
    user, now = request.getfixturevalue(persona), busy
    whole = reference(user, now)
    assert len(whole) > 10, "the fixture gives everyone several pages"
    assert shown(work.my_items(user, now)) == shown(whole)
    overdue = sum(1 for item in whole if work.is_overdue(item.due_at, now))
    for offset, limit in ((0, 7), (7, 7), (3, 50), (len(whole) - 3, 7), (len(whole) + 10, 7), (0, 0)):
        page = work.my_page(user, now, offset=offset, limit=limit)
        assert shown(page.items) == shown(whole[offset : offset + limit])
        assert (page.total, page.overdue) == (len(whole), overdue)


def test_a_clock_due_this_second_is_not_counted_overdue(team_a1, caseworker_a):
    add_runs(team_a1, caseworker_a, 1)  # two notices (and the run's search effort, due tomorrow)
    now = timezone.now()
    Notification.objects.update(due_at=now)
    page = work.my_page(caseworker_a, now, limit=10)
    assert [item.kind for item in page.items].count("notice") == 2 and page.overdue == 0
    assert not any(clock_state.is_past_due(item.due_at, now) for item in page.items)
    later = now + datetime.timedelta(microseconds=1)
    assert work.my_page(caseworker_a, later, limit=0).overdue == 2


def test_the_page_runs_the_same_queries_on_the_first_and_a_later_page_at_10_and_1000_items(
    team_a1, caseworker_a, supervisor_a
):
    def measure(offset):
        with CaptureQueriesContext(connection) as queries:
            work.my_page(caseworker_a, timezone.now(), offset=offset, limit=50)
        return len(queries)

    add_runs(team_a1, caseworker_a, 4)
    small = measure(0)
    add_runs(team_a1, caseworker_a, 330)
    assert [measure(0), measure(500), measure(5000)] == [small, small, small]


def test_my_work_shows_fifty_at_a_time_with_exact_counts(client_for, team_a1, caseworker_a):
    add_runs(team_a1, caseworker_a, 20)  # 60 items, 20 overdue
    client = client_for(caseworker_a)
    first = text(client.get(MY_WORK))
    assert "60 items to do, 20 overdue" in first
    assert "Page 1 of 2" in first and 'href="?page=2">Next</a>' in first
    assert main(client.get(MY_WORK)).count('class="list-group-item') == 50
    second = client.get(MY_WORK + "?page=2")
    assert main(second).count('class="list-group-item') == 10 and "Page 2 of 2" in text(second)
    everything = work.my_items(caseworker_a)
    urls = [f'href="{item.url}"' for item in everything]
    assert all(url in text(second) for url in urls[50:]) and not any(url in main(second) for url in urls[:50])
    # Past the last page, or not a number: the last page, the first page, as before.
    assert "Page 2 of 2" in text(client.get(MY_WORK + "?page=9"))
    assert "Page 1 of 2" in text(client.get(MY_WORK + "?page=x"))


def test_a_source_of_whole_lists_still_pages_and_counts(request, team_a1, caseworker_a):
    """An ASSIGNEE source (the user the record names) is asked as before and merged into the pages."""
    from tests.factories import UserFactory

    named = request.getfixturevalue("named_items")
    colleague = UserFactory(agency=team_a1.agency, role="caseworker", team=team_a1)
    youth = [YouthFactory(team=team_a1, assigned_caseworkers=[caseworker_a]) for _ in range(3)]
    named.extend((y, colleague) for y in youth)
    now = timezone.now()
    assert shown(work.my_page(colleague, now, offset=1, limit=1).items) == shown(work.my_items(colleague, now)[1:2])
    assert (work.my_page(colleague, now, limit=0).total, work.my_page(caseworker_a, now, limit=0).total) == (3, 0)
