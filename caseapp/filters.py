"""The caseload's search and filters (django-filter), always over the user's scope."""

import datetime

import django_filters
from django import forms
from django.db.models import Q

from . import access
from .models import Placement, PlacementType, Youth, YouthStatus

DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m-%d-%Y")


def parse_date(text: str) -> datetime.date | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


class CaseloadFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search", method="search",
        widget=forms.TextInput(attrs={"placeholder": "Name, case number or date of birth"}),
    )
    status = django_filters.ChoiceFilter(choices=YouthStatus.choices, empty_label="Any status")
    team = django_filters.ModelChoiceFilter(queryset=None, empty_label="Any team")
    placement_type = django_filters.ChoiceFilter(
        label="Current placement", choices=PlacementType.choices, method="by_placement_type",
        empty_label="Any placement",
    )
    mine = django_filters.BooleanFilter(
        label="Only youth assigned to me", method="assigned_to_me", widget=forms.CheckboxInput
    )

    class Meta:
        model = Youth
        fields = ["q", "status", "team", "placement_type", "mine"]

    def __init__(self, data=None, *args, user, **kwargs):
        super().__init__(data, *args, queryset=access.youth_visible_to(user), **kwargs)
        self.user = user
        self.filters["team"].queryset = access.teams_visible_to(user)
        for field in self.form.fields.values():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "form-select"
        # The teams to show as a plain list, read once: the field's own iterator would count them and then read
        # them through a server-side cursor, two more round trips on every load for an agency's hundreds of
        # teams. Only what is shown: validation still looks the chosen team up in the queryset (the user's scope).
        team = self.form.fields["team"]
        team.widget.choices = [("", team.empty_label), *((t.pk, team.label_from_instance(t)) for t in team.queryset)]

    def search(self, queryset, name, value):
        """Every word somewhere in a name (legal first or last, preferred, aliases), or the case number's
        start in any case, or the date of birth.

        Each lookup is one PostgreSQL can answer from an index (docs/design.md#speed): `icontains` compares
        UPPER(column), the expression the trigram indexes (migration caseload_search_indexes) index, and
        `istartswith` on the case number uses its UPPER() prefix index; a case number matched in the middle
        (`%…%`) could use neither. SQLite runs the same lookups without those indexes.
        """
        value = value.strip()
        if not value:
            return queryset
        match = Q(case_number__istartswith=value)
        day = parse_date(value)
        if day:
            match |= Q(date_of_birth=day)
        name_match = Q()
        for word in value.split():
            name_match &= (
                Q(legal_first_name__icontains=word)
                | Q(legal_last_name__icontains=word)
                | Q(preferred_name__icontains=word)
                | Q(aliases__icontains=word)
            )
        return queryset.filter(match | name_match)

    def by_placement_type(self, queryset, name, value):
        if not value:
            return queryset
        # A subquery, not a join: no duplicate rows, so the list needs no DISTINCT.
        current = Placement.objects.filter(end_date__isnull=True, placement_type=value)
        return queryset.filter(pk__in=current.values("youth_id"))

    def assigned_to_me(self, queryset, name, value):
        if not value:
            return queryset
        assigned = Youth.assigned_caseworkers.through.objects.filter(user_id=self.user.pk)
        return queryset.filter(pk__in=assigned.values("youth_id"))
