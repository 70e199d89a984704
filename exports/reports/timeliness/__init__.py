"""Timeliness compliance: every required notice of the period's episodes and every
identified-victim report to law enforcement, each with its clock; and the summary rates the federal
audits used (docs/duties.md#compliance-audits).

Which records are in the period:
- an episode when the agency *learned* of it in the period (`agency_learned_at` in [start, end), the
  agency's midnights). That is when its 24-hour clocks start, and the OIG audits sampled episodes by
  when they began. All of that episode's clocks belong to it, the return clocks too (recovery notices,
  the return interview, a state's court and parent notices), whenever the return happened: an episode
  is counted once, in the month the agency learned of it.
- an identified-victim report when the agency *received the information* in the period
  (`ReviewDecision.information_received_at`, which starts that clock: §471(a)(34)(A)); its month is
  that one. The placement-type filter reads the youth's placement on that day (agency's zone).
Both are scoped by the requester (caseapp.access) and the agency, and filtered by team and placement
type (the episode's placement at the time).

A clock's status, as of the moment the export started (`query.as_of`), is missing_reports.clock_state's: on
time when done at or before its due time (done_at == due_at is on time), late when done after it, "not
done, past due" when not done and its due time has passed, and "not yet due" otherwise. Late by: whole
minutes, rounded up (one second late shows as 1), 0 when on time; for a notice not done and past due, the
minutes overdue so far.

The rates (`summary`), each with its numerator and denominator, and "n/a" when the denominator is 0:
- to law enforcement / to NCMEC by the deadline: of the episodes' missing-report clocks that are done
  or past due (a clock not yet due is neither on time nor late yet), those done by their due time;
- NCIC entry confirmed: of the reports to law enforcement made, those with an NCIC confirmation;
- returns with a return interview: of the period's episodes that have returned, those with a debrief;
- returns with a trafficking screening: of the same returns, those screened by risk/screened.py's one
  definition: a structured screening (risk.Screening) recorded for the episode, not declined by the youth;
  the debrief's answer does not count;
- identified victims reported to law enforcement by the deadline: of those clocks done or past due,
  those done by their due time;
- median hours from the return to the return interview, over the returns that have one.
Each by team, by month and overall, and each of those split by the youth's sex. `notification_delays`
gives the hours from learning of an episode to the law-enforcement and NCMEC reports, for the
dashboard's distribution against the deadline. Both run a fixed number of aggregate queries, whatever
the number of episodes: this module is the one place these figures are computed (the dashboard and the
PDF read them here).

Minimum necessary: the case number identifies the youth; the reference numbers themselves are not
exported, only whether one was recorded; the summary holds counts only.

The report by seam: period.py (what is in the period), rows.py (the detail rows, the clock statuses
and the report's registration), figures.py (the rates and the hours to notify), tables.py (the PDF's
summary tables). This file re-exports nothing, so a name has one import path: import the module.
"""
