"""A youth's pattern of missing episodes (docs/design.md#pattern-timeline): when they left, for how long, where they
were found, what they named in their return interviews, their placements and their risk bands, on one time axis.

- `words.py`: pure rules, no database: the hour band and weekday of leaving in the agency's zone, the median time
  away, the places found more than once, and the sentences that say so;
- `facts.py`: the reads (through each app's selectors, scoped by caseapp.access) and the rows of the tables;
- `chart.py`: the SVG charts (exports/charts.py) built from those rows, so a chart and its table hold the same facts.
"""
