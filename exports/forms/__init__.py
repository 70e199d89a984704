"""The reports pages' forms, one module per page group (exports, dashboard). Import the module you need."""
