# Indicators, screenings and assessments arrive with issue 5.
