"""What exports shows on caseapp's pages (caseapp/registry.py; registered in apps.py), from this app's readers,
scoped to the user."""

from .pattern import facts


def youth_pattern_context(user, youth) -> dict:
    """The youth page's few sentences of the youth's pattern of missing episodes, linking to the timeline
    (exports/views/pattern.py). One query, whatever the number of episodes."""
    return {"pattern_summary": facts.youth_summary(user, youth)}
