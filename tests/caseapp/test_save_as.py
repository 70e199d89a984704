"""caseapp.services.errors.save_as is the one way a service saves a row that a database constraint may
refuse after a race: the user gets the service's message, nothing is written, and the history names them."""

import pytest
from django.core.exceptions import ValidationError

from caseapp.models import Youth
from caseapp.services.errors import save_as
from tests.factories import YouthFactory

pytestmark = pytest.mark.django_db


def test_a_row_the_database_refuses_is_a_clear_message_and_nothing_is_written(caseworker_a, youth_a1):
    twin = YouthFactory.build(team=youth_a1.team, case_number=youth_a1.case_number)
    with pytest.raises(ValidationError) as refused:
        save_as(caseworker_a, twin, refused={"case_number": "Another youth in this agency already has it."})
    assert refused.value.message_dict == {"case_number": ["Another youth in this agency already has it."]}
    assert Youth.objects.filter(case_number=youth_a1.case_number).count() == 1
    # The savepoint kept the test's transaction usable: the next query works.
    assert Youth.objects.filter(pk=youth_a1.pk).exists()


def test_a_saved_row_names_who_saved_it_in_its_history(caseworker_a, youth_a1):
    youth_a1.preferred_name = "Sam"
    save_as(caseworker_a, youth_a1, refused="unused")
    assert youth_a1.history.latest().history_user == caseworker_a
