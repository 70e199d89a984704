"""The verbs of the core records. Views, commands and tasks call these; none re-implements a rule."""
