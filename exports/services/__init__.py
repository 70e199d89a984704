"""The verbs of exports: jobs (ask for one, run it, retry it, download it, the sweep) and dashboard (count the
reports dashboard's figures off the request and keep them). Views, tasks and the dashboard import the module they
need."""
