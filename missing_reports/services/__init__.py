"""The verbs of a missing episode and its packets, one module per job: episodes (the run, its notices,
search, review, return and debrief) and submissions (a packet given to NCMEC or law enforcement). Views,
commands and tasks import the module they need; none re-implements a rule."""
