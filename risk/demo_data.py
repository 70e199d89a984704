"""The synthetic risk data of the demo agency (risk/demo.py records it through the services): which
youth, their observations and one external screen. Everything is made up
(docs/design.md#rule-synthetic-data)."""

AGENCY_CODE = "alder"
TEAM_NAME = "North Team"
CASEWORKER = "caseworker"

# Per youth (in case-number order, Jordan Testperson left out for the browser tests): (indicator, days
# ago, source, evidence, note). The first youth gets a weight-5 control sign (Urgent: same-day review),
# the second an Elevated mix with reported needs, the third a High mix of strong signals.
OBSERVATIONS = (
    (
        ("C7.1", 3, "caregiver", "verified", "Foster parent saw an older acquaintance keep the youth's phone."),
        ("C2.1", 4, "youth", "reported", "Said they often skip meals at school; asked for snacks for later."),
    ),
    (
        ("C1.7", 12, "collateral", "verified", "School counselor: stays some nights with adults we do not know."),
        ("C2.2", 20, "document", "reported", "Two nights in the office waiting for a placement last month."),
        ("C3.2", 30, "document", "verified", "Placed in a group home since the summer."),
        ("C5.2", 6, "youth", "reported", "Mentioned an online friend who offers rides and gifts."),
    ),
    (
        ("C1.1", 9, "caregiver", "verified", "Picked up after school by an adult partner who buys gifts."),
        ("C1.8", 9, "observation", "verified", "Had a prepaid card and a second phone; did not say where from."),
        ("C5.3", 15, "document", "verified", "Payment-app transfers from senders the youth could not name."),
        ("C6.5", 16, "observation", "verified", "Exhausted and hungry after a night away."),
    ),
)
EXTERNAL_SCREEN = {"tool": "sscst", "result_category": "Possible concern: follow-up screen advised", "days_ago": 5}
