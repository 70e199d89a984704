"""The caseload at any size: its search, its pages (read by name order), and its count.

The list pages forward and back by the youth's place in name order (last name, first name, id), counts
exactly up to CASELOAD_EXACT_COUNT_UP_TO and shows "about N" above it (docs/design.md#speed). These tests
use a small cap so a few youth stand for a large caseload.
"""

import itertools
import re

import pytest
from django.db import connection
from django.urls import reverse

from tests.factories import YouthFactory

pytestmark = pytest.mark.django_db


def listed(response):
    return [y.pk for y in response.context["page"].object_list]


def next_url(response, rel):
    """The href of the page's Previous or Next link, as a user would follow it (None when there is none)."""
    found = re.search(rf'rel="{rel}" href="([^"]+)"', response.content.decode())
    return reverse("caseload") + found.group(1).replace("&amp;", "&") if found else None


def flat(pages):
    return list(itertools.chain.from_iterable(pages))


def walk(client, url, rel):
    """Follow Next (or Previous) from `url` to the end: every page's youth ids, in the order shown."""
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        pages.append(listed(response))
        url = next_url(response, rel)
    return pages


@pytest.fixture
def crowded_team(team_a1):
    """53 youth in team North: two pages of 25 and 3 more, with the same surname across the first page boundary
    and the same surname and first name across the second."""
    youth = []
    for n in range(20):
        youth.append(YouthFactory(team=team_a1, legal_last_name=f"Abbot{n:02d}", legal_first_name="Zed"))
    for n in range(10):  # positions 21 to 30: "Brown" straddles the end of page 1
        youth.append(YouthFactory(team=team_a1, legal_last_name="Brown", legal_first_name=f"Kai{n:02d}"))
    for _ in range(23):  # positions 31 to 53, all "Cruz, Ana": only the id orders them
        youth.append(YouthFactory(team=team_a1, legal_last_name="Cruz", legal_first_name="Ana"))
    return youth


def in_name_order(youth):
    return [y.pk for y in sorted(youth, key=lambda y: (y.legal_last_name, y.legal_first_name, y.pk))]


@pytest.mark.parametrize("cap", [2000, 10])  # an exact count, and "about N" above a small cap
def test_paging_forward_to_the_end_and_back_shows_every_youth_once_in_order(
    client_for, caseworker_a, crowded_team, settings, cap
):
    settings.CASELOAD_EXACT_COUNT_UP_TO = cap
    client = client_for(caseworker_a)
    expected = in_name_order(crowded_team)

    forward = walk(client, reverse("caseload"), "next")
    assert [len(p) for p in forward] == [25, 25, 3]
    assert flat(forward) == expected

    backward = walk(client, reverse("caseload") + "?page=last", "prev")
    assert flat(reversed(backward)) == expected


def test_pages_say_where_the_user_is(client_for, caseworker_a, crowded_team):
    client = client_for(caseworker_a)
    first = client.get(reverse("caseload"))
    text = first.content.decode()
    assert "53 youth." in text
    assert '<nav aria-label="Pages of the youth list">' in text
    assert re.search(r'aria-current="page"><span class="page-link">Page 1 of 3<', text)
    assert 'rel="prev"' not in text  # no Previous on the first page
    second = client.get(next_url(first, "next"))
    assert re.search(r'aria-current="page"><span class="page-link">Page 2 of 3<', second.content.decode())
    last = client.get(reverse("caseload") + "?page=last")
    assert re.search(r'aria-current="page"><span class="page-link">Page 3 of 3<', last.content.decode())
    assert listed(last) == in_name_order(crowded_team)[50:]  # the last page lines up with paging forward
    assert 'rel="next"' not in last.content.decode()


def test_filters_are_kept_while_paging(client_for, caseworker_a, crowded_team):
    client = client_for(caseworker_a)
    pages = walk(client, reverse("caseload") + "?q=cruz", "next")
    assert flat(pages) == in_name_order(crowded_team)[30:]


def test_a_large_caseload_says_about_and_when_it_was_counted(client_for, caseworker_a, crowded_team, settings):
    settings.CASELOAD_EXACT_COUNT_UP_TO = 10
    text = client_for(caseworker_a).get(reverse("caseload")).content.decode()
    assert "About 53 youth (counted " in text
    assert "Page 1<" in text and "of 3" not in text  # no exact number of pages is claimed


def test_a_stale_count_never_hides_a_youth(client_for, caseworker_a, crowded_team, team_a1, settings):
    settings.CASELOAD_EXACT_COUNT_UP_TO = 10
    client = client_for(caseworker_a)
    assert client.get(reverse("caseload")).context["page"].count == 53  # counted, and kept in the cache
    newcomers = [YouthFactory(team=team_a1, legal_last_name=name) for name in ("Aaron", "Zzyzx")]
    response = client.get(reverse("caseload"))
    assert response.context["page"].count == 53  # still the kept count, said as "about"
    everyone = flat(walk(client, reverse("caseload"), "next"))
    assert everyone == in_name_order([*crowded_team, *newcomers])
    assert client.get(reverse("caseload") + "?page=last").context["page"].object_list[-1].pk == newcomers[1].pk


def test_an_out_of_scope_youth_never_appears_on_any_page_or_search(
    client_for, caseworker_a, crowded_team, team_a2, team_b1, settings
):
    settings.CASELOAD_EXACT_COUNT_UP_TO = 10
    hidden = [
        YouthFactory(team=team_a2, legal_last_name="Brown", legal_first_name="Kai05"),  # between in-scope names
        YouthFactory(team=team_b1, legal_last_name="Cruz", legal_first_name="Ana"),
    ]
    client = client_for(caseworker_a)
    hidden_ids = {y.pk for y in hidden}
    for start, rel in (("", "next"), ("?page=last", "prev"), ("?q=brown", "next"), ("?q=cruz+ana", "next")):
        pages = walk(client, reverse("caseload") + start, rel)
        assert not hidden_ids & set(flat(pages))
    for youth in hidden:
        assert listed(client.get(reverse("caseload"), {"q": youth.case_number})) == []
        # Another team's youth as the place to page from is not honoured: the first page is shown.
        for anchor in ("after", "before"):
            response = client.get(reverse("caseload"), {anchor: youth.pk})
            assert listed(response) == in_name_order(crowded_team)[:25]


@pytest.fixture
def named(team_a1, team_a2):
    return {
        "isabella": YouthFactory(
            team=team_a1, legal_first_name="Isabella", legal_last_name="Whitfield", case_number="KS-2024-00317"
        ),
        "alias": YouthFactory(team=team_a1, legal_first_name="Dana", legal_last_name="Okafor", aliases="Dee\nDD"),
        "preferred": YouthFactory(team=team_a1, legal_first_name="Robert", legal_last_name="Lin", preferred_name="Bo"),
        "whitaker": YouthFactory(team=team_a1, legal_first_name="Sam", legal_last_name="Whitaker"),
        "other team": YouthFactory(team=team_a2, legal_first_name="Isabel", legal_last_name="Whitfield"),
    }


SEARCHES = [
    ("isab", ["isabella"]),  # a partial first name
    ("whit", ["whitaker", "isabella"]),  # a surname prefix, in name order
    ("WHITF", ["isabella"]),
    ("isabella whitfield", ["isabella"]),  # every word must match somewhere
    ("isabella okafor", []),
    ("dee", ["alias"]),  # an alias
    ("bo", ["preferred"]),  # a preferred name
    ("ks-2024-00317", ["isabella"]),  # a case number in any case
    ("Ks-2024", ["isabella"]),  # its start
    ("2024-00317", []),  # not its middle: case numbers match from the start
]


def assert_search_finds(client, named, q, expected):
    response = client.get(reverse("caseload"), {"q": q})
    assert listed(response) == [named[name].pk for name in expected], q
    assert named["other team"].pk not in listed(response)


@pytest.mark.parametrize(("q", "expected"), SEARCHES)
def test_search_finds_what_a_caseworker_types(client_for, caseworker_a, named, q, expected):
    assert_search_finds(client_for(caseworker_a), named, q, expected)


@pytest.mark.postgres
def test_on_postgresql_the_search_uses_the_trigram_and_prefix_indexes_and_finds_the_same_youth(
    postgres_db, client_for, caseworker_a, named
):
    client = client_for(caseworker_a)
    for q, expected in SEARCHES:  # the same youth as SQLite finds (the test above)
        assert_search_finds(client, named, q, expected)

    # The plan of the search's own condition (no scope), so that only the indexes on the expressions it compares
    # can answer it without reading the table. On a handful of rows the planner rightly reads the table: reading it
    # is ruled out here, which shows the indexes match the search, as the plan at 100,000 youth does
    # (bench/README.md).
    from caseapp.filters import CaseloadFilter
    from caseapp.models import Youth

    def plan(q):
        search = CaseloadFilter({"q": q}, user=caseworker_a).search(Youth.objects.order_by(), "q", q)
        sql, params = search.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            return "\n".join(row[0] for row in cursor.fetchall())

    two_words = plan("isabella whit")
    for index in ("youth_legal_first_name_trgm", "youth_legal_last_name_trgm", "youth_preferred_name_trgm",
                  "youth_aliases_trgm", "youth_case_number_prefix"):
        assert index in two_words, two_words
    assert "youth_case_number_prefix" in plan("ks-2024-003"), plan("ks-2024-003")


@pytest.mark.postgres
def test_on_postgresql_the_trigram_indexes_keep_a_small_pending_list(postgres_db):
    """A search reads a GIN index's whole pending list (and the planner prices it in): at most 64 kB of it
    (migration 0017_trigram_indexes_without_pending_list; docs/design.md#speed)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reloptions FROM pg_class WHERE relname LIKE 'youth_%%_trgm' ORDER BY relname")
        options = dict(cursor.fetchall())
    assert set(options) == {"youth_aliases_trgm", "youth_legal_first_name_trgm", "youth_legal_last_name_trgm",
                            "youth_preferred_name_trgm"}
    assert all(opts == ["gin_pending_list_limit=64"] for opts in options.values()), options
