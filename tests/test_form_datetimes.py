"""Every form that takes a date and time takes it in the agency's local time, through one field class
(caseapp.forms.base.AgencyLocalDateTimeField): the repeated hour, the spring gap and the zone in the help text
are then right everywhere, including on forms added later."""

import importlib

from django import forms

from caseapp.forms.base import AgencyLocalDateTimeField

FORM_MODULES = [
    "caseapp.forms.base", "caseapp.forms.on_call", "caseapp.forms.photos", "caseapp.forms.placements",
    "caseapp.forms.staff",
    "missing_reports.forms.disclosures",
    "caseapp.forms.youth", "missing_reports.forms.notifications", "missing_reports.forms.packets",
    "missing_reports.forms.returns", "missing_reports.forms.runs", "risk.forms.review", "risk.forms.youth",
    "risk.forms.scoring", "exports.forms.dashboard", "exports.forms.exports",
]


def all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from all_subclasses(sub)


def test_every_date_time_field_of_our_forms_is_the_agency_local_one():
    for name in FORM_MODULES:
        importlib.import_module(name)
    ours = [
        form for form in all_subclasses(forms.BaseForm)
        if form.__module__.split(".")[0] in {"caseapp", "missing_reports", "risk", "exports"}
    ]
    found = {}
    for form in ours:
        for field_name, field in form.base_fields.items():
            if isinstance(field, (forms.DateTimeField, forms.SplitDateTimeField)):
                found[f"{form.__name__}.{field_name}"] = type(field)
    assert len(found) >= 16  # the run, notices, return, interview, search effort, packets, risk
    assert {name for name, kind in found.items() if kind is not AgencyLocalDateTimeField} == set()
    assert "RunForm.agency_learned_at" in found and "ObservationForm.observed_at" in found
