"""The risk pages' forms, one module per page group (review, scoring, youth). Import the module you need."""
