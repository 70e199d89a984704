"""The "Report a youth missing" picker at any size: it searches and pages as the caseload does (one rule:
caseapp.selectors.name_order_page and CaseloadFilter.search), lists only youth the caseworker may report on,
and goes from a pick to the run form."""

import re

import pytest
from django.urls import reverse

from tests.caseapp.test_caseload_paging import SEARCHES, crowded_team, in_name_order, named  # noqa: F401
from tests.factories import YouthFactory

pytestmark = pytest.mark.django_db


def listed(response):
    return [y.pk for y in response.context["page"].object_list]


def follow(client, response, rel):
    found = re.search(rf'rel="{rel}" href="([^"]+)"', response.content.decode())
    return client.get(reverse("report_missing") + found.group(1).replace("&amp;", "&")) if found else None


def walk(client, params, rel="next"):
    pages, response = [], client.get(reverse("report_missing"), params)
    while response is not None:
        assert response.status_code == 200
        pages.append(listed(response))
        response = follow(client, response, rel)
    return pages


@pytest.mark.parametrize(("q", "expected"), SEARCHES)
def test_the_picker_finds_what_the_caseload_finds(client_for, caseworker_a, named, q, expected):  # noqa: F811
    client = client_for(caseworker_a)
    found = listed(client.get(reverse("report_missing"), {"q": q}))
    assert found == [named[name].pk for name in expected], q
    assert found == listed(client.get(reverse("caseload"), {"q": q}))
    assert named["other team"].pk not in found


@pytest.mark.parametrize("cap", [2000, 10])  # an exact count, and "about N" above a small cap
def test_paging_shows_every_youth_once_in_name_order(client_for, caseworker_a, crowded_team, settings, cap):  # noqa: F811
    settings.CASELOAD_EXACT_COUNT_UP_TO = cap
    client = client_for(caseworker_a)
    pages = walk(client, {})
    assert [len(p) for p in pages] == [25, 25, 3]
    assert [pk for page in pages for pk in page] == in_name_order(crowded_team)
    assert [pk for page in walk(client, {"q": "cruz"}) for pk in page] == in_name_order(crowded_team)[30:]


def test_a_large_list_says_about_and_when_it_was_counted(client_for, caseworker_a, crowded_team, settings):  # noqa: F811
    settings.CASELOAD_EXACT_COUNT_UP_TO = 10
    text = client_for(caseworker_a).get(reverse("report_missing")).content.decode()
    assert "About 53 youth (counted " in text
    assert "of 3" not in text


def test_out_of_scope_youth_are_never_listed(client_for, caseworker_a, crowded_team, team_a2, team_b1, settings):  # noqa: F811
    settings.CASELOAD_EXACT_COUNT_UP_TO = 10
    hidden = [
        YouthFactory(team=team_a2, legal_last_name="Brown", legal_first_name="Kai05"),
        YouthFactory(team=team_b1, legal_last_name="Cruz", legal_first_name="Ana", case_number="B-777"),
    ]
    client = client_for(caseworker_a)
    hidden_ids = {y.pk for y in hidden}
    for params, rel in (({}, "next"), ({"page": "last"}, "prev"), ({"q": "brown"}, "next"), ({"q": "cruz"}, "next")):
        assert not hidden_ids & {pk for page in walk(client, params, rel) for pk in page}
    for youth in hidden:
        response = client.get(reverse("report_missing"), {"q": youth.case_number})
        assert listed(response) == []
        assert reverse("log_run", args=[youth.pk]) not in response.content.decode()
        for anchor in ("after", "before"):  # another team's youth cannot place the list
            assert listed(client.get(reverse("report_missing"), {anchor: youth.pk})) == in_name_order(crowded_team)[:25]


def test_a_pick_goes_to_the_run_form(client_for, caseworker_a, team_a1):
    youth = YouthFactory(team=team_a1, legal_first_name="Marisol", legal_last_name="Quintero")
    client = client_for(caseworker_a)
    page = client.get(reverse("report_missing"), {"q": "mari"}).content.decode()
    run_form = reverse("log_run", args=[youth.pk])
    assert run_form in page
    assert client.get(run_form).status_code == 200
