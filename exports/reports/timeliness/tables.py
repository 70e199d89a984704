"""The report's PDF summary: the figures (figures.py) as the tables the export's PDF draws."""

from missing_reports import deadlines

from ..base import ReportQuery, SummaryTable
from .figures import (
    LE_ON_TIME,
    MEASURES,
    NCIC_CONFIRMED,
    NCMEC_ON_TIME,
    RETURN_INTERVIEW,
    SEX_LABELS,
    TRAFFICKING_SCREEN,
    VICTIM_REPORT_ON_TIME,
    Figures,
    Group,
    hours_text,
    notification_delays,
    summary,
)

SHORT_LABELS = {
    LE_ON_TIME: "To law enforcement by the deadline",
    NCMEC_ON_TIME: "To NCMEC by the deadline",
    NCIC_CONFIRMED: "NCIC entry confirmed",
    RETURN_INTERVIEW: "Returns with a return interview",
    TRAFFICKING_SCREEN: "Returns with a trafficking screening",
    VICTIM_REPORT_ON_TIME: "Identified victims to law enforcement by the deadline",
}
MEDIAN_LABEL = "Median hours from return to interview"


def _group_rows(groups: list[Group]) -> list[tuple[str, ...]]:
    rows = []
    for group in groups:
        rows.append(_figure_row(group.label, "All", group.figures))
        for sex, figures in group.by_sex.items():
            if not figures.is_empty:
                rows.append(_figure_row("", SEX_LABELS[sex], figures))
    return rows


def _figure_row(label, sex, figures: Figures) -> tuple[str, ...]:
    return (
        label,
        sex,
        str(figures.episodes),
        *(str(figures.rates[measure.key]) for measure in MEASURES),
        figures.median_text,
    )


def summary_tables(query: ReportQuery) -> list[SummaryTable]:
    """The summary as the PDF shows it: overall, by team, by month (each split by sex), and the delays."""
    figures = summary(query)
    delays = notification_delays(query)
    header = ("", "Sex", "Episodes", *(SHORT_LABELS[m.key] for m in MEASURES), MEDIAN_LABEL)
    definitions = " ".join(f"{m.label}: of the {m.denominator}." for m in MEASURES)
    note = (
        'Each cell: the rate, then how many of how many (the denominator). "n/a": nothing to count. '
        + definitions
        + " Episodes count in the month the agency learned of them; identified-victim reports in the month the "
        "information was received. A notice done exactly at its due time is on time. Team and sex: the youth's."
    )
    not_yet_due = figures["all"].figures.clocks_not_yet_due
    overall_note = note + (
        f" {not_yet_due} reports to law enforcement or NCMEC were not yet due when this was made and are not counted."
        if not_yet_due
        else ""
    )
    law_enforcement, ncmec = delays[deadlines.LAW_ENFORCEMENT], delays[deadlines.NCMEC]
    delay_rows = [
        (bucket.label, str(le_bucket.count), str(bucket.count))
        for le_bucket, bucket in zip(law_enforcement.buckets, ncmec.buckets, strict=True)
    ]
    delay_rows.append(("Not done, past due", str(law_enforcement.not_done_past_due), str(ncmec.not_done_past_due)))
    delay_rows.append(("Not yet due", str(law_enforcement.not_yet_due), str(ncmec.not_yet_due)))
    deadline_words = "; ".join(
        f"{d.label}: {', '.join(hours_text(h) for h in d.deadlines)} h" for d in (law_enforcement, ncmec) if d.deadlines
    )
    return [
        SummaryTable("All episodes in the period", header, _group_rows([figures["all"]]), overall_note),
        SummaryTable("By team", ("Team", *header[1:]), _group_rows(figures["by_team"]), ""),
        SummaryTable("By month", ("Month", *header[1:]), _group_rows(figures["by_month"]), ""),
        SummaryTable(
            "Hours from learning of the episode to the report",
            ("Hours after the agency learned", law_enforcement.label, ncmec.label),
            delay_rows,
            "A bucket includes its upper bound (a report made exactly at 24 h is in 12 to 24 h). Deadlines in "
            f"force: {deadline_words or 'none in the period'}.",
        ),
    ]
