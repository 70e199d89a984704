"""The risk pages' forms, one module per page group (corrections, review, scoring, youth). Import the
module you need."""
