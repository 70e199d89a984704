"""The verbs of the risk module, one module per job: observations (observations and screenings, which
queue a reassessment), decisions (a supervisor's decision and the identified-victim report),
corrections (an identification withdrawn as recorded in error) and scoring (the agency's weights).
Views, commands and tasks import the module they need."""
