"""The reports pages, one module per page group: exports (ask for a report, the jobs, the download) and
dashboard. Import the module you need."""
