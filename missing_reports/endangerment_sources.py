"""The endangerment contributors: what apps above missing_reports know about a youth's danger.

missing_reports never imports risk (docs/design.md#dependencies). risk registers a contributor from
its AppConfig.ready(), as the apps above caseapp register with caseapp/registry.py; a contributor is a
function `youth -> [(code, reason), ...]` of missing_reports.models.Endangerment codes, each reason in
words and without a restricted field. `contributions(youth)` asks them all, in registration order,
for missing_reports.selectors.endangerment_facts.
"""

from collections.abc import Callable

Contributor = Callable[..., list[tuple[str, str]]]

_contributors: list[Contributor] = []


def register_contributor(contributor: Contributor) -> None:
    if contributor not in _contributors:  # ready() may run twice in a test process: once is enough
        _contributors.append(contributor)


def contributions(youth) -> tuple[tuple[str, str], ...]:
    found = []
    for contributor in _contributors:
        found.extend((str(code), str(reason)) for code, reason in contributor(youth))
    return tuple(found)
