"""Episode register: every missing episode that overlaps the period, one row each.

An episode overlaps the period [start, end) when the youth was last seen before the end and either
returned on or after the start or has not returned yet. One query whatever the row count: the placement
at the time and the youth's team come through joins; the first interview's factors, the latest interview's
screening answer, whether the return was screened (risk/screened.py) and the youth's risk band at the
return (or, for an open episode, at the moment the export started) are subquery annotations.

Minimum necessary: the agency case number identifies the youth, never the name; nothing restricted.
"""

import json

from django.db.models import OuterRef, Q, Subquery, TextField, Value
from django.db.models.functions import Cast, Coalesce

from caseapp import access
from caseapp.models import PlacementType
from missing_reports.models import (
    Debrief,
    EpisodeCategory,
    EpisodeStatus,
    FoundLocationType,
    HowLocated,
    MissingEpisode,
    PrimaryFactor,
    ScreeningDone,
)
from risk import screened as screened_rule
from risk.models import Band, RiskSnapshot

from .base import CHUNK_SIZE, YOUTH_COLUMNS, Column, Report, register, stream

# The interviewer's answer, shown as their account; "Screened" is risk/screened.py's definition, not this.
SCREENING_AT_RETURN = {
    ScreeningDone.YES: "Yes",
    ScreeningDone.NO: "No",
    ScreeningDone.DECLINED: "Declined by the youth",
    ScreeningDone.NOT_POSSIBLE: "Not possible",
}
NO_DEBRIEF = "No return interview recorded"
NOT_ASSESSED = "Not assessed"
FACTORS_FIELD = "debriefs__primary_factors"
FACTORS_JSON = "primary_factors_json"
ANSWER_FIELD = "debriefs__trafficking_screening_done"
ANSWER = "latest_screening_answer"
FACTOR_TEXTS_KEPT = 4096


def _labels(choices):
    return {value: str(label) for value, label in choices.choices}


@register
class EpisodeRegister(Report):
    key = "episode-register"
    title = "Episode register"
    description = (
        "Every missing episode that overlaps the period: dates and duration, the placement and its type at the "
        "time, category, where and how the youth was found, the primary factors from the return interview, "
        "whether the return was screened, and the youth's risk band at the return. " + screened_rule.DEFINITION
    )
    columns = (
        Column("Episode ID", 10),
        *YOUTH_COLUMNS,
        Column("Status", 10),
        Column("Last seen at", 17),
        Column("Agency learned at", 17),
        Column("Returned at", 17),
        Column("Duration (hours)", 10),
        Column("Placement type at the time", 24),
        Column("Placement (provider)", 24),
        Column("Category", 24),
        Column("Where found", 22),
        Column("How located", 20),
        Column("Primary factors", 40),
        Column("Screening answer at the latest return interview (the interviewer's account)", 18),
        Column("Screened (a structured screening recorded for the return)", 14),
        Column("Risk band at the return (at the export if still missing)", 16),
    )
    source_fields = (
        "id",
        "youth__case_number",
        "youth__team__name",
        "status",
        "last_seen_at",
        "agency_learned_at",
        "returned_at",
        "placement__placement_type",
        "placement__provider_name",
        "category",
        "found_location_type",
        "how_located",
        FACTORS_FIELD,
        ANSWER_FIELD,
    )

    def episodes(self, query):
        """The episodes of the requester's scope in this agency that overlap the period, filtered."""
        start, end = query.period_bounds()
        filters = query.filters
        episodes = MissingEpisode.objects.filter(
            youth__agency_id=query.agency.pk,
            youth__in=access.youth_visible_to(query.user),
            last_seen_at__lt=end,
        ).filter(Q(returned_at__gte=start) | Q(returned_at__isnull=True))
        return episodes.filter(filters.q())

    def count(self, query) -> int:
        return self.episodes(query).count()

    def values(self, query):
        """The one query of `rows`: the scoped episodes with their joins and subqueries, as value tuples
        (the source fields, then whether a structured risk screening exists and the band at the return)."""
        band_then = Subquery(
            RiskSnapshot.objects.filter(
                youth_id=OuterRef("youth_id"),
                computed_at__lte=Coalesce(OuterRef("returned_at"), Value(query.as_of)),
            )
            .order_by("-computed_at", "-id")
            .values("band")[:1]
        )
        # One row an episode whatever its interviews: the first interview's factors, the latest one's answer.
        interviews = Debrief.objects.filter(episode_id=OuterRef("pk"))
        # The primary factors as the JSON text stored (rows() reads each distinct text once), not decoded
        # by the JSON field for every row.
        factors_json = Subquery(
            interviews.order_by("interview_at", "id").annotate(text=Cast("primary_factors", TextField())).values(
                "text"
            )[:1]
        )
        answer = Subquery(interviews.order_by("-interview_at", "-id").values("trafficking_screening_done")[:1])
        renamed = {FACTORS_FIELD: FACTORS_JSON, ANSWER_FIELD: ANSWER}
        fields = [renamed.get(field, field) for field in self.source_fields]
        return (
            self.episodes(query)
            .annotate(
                band_then=band_then,
                risk_screened=screened_rule.screened(),
                **{FACTORS_JSON: factors_json, ANSWER: answer},
            )
            .order_by("last_seen_at", "pk")
            .values_list(*fields, "risk_screened", "band_then")
        )

    def rows(self, query):
        values = self.values(query)
        placement_types = _labels(PlacementType)
        categories = _labels(EpisodeCategory)
        found = _labels(FoundLocationType)
        located = _labels(HowLocated)
        factors = _labels(PrimaryFactor)
        bands = _labels(Band)
        statuses = _labels(EpisodeStatus)
        factor_texts = {}  # JSON text of the factors -> their labels; bounded, the combinations are few

        def factor_text(stored):
            try:
                primary_factors = json.loads(stored)
            except json.JSONDecodeError:  # as the JSON field reads it
                primary_factors = stored
            return "; ".join(factors.get(value, str(value)) for value in primary_factors or ())

        for (
            pk,
            case_number,
            team,
            status,
            last_seen_at,
            learned_at,
            returned_at,
            placement_type,
            provider,
            category,
            found_type,
            how_located,
            primary_factors,
            screening_done,
            risk_screened,
            band,
        ) in stream(values, CHUNK_SIZE):
            if returned_at is None:
                hours, screening = None, ""
            else:
                hours = round((returned_at - last_seen_at).total_seconds() / 3600, 1)
                screening = SCREENING_AT_RETURN.get(screening_done, NO_DEBRIEF) if screening_done else NO_DEBRIEF
            if primary_factors is None:
                factors_done = ""
            else:
                factors_done = factor_texts.get(primary_factors)
                if factors_done is None:
                    if len(factor_texts) >= FACTOR_TEXTS_KEPT:
                        factor_texts.clear()
                    factors_done = factor_texts[primary_factors] = factor_text(primary_factors)
            yield (
                pk,
                case_number,
                team,
                statuses.get(status, status),
                last_seen_at,
                learned_at,
                returned_at,
                hours,
                placement_types.get(placement_type, placement_type or ""),
                provider or "",
                categories.get(category, category),
                found.get(found_type, found_type or ""),
                located.get(how_located, how_located or ""),
                factors_done,
                screening,
                bool(risk_screened),
                bands.get(band, NOT_ASSESSED) if band else NOT_ASSESSED,
            )
