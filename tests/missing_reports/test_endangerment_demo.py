"""The demo's 10-year-old (A-000002) and youth on insulin (A-000011): their packets print their
endangerment with its reasons (docs/packets.md#endangerment), seeded as tests/caseapp/test_seed_demo.py does."""

import io
import re

import pytest
from django.core.management import call_command

from caseapp.models import Youth
from missing_reports.models import PacketKind
from missing_reports.packets import facts, kinds
from missing_reports.packets.pdf import sections


@pytest.fixture
def seeded(db):
    call_command("seed_demo", "--youth", "40", "--quiet", stdout=io.StringIO())


@pytest.mark.django_db
def test_the_demo_youth_print_their_endangerment_with_reasons(seeded):
    child = Youth.objects.get(case_number="A-000002")
    on_insulin = Youth.objects.get(case_number="A-000011")
    printed = {}
    for youth in (child, on_insulin):
        episode = youth.missing_episodes.order_by("-agency_learned_at").first()
        assert episode is not None, youth.case_number
        f = facts.assemble(episode, PacketKind.NCMEC)
        kinds.validate(f)
        printed[youth.case_number] = sections.endangerment_lines(f["episode"])
    assert re.fullmatch(rf"Under 13: Age 1?\d \(born {child.date_of_birth.isoformat()}\)", printed["A-000002"][0])
    assert "Needs prescription medication: Medications recorded" in printed["A-000011"]
