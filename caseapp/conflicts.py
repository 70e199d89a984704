"""Edit conflicts: what a form shows after someone else saved the record first.

Every edit form uses optimistic concurrency (a version number): a stale save raises EditConflict and
writes nothing. Offering the stale form back as it was would invite the user to save their stale
copy of every field, undoing the other person's change. Instead the page is rebuilt from a
three-way merge of

- the base: the values the user's form was built from. The form carries them itself, in one signed
  hidden field (`edit_base`, django.core.signing), so they cannot be edited into a silent overwrite;
- the user's entries, as posted;
- the record as saved now.

Per field: changed only by the user, their entry is kept; changed only by the other person, or by
nobody, the saved value is shown; changed by both to different values, the user must choose one of
the two (a required choice, never a silent default). The rebuilt form carries the current version,
so saving it again writes the user's own changes and nothing else.

Every state is compared as a browser posts it and each field cleans it, so "60" and a saved 60, or
a note with CRLF line ends and the same note saved with LF, are the same value. Hidden fields (the
version) always come from the saved record; file uploads cannot be carried over and are named in the
summary instead.

Views call `rebuild()` when the service raises EditConflict; forms inherit `ConflictMergeMixin`; pages
include `caseapp/_conflict.html` inside their <form>.
"""

import datetime
import itertools
from dataclasses import asdict, dataclass

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.datastructures import MultiValueDict
from django.utils.formats import date_format

from . import local_time

BASE_FIELD = "edit_base"
KEEP_PREFIX = "keep__"
MINE, SAVED = "mine", "saved"
SALT = "caseapp.conflicts"
EMPTY = "(empty)"


@dataclass
class Row:
    """One field of the summary. kind: "mine" (only the user changed it), "theirs" (only the other
    person), "same" (both, to the same value), "both" (both, differently: the user chooses) or
    "file" (an upload to attach again)."""

    name: str
    label: str
    kind: str
    base: str = ""
    mine: str = ""
    saved: str = ""
    by: str = ""  # "by Avery Lee at 12/06/2026 15:05 CST", or "by someone else"

    @property
    def sentence(self) -> str:
        if self.kind == "mine":
            if self.base == EMPTY:
                return f"You entered {self.label}: {self.mine}."
            return f"You changed {self.label} from {self.base} to {self.mine}."
        if self.kind == "theirs":
            return f"{self.label} was changed from {self.base} to {self.saved} {self.by}."
        if self.kind == "same":
            return f"You and the other person both changed {self.label} to {self.saved} ({self.by})."
        if self.kind == "file":
            return f"{self.label}: a file cannot be kept on this page. Attach it again before you save."
        if not self.base:  # the form came without its base: the page cannot tell who changed what
            return f"You entered {self.mine} for {self.label}; the saved value is {self.saved}, saved {self.by}."
        return (
            f"{self.label} was {self.base} when you opened the form. You entered {self.mine}; meanwhile it "
            f"was changed to {self.saved} {self.by}."
        )


@dataclass
class Conflict:
    """What the page shows above the rebuilt form."""

    rows: list
    notes: list  # sentences about the other person's save that are not about one field
    chosen: dict  # field name -> MINE / SAVED / "" as posted
    errors: set  # fields whose choice is missing after a save attempt

    @property
    def mine(self):
        return [r for r in self.rows if r.kind in ("mine", "file")]

    @property
    def theirs(self):
        return [r for r in self.rows if r.kind in ("theirs", "same")]

    @property
    def choices(self):
        return [
            {"row": r, "input": KEEP_PREFIX + r.name, "chosen": self.chosen.get(r.name, ""),
             "missing": r.name in self.errors}
            for r in self.rows if r.kind == "both"
        ]


# --- Values as a browser posts them ------------------------------------------------------------------


def _merged_fields(form):
    """The fields the merge is about: not the hidden ones (the version comes from the saved record)."""
    return [
        name for name, field in form.fields.items()
        if name != BASE_FIELD and not field.widget.is_hidden and not isinstance(field, forms.FileField)
    ]


def _posted(bound_field) -> list:
    """The value of a field as a browser would post it from the rendered form: a list of strings."""
    widget = bound_field.field.widget
    value = bound_field.value()
    if isinstance(widget, forms.CheckboxInput):
        return ["on"] if widget.check_test(value) else []
    formatted = widget.format_value(value)
    if isinstance(formatted, (list, tuple)):
        values = [str(v) for v in formatted]
        return values if getattr(widget, "allow_multiple_selected", False) else values[:1] or [""]
    return ["" if formatted is None else str(formatted)]


def form_values(form) -> dict:
    """{field name: [posted strings]} of an unbound form as rendered, or of a bound form as posted."""
    if form.is_bound:
        return {name: form.data.getlist(form.add_prefix(name)) if hasattr(form.data, "getlist")
                else _as_list(form.data.get(form.add_prefix(name))) for name in _merged_fields(form)}
    return {name: _posted(form[name]) for name in _merged_fields(form)}


def _as_list(value):
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]


def _raw(form, name, values):
    """The posted `values` as the field's widget reads them from a request."""
    key = form.add_prefix(name)
    return form.fields[name].widget.value_from_datadict(MultiValueDict({key: list(values)}), MultiValueDict(), key)


def _cleaned(form, name, values):
    raw = _raw(form, name, values)
    try:
        return form.fields[name].clean(raw), True
    except ValidationError:
        return raw, False


def _key(value):
    """A value reduced so that equal entries compare equal, however they were typed or saved."""
    if isinstance(value, models.Model):
        return ("pk", value.pk)
    if isinstance(value, (models.QuerySet, list, tuple, set)):
        value = tuple(sorted(str(_key(v)) for v in value))
    elif isinstance(value, str):
        value = value.replace("\r\n", "\n").strip()
    elif isinstance(value, datetime.datetime):
        value = value.replace(second=0, microsecond=0)
    if value is None or value == "" or value == ():
        return None
    return value


def _text(form, name, values) -> str:
    """A value as the page shows it: choice labels, local dates and times, Yes/No."""
    field = form.fields[name]
    value, ok = _cleaned(form, name, values)
    if isinstance(value, models.QuerySet):
        value = list(value)
    if not ok:
        value = [v for v in values if v]
        value = value if len(value) != 1 else value[0]
    if value is None or value == "" or value == [] or value == ():
        return EMPTY if not isinstance(field.widget, forms.CheckboxInput) else "No"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        return local_time.short_time(value)
    if isinstance(value, datetime.date):
        return date_format(value, "m/d/Y")
    many = value if isinstance(value, (list, tuple)) else [value]
    labels = _choice_labels(field)
    shown = []
    for item in many:
        if isinstance(item, models.Model):
            label_of = getattr(field, "label_from_instance", str)
            shown.append(str(label_of(item)))
        else:
            shown.append(str(labels.get(str(item), item)))
    return ", ".join(sorted(shown) if len(shown) > 1 else shown)


def _choice_labels(field) -> dict:
    if isinstance(field, forms.ModelChoiceField):
        return {}
    labels = {}
    for value, label in getattr(field, "choices", ()) or ():
        if isinstance(label, (list, tuple)):  # an option group
            labels.update({str(v): str(lbl) for v, lbl in label})
        else:
            labels[str(value)] = str(label)
    return labels


def _label(form, name) -> str:
    label = form.fields[name].label or form[name].label
    return str(label).rstrip(":")


# --- The signed base ----------------------------------------------------------------------------------


def _sign(payload: dict, form) -> str:
    return signing.dumps(payload, salt=f"{SALT}:{type(form).__name__}", compress=True)


def read_state(form) -> dict:
    """The signed state the form carries: {"base": {...}, "rows": [...], "choose": {...}}; {} if none
    or tampered with (then every field the user's entry and the saved record disagree on is a choice)."""
    token = form.data.get(form.add_prefix(BASE_FIELD)) if form.is_bound else form.initial.get(BASE_FIELD)
    if callable(token):
        return {}  # a form as first opened: its base only matters once it is posted back
    if not token:
        return {}
    try:
        state = signing.loads(token, salt=f"{SALT}:{type(form).__name__}")
    except signing.BadSignature:
        return {}
    return state if isinstance(state, dict) else {}


class ConflictMergeMixin:
    """For every form that edits a versioned record: carries the base, and the choices after a conflict."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[BASE_FIELD] = forms.CharField(widget=forms.HiddenInput, required=False)
        if not self.is_bound and BASE_FIELD not in self.initial:
            # Computed when the form is rendered, once every field (some are added later) is there.
            version = getattr(getattr(self, "instance", None), "version", None)
            self.initial[BASE_FIELD] = lambda: _sign({"base": form_values(self), "version": version}, self)

    def _apply_choices(self):
        """Where the user chose the saved value, that value is what the form validates and saves."""
        choose = read_state(self).get("choose", {})
        data = None
        for name, saved in choose.items():
            if name in self.fields and self.data.get(KEEP_PREFIX + name) == SAVED:
                data = data if data is not None else self.data.copy()
                data.setlist(self.add_prefix(name), list(saved))
        if data is not None:
            self.data = data

    def full_clean(self):
        if self.is_bound:
            self._apply_choices()
        super().full_clean()
        if not self.is_bound:
            return
        # The base is the merge's, not the record's: services never see it.
        getattr(self, "cleaned_data", {}).pop(BASE_FIELD, None)
        for name in read_state(self).get("choose", {}):
            if name in self.fields and self.data.get(KEEP_PREFIX + name) not in (MINE, SAVED):
                self.add_error(
                    name, f"You and someone else both changed {_label(self, name)}: choose which value to keep."
                )

    @property
    def edit_conflict(self):
        """The conflict summary while the user resolves it (after a conflict, and on each re-post), else None."""
        state = read_state(self)
        if "rows" not in state:
            return None
        choose = state.get("choose", {})
        chosen = {name: self.data.get(KEEP_PREFIX + name, "") for name in choose} if self.is_bound else {}
        errors = {name for name in choose if self.is_bound and chosen.get(name) not in (MINE, SAVED)}
        return Conflict([Row(**row) for row in state["rows"]], state.get("notes", []), chosen, errors)


# --- The merge -----------------------------------------------------------------------------------------


def rebuild(stale, make_form, *, current=None, changed_by=None, notes=()):
    """The form to show after EditConflict: the saved record with the user's own changes on top.

    stale: the user's bound form that hit the conflict. make_form(initial) builds an unbound form of
    the same class on the saved record (carrying its current version). current: the saved record,
    whose django-simple-history rows say who changed each field; or changed_by=(user, when) for all.
    notes: sentences about the other save that are not about one field.
    """
    saved_form = make_form({})
    state = read_state(stale)
    base = state.get("base")
    mine = form_values(stale)
    saved = form_values(saved_form)
    loaded = state.get("version") or getattr(stale, "cleaned_data", {}).get("version")
    who = _attribution(current, loaded, changed_by)

    rows, merged, choose = [], {}, {}
    for name in _merged_fields(saved_form):
        if name not in stale.fields:
            continue
        mine_values, saved_values = mine.get(name, []), saved.get(name, [])
        base_values = base.get(name) if base is not None and name in base else None
        mine_key = _key(_cleaned(stale, name, mine_values)[0])
        saved_key = _key(_cleaned(saved_form, name, saved_values)[0])
        base_key = _key(_cleaned(saved_form, name, base_values)[0]) if base_values is not None else None
        known = base_values is not None
        mine_changed = mine_key != base_key if known else mine_key != saved_key
        saved_changed = saved_key != base_key if known else mine_key != saved_key
        merged[name] = list(saved_values)
        if not mine_changed and not saved_changed:
            continue
        row = Row(
            name, _label(saved_form, name), "",
            base=_text(saved_form, name, base_values) if known else "",
            mine=_text(stale, name, mine_values), saved=_text(saved_form, name, saved_values), by=who(name),
        )
        if mine_changed and not saved_changed:
            row.kind, merged[name] = "mine", list(mine_values)
        elif saved_changed and not mine_changed:
            row.kind = "theirs"
        elif mine_key == saved_key:
            row.kind = "same"
        else:
            row.kind, merged[name] = "both", list(mine_values)
            choose[name] = list(saved_values)
        rows.append(row)
    for name, field in stale.fields.items():
        if isinstance(field, forms.FileField) and stale.files.get(stale.add_prefix(name)):
            rows.append(Row(name, _label(stale, name), "file"))

    if not notes and not any(r.kind in ("theirs", "same", "both") for r in rows):
        # The other save changed nothing this form shows (e.g. a field of another page).
        notes = [f"It was saved again {who('')}; the form below shows it as it is now."]
    token = _sign(
        {"base": saved, "version": getattr(current, "version", None), "choose": choose,
         "rows": [asdict(r) for r in rows], "notes": list(notes)},
        saved_form,
    )
    initial = {name: values if _is_multiple(saved_form, name) else (values[0] if values else None)
               for name, values in merged.items()}
    for name, values in merged.items():
        if values == saved.get(name):
            # The saved value itself, not its rendering: a date-time keeps its exact instant (the
            # agency-local field's twin), so saving again does not move it to the minute.
            initial[name] = saved_form[name].value()
    for name, field in saved_form.fields.items():
        if field.widget.is_hidden and name != BASE_FIELD:
            initial[name] = saved_form[name].value()
    initial[BASE_FIELD] = token
    return make_form(initial)


def _is_multiple(form, name):
    return getattr(form.fields[name].widget, "allow_multiple_selected", False)


# --- Who changed it ---------------------------------------------------------------------------------------


def _person(user) -> str:
    if user is None:
        return "someone else"
    return user.get_full_name() or user.get_username()


def describe(user, when) -> str:
    """ "by Avery Lee at 12/06/2026 15:05 CST", in the active (agency) time zone."""
    at = f" at {local_time.short_time(when)}" if when else ""
    return f"by {_person(user)}{at}"


def _attribution(current, base_version, changed_by):
    """field name -> "by whom at when", from the record's history since the version the user loaded."""
    if changed_by is not None:
        text = describe(*changed_by)
        return lambda name: text
    history = getattr(type(current), "history", None) if current is not None else None
    if history is None or base_version is None or not hasattr(current, "version"):
        return lambda name: "by someone else"
    records = list(
        history.filter(**{current._meta.pk.attname: current.pk}, version__gte=base_version)
        .select_related("history_user").order_by("history_date", "history_id")
    )
    by_field = {}
    for older, newer in itertools.pairwise(records):
        for change in newer.diff_against(older).changes:
            by_field[change.field] = describe(newer.history_user, newer.history_date)
    later = records[1:]
    people = {r.history_user_id for r in later}
    fallback = describe(later[-1].history_user, later[-1].history_date) if len(people) == 1 else "by someone else"
    return lambda name: by_field.get(name, fallback)
