"""The verbs of exports: jobs (ask for one, run it, retry it, download it, the sweep). Views, tasks and
the dashboard import the module they need."""
