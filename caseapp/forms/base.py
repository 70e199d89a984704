"""What every app's forms are built from: the date widget, the date-time field typed in the agency's local
time, the model form that leaves the rules to the services, and how a service's errors reach the form."""

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html

from .. import local_time
from ..audit import client_ip
from ..language import form_note

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# --- Date-times typed in the agency's local time ------------------------------------------------------


class TypedWallTime(str):
    """What a datetime-local input posted, with the instant the form had shown in it (or None)."""

    def __new__(cls, typed, shown=None):
        value = super().__new__(cls, typed)
        value.shown = shown
        return value


class AgencyLocalDateTimeInput(forms.DateTimeInput):
    """A datetime-local input, plus a hidden twin holding the exact instant the input was filled with.

    A wall time such as 1:30 AM on the night clocks go back is two instants, and the input shows minutes
    only: posted back unchanged, the twin gives the very instant that was shown (either occurrence, to the
    microsecond), so correcting one field of a record never moves another by an hour or drops its seconds.
    A time the user changed is read by the rule of caseapp.local_time.
    """

    input_type = "datetime-local"
    # The stored instant is kept whole in the twin; the visible input shows minutes (its format).
    supports_microseconds = True
    SHOWN_SUFFIX = "__shown"

    def __init__(self, attrs=None, format="%Y-%m-%dT%H:%M"):
        super().__init__(attrs=attrs, format=format)

    def value_from_datadict(self, data, files, name):
        typed = data.get(name)
        if typed is None:
            return None
        return TypedWallTime(typed, data.get(name + self.SHOWN_SUFFIX) or None)

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        if isinstance(value, datetime.datetime) and timezone.is_aware(value):
            shown = value.isoformat()
        else:
            shown = getattr(value, "shown", None)  # a form shown again after an error keeps its twin
        if not shown:
            return html
        return html + format_html('<input type="hidden" name="{}" value="{}">', name + self.SHOWN_SUFFIX, shown)


class AgencyLocalDateTimeField(forms.DateTimeField):
    """A date and time typed in the agency's local time (the active zone). Every form that takes one uses it.

    A time in the hour repeated when clocks go back is read by caseapp.local_time.resolve; a time the
    clocks skip is refused with the nearest valid times. The help text names the zone. The cleaned value
    is in UTC (see resolve for why).
    """

    widget = AgencyLocalDateTimeInput

    def __init__(self, *, help_text="", **kwargs):
        super().__init__(help_text=local_time.with_zone_note(help_text), **kwargs)

    def prepare_value(self, value):
        # Kept aware (Django makes it naive), so the widget can carry the exact instant in its twin.
        if isinstance(value, datetime.datetime) and timezone.is_aware(value):
            return timezone.localtime(value)
        return super().prepare_value(value)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.astimezone(datetime.UTC) if timezone.is_aware(value) else self._resolve(value)
        if isinstance(value, datetime.date):
            return self._resolve(datetime.datetime(value.year, value.month, value.day))
        text = str(value).strip()
        try:
            typed = parse_datetime(text)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if typed is None:
            typed = super(forms.DateTimeField, self).to_python(text)  # the other input formats
        if timezone.is_aware(typed):
            return typed.astimezone(datetime.UTC)
        return self._shown_instant(getattr(value, "shown", None), typed) or self._resolve(typed)

    def _shown_instant(self, shown, typed):
        """The instant the input was filled with, if the posted wall time is still the one it showed."""
        try:
            instant = parse_datetime(shown) if shown else None
            if instant is None or timezone.is_naive(instant):
                return None
            wall = timezone.localtime(instant).replace(tzinfo=None)
        except (ValueError, OverflowError):  # not a time this form wrote
            return None
        return instant.astimezone(datetime.UTC) if typed in (wall, wall.replace(second=0, microsecond=0)) else None

    def _resolve(self, wall):
        try:
            return local_time.resolve(wall, timezone.get_current_timezone(), timezone.now())
        except local_time.NonexistentLocalTime as exc:
            raise ValidationError(str(exc), code="nonexistent") from None
        except OverflowError:  # e.g. 9999-12-31 11:30 PM, which is in year 10000 in UTC
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


def agency_formfield(model_field, **kwargs):
    """A model form's field for `model_field`: a date-time is typed in the agency's local time."""
    if isinstance(model_field, models.DateTimeField):
        kwargs["form_class"] = AgencyLocalDateTimeField
    return model_field.formfield(**kwargs)


def add_service_error(form, exc):
    """Show a service's ValidationError at the fields it names, or above the form for any other name.

    (form.add_error(None, exc) would raise for a name the form does not have: a 500 instead of a message.)
    """
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def default_initial(form, name, value):
    """A ModelForm's initial data comes from its instance, empty fields included; fill one that is empty."""
    if form.initial.get(name) in (None, ""):
        form.initial[name] = value


def save_through_service(request, form, service, **ids):
    """What `service(actor=<the user>, ip=<their address>, **ids, **form.cleaned_data)` saved, for a valid
    POSTed form; None when the form is not a valid POST or the service refused it (its message is then on
    the form, add_service_error), so the view shows the form again and nothing is written."""
    if request.method != "POST" or not form.is_valid():
        return None
    return call_service(request, form, service, **ids, **form.cleaned_data)


def call_service(request, form, service, **data):
    """What `service(actor=<the user>, ip=<their address>, **data)` saved, for a form already validated
    whose data the view has shaped (form.service_fields()); None when the service refused, its message
    then on the form (add_service_error)."""
    try:
        return service(actor=request.user, ip=client_ip(request), **data)
    except ValidationError as exc:
        add_service_error(form, exc)
        return None


def note_wording(request, form):
    """After a save: a gentle note when a narrative field uses a word to avoid (never a block).

    The words: docs/risk-catalogue.md#language."""
    note = form_note(form)
    if note:
        messages.info(request, note)


class ServiceValidatedModelForm(forms.ModelForm):
    """A ModelForm that only checks input shape. The model's own validation is skipped because the
    service that saves the data checks every rule (uniqueness, dates, scope) with a clear message,
    and a form must not report the same problem twice.

    Its model date-time fields are AgencyLocalDateTimeFields (agency_formfield), decided here once for
    every model form rather than in each form's Meta.
    """

    def __init_subclass__(cls, **kwargs):
        # Runs before ModelFormMetaclass reads Meta to build the fields.
        super().__init_subclass__(**kwargs)
        meta = getattr(cls, "Meta", None)
        if meta is not None and not hasattr(meta, "formfield_callback"):
            meta.formfield_callback = staticmethod(agency_formfield)

    def _post_clean(self):
        pass
