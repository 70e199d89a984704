"""Whose list a work item is on, resolved once for every source (caseapp/work.py `resolve_owners`,
docs/design.md#work): each rule names the right people, and "My work" runs the same queries with no item, with
one kind of item and with every kind, at 10 items and at 1,000."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from caseapp import work
from caseapp.models import User, Youth
from missing_reports import deadlines
from missing_reports.models import (
    Debrief,
    Disclosure,
    DisclosureReport,
    EpisodeStatus,
    MissingEpisode,
    Notification,
    ResponseAction,
)
from risk.models import (
    URGENCY_RANK,
    IdentificationReport,
    Outcome,
    ReviewDecision,
    ReviewItem,
    ServiceReferral,
    Urgency,
)
from tests.factories import TeamFactory, YouthFactory

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


def item(youth, owners, **extra):
    return work.WorkItem(
        kind="test",
        what="Something to do",
        youth_id=youth.pk,
        youth_name=youth.display_name,
        case_number=youth.case_number,
        team_id=youth.team_id,
        agency_id=youth.agency_id,
        url="/",
        owners=owners,
        **extra,
    )


def owners_of(*items):
    return [resolved.owner_ids for resolved in work.resolve_owners(items)]


# --- The rules --------------------------------------------------------------------------------------------------


def test_each_rule_names_its_people(agency_a, team_a1, caseworker_a, supervisor_a, agency_admin_a):
    youth = YouthFactory(team=team_a1, assigned_caseworkers=[caseworker_a])
    assert owners_of(
        item(youth, work.CASEWORKERS),
        item(youth, work.SUPERVISORS),
        item(youth, work.SUPERVISORS_ELSE_ADMINS),
        item(youth, work.SUPERVISORS_AND_ADMINS),
    ) == [(caseworker_a.pk,), (supervisor_a.pk,), (supervisor_a.pk,), (supervisor_a.pk, agency_admin_a.pk)]


def test_with_nobody_active_of_their_own_the_work_goes_up(
    agency_a, team_a1, caseworker_a, supervisor_a, agency_admin_a
):
    youth = YouthFactory(team=team_a1, assigned_caseworkers=[caseworker_a])
    User.objects.filter(pk=caseworker_a.pk).update(is_active=False)
    assert owners_of(item(youth, work.CASEWORKERS)) == [(supervisor_a.pk,)]
    unsupervised = YouthFactory(team=TeamFactory(agency=agency_a, name="West"))
    assert owners_of(
        item(unsupervised, work.CASEWORKERS),
        item(unsupervised, work.SUPERVISORS),
        item(unsupervised, work.SUPERVISORS_ELSE_ADMINS),
        item(unsupervised, work.SUPERVISORS_AND_ADMINS),
    ) == [(), (), (agency_admin_a.pk,), (agency_admin_a.pk,)]


def test_the_admins_are_only_their_own_agencys(team_a1, supervisor_a, agency_admin_a, admin_b, youth_b):
    assert owners_of(item(youth_b, work.SUPERVISORS_AND_ADMINS)) == [
        tuple(youth_b.team.supervisors.filter(is_active=True).values_list("pk", flat=True)) + (admin_b.pk,)
    ]


def test_everyone_is_named_once(team_a1, supervisor_a, agency_admin_a):
    team_a1.supervisors.add(agency_admin_a)  # an admin who also supervises the team
    youth = YouthFactory(team=team_a1)
    assert owners_of(item(youth, work.SUPERVISORS_AND_ADMINS)) == [(supervisor_a.pk, agency_admin_a.pk)]


def test_an_unknown_rule_is_refused(youth_a1):
    with pytest.raises(ValueError, match="Unknown owner rule"):
        item(youth_a1, "whoever")


def test_the_owners_cost_the_same_queries_for_no_item_as_for_many(team_a1, caseworker_a, supervisor_a):
    youth = [YouthFactory(team=team_a1, assigned_caseworkers=[caseworker_a]) for _ in range(3)]
    counts = []
    for items in ([], [item(youth[0], work.CASEWORKERS)], [item(y, rule) for y in youth for rule in work.OWNER_RULES]):
        with CaptureQueriesContext(connection) as queries:
            work.resolve_owners(items)
        counts.append(len(queries))
    assert counts == [3, 3, 3]


# --- "My work" runs the same queries whatever the kinds and the number of items ---------------------------------


def bulk_youth(team, count):
    """`count` youth of `team` with no assigned caseworker, so that every kind of item is on the team
    supervisor's own list (caseworkers' work goes to the supervisors)."""
    start = Youth.objects.count()
    return Youth.objects.bulk_create(
        Youth(
            agency_id=team.agency_id,
            team=team,
            case_number=f"OWN-{start + i:06d}",
            legal_first_name="Alex",
            legal_last_name=f"Owner-Testfamily{start + i}",
            date_of_birth=datetime.date(2011, 5, 1),
            sex="female",
        )
        for i in range(count)
    )


def review_items(team, count, now):
    """`count` review items, one a youth: one kind of item only."""
    ReviewItem.objects.bulk_create(
        ReviewItem(youth=y, urgency=Urgency.HIGH, urgency_rank=URGENCY_RANK[Urgency.HIGH], due_at=now + HOUR)
        for y in bulk_youth(team, count)
    )


def every_kind(team, decider, count, now):
    """`count` youth missing now (two notices, a search effort and a supervisory review each) and `count` back
    (a return interview, a screening and a recent photo each, the hotline report of a disclosure made without an
    episode, and an action of a response plan named for `decider`), each youth with a review item, an
    identified-victim report and a service referral: every kind of item, 15 for each of the `count` pairs."""
    away, back = bulk_youth(team, count), bulk_youth(team, count)

    def episode(youth, status):
        returned = {"returned_at": now - DAY} if status == EpisodeStatus.RETURNED else {}
        return MissingEpisode(
            youth=youth,
            status=status,
            last_seen_at=now - 3 * DAY,
            last_seen_location="Park",
            agency_learned_at=now - 3 * DAY,
            reported_by="Foster parent",
            created_by=decider,
            **returned,
        )

    missing = MissingEpisode.objects.bulk_create(episode(y, EpisodeStatus.OPEN) for y in away)
    returned = MissingEpisode.objects.bulk_create(episode(y, EpisodeStatus.RETURNED) for y in back)
    Notification.objects.bulk_create(
        [
            *(
                Notification(episode=e, event=deadlines.MISSING, party=party, due_at=now + HOUR, rule_hours=24)
                for e in missing
                for party in (deadlines.NCMEC, deadlines.LAW_ENFORCEMENT)
            ),
            *(
                Notification(
                    episode=e,
                    event=deadlines.RETURNED,
                    party=deadlines.RETURN_INTERVIEW,
                    due_at=now + DAY,
                    rule_hours=72,
                )
                for e in returned
            ),
        ]
    )
    # An earlier interview of each returned youth, whose plan names the decider (caseapp.work.ASSIGNEE).
    interviews = Debrief.objects.bulk_create(
        Debrief(
            episode=e, interview_at=now - 2 * DAY, interviewer=decider, running_direction="from",
            primary_factors=["conflict"], trafficking_screening_done="yes",
        )
        for e in returned
    )
    ResponseAction.objects.bulk_create(
        ResponseAction(
            debrief=d, youth_id=d.episode.youth_id, factor="conflict", what="Mediation", owner=decider,
            due_at=now + DAY, created_by=decider,
        )
        for d in interviews
    )
    disclosed = Disclosure.objects.bulk_create(
        Disclosure(
            youth=y, kind="abuse_neglect", context="risk_observation", disclosed_at=now - HOUR,
            what_was_said="Said an adult hurt them.", recorded_by=decider,
        )
        for y in back
    )
    DisclosureReport.objects.bulk_create(
        DisclosureReport(
            disclosure=d, youth_id=d.youth_id, party=deadlines.ABUSE_HOTLINE, due_at=now + 23 * HOUR, rule_hours=24
        )
        for d in disclosed
    )
    everyone = [*away, *back]
    ReviewItem.objects.bulk_create(
        ReviewItem(
            youth=y, urgency=Urgency.IDENTIFICATION, urgency_rank=URGENCY_RANK[Urgency.IDENTIFICATION], due_at=now
        )
        for y in everyone
    )
    decided = ReviewDecision.objects.bulk_create(
        ReviewDecision(
            youth=y,
            outcome=Outcome.IDENTIFIED,
            decided_by=decider,
            trafficking_type="sex",
            trafficking_kind="familial",
            timing="in_care",
            information_received_at=now - HOUR,
        )
        for y in everyone
    )
    IdentificationReport.objects.bulk_create(
        IdentificationReport(decision=d, youth_id=d.youth_id, due_at=now + 23 * HOUR, rule_hours=24) for d in decided
    )
    ServiceReferral.objects.bulk_create(
        ServiceReferral(
            youth_id=d.youth_id,
            decision=d,
            service="housing",
            sent_on=timezone.localdate(now),
            next_step_due=timezone.localdate(now) + 7 * DAY,
            created_by=decider,
        )
        for d in decided
    )


def test_my_work_runs_the_same_queries_for_one_kind_and_every_kind_at_10_and_1000_items(
    team_a1, supervisor_a, agency_admin_a
):
    now = timezone.now()

    def measure():
        with CaptureQueriesContext(connection) as queries:
            items = work.my_items(supervisor_a, now)
        return len(queries), len(items), {i.kind for i in items}

    nothing, _, kinds = measure()
    assert kinds == set()

    review_items(team_a1, 10, now)
    assert measure() == (nothing, 10, {"review_item"})
    review_items(team_a1, 990, now)
    assert measure() == (nothing, 1000, {"review_item"})

    ReviewItem.objects.all().delete()
    every_kind(team_a1, supervisor_a, 1, now)  # 15 items
    count, total, kinds = measure()
    assert (count, total) == (nothing, 15)
    assert kinds == {source.kind for source in work.sources()}, "every registered kind is present"
    every_kind(team_a1, supervisor_a, 66, now)  # 1,005 items
    assert measure() == (nothing, 1005, kinds)


def test_agency_staff_own_no_work_and_ask_no_source(agency_staff_a, django_assert_num_queries):
    # They read and export; recording a notice or a decision is not theirs (access.EDITOR_ROLES), so My work and
    # the top bar's overdue count ask nothing at all for them.
    with django_assert_num_queries(0):
        assert work.my_items(agency_staff_a) == []


def test_an_admins_own_list_holds_the_admin_rules_items_of_every_team(agency_a, team_a1, supervisor_a, agency_admin_a):
    # team_a1 has a supervisor; a team without one puts its review items on the admins' lists. The other sources
    # (notices, screenings, ...) are not asked about the whole agency for the admin: none of their rules names them.
    # A response plan's action names its one owner (ASSIGNEE): the admin's own, in the team without a supervisor.
    now = timezone.now()
    unsupervised = TeamFactory(agency=agency_a, name="No supervisor yet")
    every_kind(unsupervised, agency_admin_a, 1, now)
    every_kind(team_a1, supervisor_a, 1, now)
    ReviewItem.objects.filter(youth__team=team_a1).update(urgency=Urgency.IDENTIFICATION)
    mine = work.my_items(agency_admin_a, now)
    assert sorted((i.kind, i.team_id) for i in mine) == sorted(
        [("review_item", unsupervised.pk)] * 2 + [("review_item", team_a1.pk)] * 2
        + [("response_action", unsupervised.pk)]
    )


def test_a_source_naming_a_rule_it_did_not_declare_fails_loudly(team_a1, caseworker_a):
    youth = YouthFactory(team=team_a1)
    source = work.WorkSource("test", "Test", lambda scope, now: [item(youth, work.SUPERVISORS)], (work.CASEWORKERS,))
    with pytest.raises(ValueError, match="not one of its rules"):
        work._items_of(source, Youth.objects.all(), timezone.now())


# --- ASSIGNEE: the user the record names -------------------------------------------------------------------------


@pytest.fixture
def named_items():
    """A test-only source whose items each name one user (owners=ASSIGNEE), as a response plan's action does:
    append (youth, user) to the returned list to make one. Unregistered afterwards."""
    named: list = []

    def items(youth, now):
        scoped = set(youth.values_list("pk", flat=True))
        return [
            work.WorkItem.about(
                y, kind="named_test", what="An action of the plan", url="/", owners=work.ASSIGNEE,
                due_at=now - HOUR, owner_ids=(user.pk,),
            )
            for y, user in named
            if y.pk in scoped
        ]

    work.register_work_source("named_test", "Named (test)", items, owners=[work.ASSIGNEE])
    yield named
    work._sources[:] = [source for source in work._sources if source.kind != "named_test"]


def test_an_assignee_item_is_on_the_named_users_list_only(team_a1, caseworker_a, supervisor_a, named_items):
    from tests.factories import UserFactory

    youth = YouthFactory(team=team_a1, assigned_caseworkers=[caseworker_a])
    colleague = UserFactory(agency=team_a1.agency, role="caseworker", team=team_a1)  # sees the youth, not assigned
    assert owners_of(item(youth, work.ASSIGNEE, owner_ids=(colleague.pk,))) == [(colleague.pk,)]
    named_items.append((youth, colleague))
    now = timezone.now()
    assert [(i.kind, i.owner_ids) for i in work.my_items(colleague, now)] == [("named_test", (colleague.pk,))]
    assert "named_test" not in {i.kind for i in work.my_items(caseworker_a, now)}
    assert "named_test" not in {i.kind for i in work.my_items(supervisor_a, now)}
    team = work.team_items(supervisor_a, now)  # the team view groups it under the named user
    assert [i.owner_ids for i in team if i.kind == "named_test"] == [(colleague.pk,)]


def test_only_an_assignee_item_names_its_owners(youth_a1, caseworker_a):
    with pytest.raises(ValueError, match="Only an ASSIGNEE item"):
        item(youth_a1, work.CASEWORKERS, owner_ids=(caseworker_a.pk,))
