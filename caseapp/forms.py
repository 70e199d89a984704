"""Forms (crispy-forms, Bootstrap 5). They check the shape of input; services/ check the domain rules."""

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html

from . import access, local_time
from .audit import client_ip
from .conflicts import ConflictMergeMixin
from .language import form_note
from .models import MISSING_PLACEMENT_TYPES, Placement, PlacementEndReason, Race, Role, Team, User, Youth, YouthPhoto

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


# Upper bounds of the youth's numbers: well above any person, well inside the smallint column.
YOUTH_NUMBER_LIMITS = {"height_inches": (120, "inches"), "weight_pounds": (1500, "pounds")}


class YouthForm(ConflictMergeMixin, ServiceValidatedModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    races = forms.MultipleChoiceField(
        label="Race", choices=Race.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Youth
        fields = [
            "legal_first_name", "legal_middle_name", "legal_last_name", "preferred_name", "aliases",
            "case_number", "team", "assigned_caseworkers", "status", "exited_on", "covered_population",
            "legal_status", "entered_care_on", "date_of_birth", "sex", "gender_identity", "races",
            "hispanic_latino", "primary_language", "height_inches", "weight_pounds", "eye_color",
            "hair_color", "complexion", "eyewear", "has_braces", "scars_marks_tattoos", "piercings",
            *Youth.RESTRICTED_FIELDS,
        ]
        widgets = {
            "date_of_birth": DATE_WIDGET,
            "entered_care_on": DATE_WIDGET,
            "exited_on": DATE_WIDGET,
            "aliases": forms.Textarea(attrs={"rows": 2}),
            "scars_marks_tattoos": forms.Textarea(attrs={"rows": 2}),
            "piercings": forms.Textarea(attrs={"rows": 2}),
            "medical_needs": forms.Textarea(attrs={"rows": 2}),
            "mental_health_needs": forms.Textarea(attrs={"rows": 2}),
            "medications": forms.Textarea(attrs={"rows": 2}),
            "medical_notes": forms.Textarea(attrs={"rows": 3}),
            "assigned_caseworkers": forms.CheckboxSelectMultiple,
        }
        labels = {"height_inches": "Height (inches)", "weight_pounds": "Weight (pounds)"}
        help_texts = {
            "height_inches": "Total inches, e.g. 5 ft 4 in is 64.",
            "ssn": "Only if the agency needs it for a report; shown to few people.",
        }

    def __init__(self, *args, user, agency_id, show_restricted, **kwargs):
        super().__init__(*args, **kwargs)
        # The model's own range check is skipped (_post_clean): without a bound here a huge number
        # reaches the database (a 500 on SQLite, smallint overflow on PostgreSQL).
        for name, (top, unit) in YOUTH_NUMBER_LIMITS.items():
            self.fields[name].max_value = top
            self.fields[name].widget.attrs["max"] = top
            self.fields[name].validators.append(
                MaxValueValidator(top, message=f"Enter at most {top} {unit}.")
            )
        self.fields["team"].queryset = access.teams_for_new_youth(user).filter(agency_id=agency_id)
        self.fields["assigned_caseworkers"].queryset = access.caseworkers_assignable(agency_id)
        self.fields["assigned_caseworkers"].required = False
        if not show_restricted:
            for name in Youth.RESTRICTED_FIELDS:
                del self.fields[name]

    def clean_ssn(self):
        ssn = self.cleaned_data.get("ssn", "").replace("-", "").replace(" ", "")
        if ssn and (len(ssn) != 9 or not ssn.isdigit()):
            raise forms.ValidationError("An SSN has 9 digits, e.g. 123-45-6789.")
        return f"{ssn[:3]}-{ssn[3:5]}-{ssn[5:]}" if ssn else ""

    def service_fields(self):
        """cleaned_data split into what the youth services take."""
        data = dict(self.cleaned_data)
        data.pop("version", None)
        caseworkers = list(data.pop("assigned_caseworkers", []))
        return data, caseworkers


class PlacementForm(ConflictMergeMixin, ServiceValidatedModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    end_current_with_reason = forms.ChoiceField(
        label="When this placement starts, the current placement ends because",
        choices=[("", "Do not end the current placement")] + list(PlacementEndReason.choices),
        required=False,
    )

    class Meta:
        model = Placement
        fields = [
            "placement_type", "provider_name", "provider_phone", "address", "city", "state",
            "postal_code", "start_date", "end_date", "end_reason", "notes",
        ]
        widgets = {
            "start_date": DATE_WIDGET,
            "end_date": DATE_WIDGET,
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"end_date": "Leave empty while the youth still lives here."}

    def __init__(self, *args, offer_end_current=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not offer_end_current:
            del self.fields["end_current_with_reason"]
        # Missing spells are written when a run or a return is logged, not chosen here.
        if not (self.instance.pk and self.instance.is_missing_spell):
            self.fields["placement_type"].choices = [
                c for c in self.fields["placement_type"].choices if c[0] not in MISSING_PLACEMENT_TYPES
            ]

    def clean_state(self):
        return self.cleaned_data.get("state", "").upper()

    def service_fields(self):
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


class EndPlacementForm(ConflictMergeMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    end_date = forms.DateField(widget=DATE_WIDGET, help_text="The day the youth left this placement.")
    end_reason = forms.ChoiceField(choices=[("", "Choose a reason")] + list(PlacementEndReason.choices))


class PhotoForm(ServiceValidatedModelForm):
    image = forms.FileField(
        label="Photo", help_text="A JPEG, PNG or WebP image. Location data is removed on upload.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    class Meta:
        model = YouthPhoto
        fields = ["image", "taken_on", "caption"]
        widgets = {"taken_on": DATE_WIDGET}


class StaffForm(ServiceValidatedModelForm):
    supervised_teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        help_text="For supervisors: the teams whose youth they see.",
    )
    password = forms.CharField(
        widget=forms.PasswordInput, required=False,
        help_text="At least 12 characters. Required for a new account.",
    )

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "phone", "role", "team", "is_active"]

    def __init__(self, *args, agency_id, **kwargs):
        super().__init__(*args, **kwargs)
        teams = Team.objects.filter(agency_id=agency_id)
        self.fields["team"].queryset = teams
        self.fields["supervised_teams"].queryset = teams
        self.fields["role"].required = True
        self.fields["role"].choices = [("", "Choose a role")] + list(Role.choices)
        self.fields["first_name"].required = True
        self.fields["last_name"].required = True
        if self.instance.pk:
            self.fields["supervised_teams"].initial = list(self.instance.supervised_teams.all())
            del self.fields["password"]
        else:
            self.fields["password"].required = True

    def service_fields(self):
        data = dict(self.cleaned_data)
        teams = list(data.pop("supervised_teams", []))
        return data, teams


class PasswordForm(forms.Form):
    password = forms.CharField(widget=forms.PasswordInput, help_text="At least 12 characters.")


class TeamForm(forms.Form):
    name = forms.CharField(max_length=120)
    supervisors = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, agency_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisors"].queryset = User.objects.filter(
            agency_id=agency_id, role=Role.SUPERVISOR, is_active=True
        )
