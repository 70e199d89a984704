"""The tables the synthetic demo data is drawn from (caseapp/demo.py draws it): the two demo agencies
and their staff, and small built-in lists of common given names, surnames, places, streets,
descriptions and needs. Everything here is made up (docs/design.md#rule-synthetic-data); phone numbers
are made in the fictional 555-01xx range and SSNs start with 000 (demo.py).

Changing a table changes the youth every seed draws: tests/caseapp/test_seed_demo.py pins them.
"""

from dataclasses import dataclass

from .models import Complexion, PlacementEndReason, Role

# The youth browser tests search for; always case A-000001 in agency A's North Team.
TEST_YOUTH_FIRST_NAME = "Jordan"
TEST_YOUTH_LAST_NAME = "Testperson"


@dataclass(frozen=True)
class AgencySpec:
    code: str
    name: str
    state: str
    time_zone: str
    case_prefix: str
    teams: tuple[str, ...]
    county: str
    area_code: str
    cities: tuple[str, ...]
    postal_prefix: str


@dataclass(frozen=True)
class StaffSpec:
    username: str
    first_name: str
    last_name: str
    role: str
    agency: str  # agency code
    team: str = ""  # the caseworker's team
    supervises: tuple[str, ...] = ()


AGENCY_A = AgencySpec(
    code="alder",
    name="Alder County Children's Services",
    state="KS",
    time_zone="America/Chicago",
    case_prefix="A",
    teams=("North Team", "South Team"),
    county="Alder",
    area_code="316",
    cities=("Alder Springs", "Northfield", "Millbrook", "Cedar Bluff", "Prairie View"),
    postal_prefix="670",
)
AGENCY_B = AgencySpec(
    code="birch",
    name="Birch County Family Services",
    state="KY",
    time_zone="America/New_York",
    case_prefix="B",
    teams=("Central Team",),
    county="Birch",
    area_code="859",
    cities=("Birchton", "Clearwater", "Fairview", "Oak Hollow"),
    postal_prefix="405",
)
AGENCIES = (AGENCY_A, AGENCY_B)
# Share of the youth in agency A; the rest are in agency B.
AGENCY_A_SHARE = 0.7

STAFF = (
    StaffSpec("caseworker", "Casey", "Morgan", Role.CASEWORKER, "alder", team="North Team"),
    StaffSpec("caseworker2", "Riley", "Bennett", Role.CASEWORKER, "alder", team="South Team"),
    StaffSpec("supervisor", "Dana", "Whitfield", Role.SUPERVISOR, "alder", supervises=("North Team",)),
    StaffSpec("agencystaff", "Avery", "Lindqvist", Role.AGENCY_STAFF, "alder"),
    StaffSpec("agencyadmin", "Jamie", "Okafor", Role.AGENCY_ADMIN, "alder"),
    StaffSpec("birch.caseworker", "Taylor", "Brooks", Role.CASEWORKER, "birch", team="Central Team"),
    StaffSpec("birch.supervisor", "Morgan", "Ellis", Role.SUPERVISOR, "birch", supervises=("Central Team",)),
    StaffSpec("birch.admin", "Quinn", "Harper", Role.AGENCY_ADMIN, "birch"),
)

# Common given names and surnames only; together they name nobody in particular.
FEMALE_NAMES = (
    "Abigail", "Aaliyah", "Alyssa", "Amelia", "Ana", "Aubrey", "Ava", "Brianna", "Camila", "Chloe",
    "Destiny", "Elizabeth", "Emily", "Emma", "Evelyn", "Gabriella", "Grace", "Hailey", "Hannah",
    "Isabella", "Jasmine", "Kayla", "Katherine", "Layla", "Leah", "Lily", "Madison", "Maria", "Mia",
    "Natalie", "Nevaeh", "Olivia", "Paige", "Samantha", "Savannah", "Sophia", "Victoria", "Zoe",
)
MALE_NAMES = (
    "Aiden", "Alexander", "Andrew", "Anthony", "Benjamin", "Brandon", "Caleb", "Carlos", "Christopher",
    "Daniel", "David", "Dylan", "Elijah", "Ethan", "Gabriel", "Isaiah", "Jacob", "James", "Jayden",
    "Jonathan", "Jose", "Joshua", "Justin", "Kevin", "Liam", "Logan", "Lucas", "Luis", "Mason",
    "Matthew", "Michael", "Nathan", "Nicholas", "Noah", "Ryan", "Samuel", "Tyler", "William",
)
NEUTRAL_NAMES = (
    "Alex", "Avery", "Cameron", "Casey", "Charlie", "Dakota", "Emerson", "Jamie", "Jordan", "Kendall",
    "Morgan", "Peyton", "Quinn", "Reese", "Riley", "Rowan", "Sage", "Skyler", "Taylor",
)
SURNAMES = (
    "Adams", "Allen", "Anderson", "Bailey", "Baker", "Brooks", "Brown", "Campbell", "Carter", "Clark",
    "Collins", "Cook", "Cooper", "Cruz", "Davis", "Diaz", "Edwards", "Evans", "Flores", "Garcia",
    "Gomez", "Gonzalez", "Gray", "Green", "Hall", "Harris", "Hernandez", "Hill", "Howard", "Hughes",
    "Jackson", "James", "Johnson", "Jones", "Kelly", "King", "Lee", "Lewis", "Lopez", "Martin",
    "Martinez", "Miller", "Mitchell", "Moore", "Morales", "Morris", "Murphy", "Nelson", "Nguyen",
    "Ortiz", "Parker", "Perez", "Peterson", "Phillips", "Price", "Ramirez", "Reed", "Reyes",
    "Richardson", "Rivera", "Roberts", "Robinson", "Rodriguez", "Rogers", "Sanchez", "Scott", "Smith",
    "Stewart", "Sullivan", "Taylor", "Thomas", "Thompson", "Torres", "Turner", "Walker", "Ward",
    "Watson", "White", "Williams", "Wilson", "Wood", "Wright", "Young",
)
NICKNAMES = {
    "Abigail": "Abby", "Alexander": "Alex", "Benjamin": "Ben", "Christopher": "Chris", "Daniel": "Danny",
    "Elizabeth": "Liz", "Gabriella": "Gabby", "Isabella": "Bella", "Jacob": "Jake", "Jonathan": "Jon",
    "Katherine": "Kate", "Madison": "Maddie", "Matthew": "Matt", "Michael": "Mike", "Nicholas": "Nick",
    "Samantha": "Sam", "Samuel": "Sam", "Victoria": "Tori", "William": "Will",
}
PLACE_WORDS = (
    "Aspen", "Cedar", "Cottonwood", "Hawthorn", "Hillcrest", "Juniper", "Linden", "Magnolia", "Maple",
    "Meadowbrook", "Prairie", "Riverbend", "Stonegate", "Sycamore", "Willow",
)
STREETS = (
    "Oak St", "Pine St", "Elm St", "Walnut Ave", "Chestnut Dr", "Hickory Ln", "Main St", "Park Ave",
    "Lake Rd", "Hill St", "Mill Rd", "Church St", "Spring St", "Ridge Rd", "Sunset Blvd", "College Ave",
)
# (relation, pool of given names for the caregiver)
RELATIONS = (
    ("grandmother", "female"), ("grandfather", "male"), ("aunt", "female"), ("uncle", "male"),
    ("cousin", "any"), ("older sister", "female"), ("older brother", "male"),
)
GENDER_IDENTITIES = ("Non-binary", "Genderfluid", "Trans boy", "Trans girl", "Questioning")
OTHER_LANGUAGES = ("Vietnamese", "Arabic", "Somali", "Swahili", "Marshallese")
SCARS = (
    "Small scar above left eyebrow", "Birthmark on right forearm", "Scar on left knee",
    "Freckles across nose and cheeks", "Chickenpox scar on forehead", "Burn scar on back of left hand",
    "Scar on chin", "Mole on right cheek",
)
TATTOOS = ("Tattoo of a star on left wrist", "Tattoo of a name on right forearm", "Small heart tattoo on ankle")
PIERCINGS = ("Both ears", "Both ears, two in the left", "Left ear", "Right nostril", "Both ears and eyebrow")
# (medical need, medication)
MEDICAL = (
    ("Asthma, mild; uses an inhaler before sports.", "Albuterol inhaler as needed"),
    ("Peanut allergy; carries an epinephrine auto-injector.", "Epinephrine auto-injector"),
    ("Type 1 diabetes; checks blood sugar four times a day.", "Insulin (pump)"),
    ("Seasonal allergies.", "Cetirizine 10 mg daily in spring"),
    ("Eczema.", "Hydrocortisone cream as needed"),
    ("Hearing aid in left ear.", ""),
)
MENTAL_HEALTH = (
    ("Weekly trauma-focused therapy.", ""),
    ("ADHD; works with the school counselor.", "Methylphenidate 18 mg each morning"),
    ("Anxiety; sees a counselor every two weeks.", "Sertraline 50 mg daily"),
    ("Depression; sees a therapist weekly and a psychiatrist monthly.", "Fluoxetine 20 mg daily"),
    ("Sleep difficulties since entering care; counselor aware.", "Melatonin 3 mg at bedtime"),
)
MEDICAL_NOTES = (
    "Immunizations up to date.",
    "Next dental check-up due in the spring.",
    "Wears a medical alert bracelet.",
    "Annual physical completed this year.",
)
# Median height in inches by age (rough CDC growth-chart values), female and male.
HEIGHT_BY_AGE = {
    8: (50, 50), 9: (52, 53), 10: (54, 55), 11: (57, 57), 12: (59, 59), 13: (61, 62), 14: (62, 64),
    15: (63, 67), 16: (64, 68), 17: (64, 69), 18: (64, 69), 19: (64, 70), 20: (64, 70),
}
INTERIM_END_REASONS = (
    PlacementEndReason.MOVED, PlacementEndReason.MOVED, PlacementEndReason.MOVED,
    PlacementEndReason.CAREGIVER_REQUEST, PlacementEndReason.YOUTH_REQUEST, PlacementEndReason.STEP_DOWN,
    PlacementEndReason.STEP_UP, PlacementEndReason.OTHER,
)
# Ages of youth under 18, teens twice as likely (most youth missing from care are teens).
CHILD_AGES = tuple((age, 1 if age < 12 else 2) for age in range(8, 18))
COMPLEXIONS = tuple(Complexion.values)
EXIT_REASONS = (PlacementEndReason.REUNIFICATION, PlacementEndReason.ADOPTION, PlacementEndReason.GUARDIANSHIP)


@dataclass(frozen=True)
class OnCallSpec:
    """A line of a demo agency's weekly on-call roster: `username` is on call on `days` from `start` to `end`
    (agency hours; an end at or before the start runs into the next day), for `team` ('' for agency-wide)."""

    agency: str  # agency code
    team: str
    username: str
    days: tuple[int, ...]
    start: int
    end: int
    position: int = 1


WEEKDAYS = (0, 1, 2, 3, 4)
WEEKEND = (5, 6)
EVERY_DAY = WEEKDAYS + WEEKEND

# Office hours per team on weekdays; nights and weekends agency-wide, a supervisor first and the admin as backup.
ON_CALL = (
    OnCallSpec("alder", "North Team", "supervisor", WEEKDAYS, 8, 17, 1),
    OnCallSpec("alder", "North Team", "caseworker", WEEKDAYS, 8, 17, 2),
    OnCallSpec("alder", "South Team", "caseworker2", WEEKDAYS, 8, 17, 1),
    OnCallSpec("alder", "", "supervisor", EVERY_DAY, 17, 8, 1),
    OnCallSpec("alder", "", "agencyadmin", EVERY_DAY, 17, 8, 2),
    OnCallSpec("alder", "", "supervisor", WEEKEND, 8, 17, 1),
    OnCallSpec("alder", "", "agencyadmin", WEEKEND, 8, 17, 2),
    OnCallSpec("birch", "Central Team", "birch.supervisor", WEEKDAYS, 8, 17, 1),
    OnCallSpec("birch", "Central Team", "birch.caseworker", WEEKDAYS, 8, 17, 2),
    OnCallSpec("birch", "", "birch.supervisor", EVERY_DAY, 17, 8, 1),
    OnCallSpec("birch", "", "birch.admin", EVERY_DAY, 17, 8, 2),
    OnCallSpec("birch", "", "birch.supervisor", WEEKEND, 8, 17, 1),
    OnCallSpec("birch", "", "birch.admin", WEEKEND, 8, 17, 2),
)
