"""The default indicator catalogue (docs/risk-catalogue.md#catalogue), as plain data.

Why data and not database rows: the scoring rules (risk/scoring.py) must be testable without a database, and
the seed fixture for the `Indicator` rows is built from this one list, so the two can never disagree.
An agency admin adjusts weights and thresholds through `ScoringSettings.with_overrides`, never by editing this
file; a change here is a new catalogue version.

Wording rules (docs/risk-catalogue.md#language): labels describe what someone can observe, in plain and
trauma-informed words.
No stigmatising terms; "pimp-controlled" appears only as the NCMEC type label of category C1.
Nothing here comes from the CSE-IT (principle 6): the concepts are from NCMEC's public pages, the CWLA/NCMEC
webinar, the sources cited per row, and the HTCDS enumerations for C7.

C7 concepts are aligned with the "Methods of Control" enumeration of the IOM Human Trafficking Case Data
Standard (HTCDS, https://github.com/UNMigration/HTCDS), licensed CC BY 4.0
(docs/risk-catalogue.md#htcds). Attribution kept here as well; the wording below is ours.
"""

from dataclasses import dataclass

# The first source reference of every indicator: where the catalogue is explained.
_CATALOGUE = "docs/risk-catalogue.md#catalogue"
_IDENTIFICATION = "docs/risk-catalogue.md#identification"
_HISTORY_RULES = "docs/risk-catalogue.md#history-rules"

SR = "SR"  # supervisor review
SR_NOW = "SR_NOW"  # same-day supervisor review
FLAGS = ("", SR, SR_NOW)

CST_TYPES = ("", "PC", "GC", "FAM", "BP", "ANY")

# Category code -> (name, description).
CATEGORIES = {
    "C0": (
        "Identification tripwires",
        "Information that the youth may be a victim of sex trafficking. Opens the identification workflow: "
        "same-day supervisor review, and a law-enforcement report within 24 hours of receipt once confirmed.",
    ),
    "C1": (
        "Signs of the kinds of child sex trafficking (pimp-controlled, gang-controlled, familial, buyer-perpetrated)",
        "Signals that match one of NCMEC's types of child sex trafficking.",
    ),
    "C2": (
        "Unmet needs",
        "Vulnerability, capped at 4 points. Each need calls for a needs referral, never a restriction.",
    ),
    "C3": (
        "Unsafe environment and trauma",
        "Vulnerability, capped at 4 points. What the youth may be moving away from.",
    ),
    "C4": (
        "Missing-episode patterns",
        "Derived from the missing-episode history by the history rules (except C4.9, which people record).",
    ),
    "C5": ("Online exploitation", "Signals from phones, apps and online contact."),
    "C6": ("Physical and health signs", "Health and physical signals, often seen at a return or a medical visit."),
    "C7": (
        "Control and coercion",
        "Signs that someone controls the youth. Concepts aligned with the HTCDS Methods of Control (IOM, CC BY 4.0).",
    ),
}

# Vulnerability categories: capped so that they alone cannot reach the top band
# (principle 2, docs/risk-catalogue.md#principles).
VULNERABILITY_CAPS = {"C2": 4, "C3": 4}

BANDS = ("monitor", "elevated", "high", "urgent")
# Lowest score of each band above Monitor (docs/risk-catalogue.md#bands; to be calibrated on local data, #caveats).
DEFAULT_THRESHOLDS = {"elevated": 5, "high": 10, "urgent": 15}

ALLOWED_WEIGHTS = (1, 2, 3, 5)  # contextual vulnerability, risk signal, strong, serious; None = tripwire


@dataclass(frozen=True)
class IndicatorDef:
    code: str
    category: str
    label: str
    weight: int | None  # None: tripwire ("T" in the catalogue)
    flag: str = ""
    cst_type: str = ""
    source_refs: tuple[str, ...] = (_CATALOGUE,)
    derived: bool = False  # True: computed from episode history (the history rules), not typed in by people
    cybertip: bool = False  # also make a CyberTipline report

    @property
    def is_tripwire(self) -> bool:
        return self.weight is None


_NCMEC_TYPES = "NCMEC types of child sex trafficking [2b]"
_NCMEC_RISK = "NCMEC risk factors [2c]"
_WEBINAR = "CWLA/NCMEC webinar [1]"
_HTCDS = "HTCDS Methods of Control, IOM, CC BY 4.0 [27]"


def _tripwire(code, label, refs, cybertip=False):
    return IndicatorDef(code, "C0", label, None, SR_NOW, "", (_CATALOGUE, _IDENTIFICATION, *refs), cybertip=cybertip)


def _c1(code, cst_type, label, weight, flag="", refs=()):
    return IndicatorDef(code, "C1", label, weight, flag, cst_type, (_CATALOGUE, _NCMEC_TYPES, *refs))


def _need(code, label, weight, refs=()):
    return IndicatorDef(code, "C2", label, weight, "", "", (_CATALOGUE, _WEBINAR, *refs))


def _environment(code, label, weight, refs=()):
    return IndicatorDef(code, "C3", label, weight, "", "", (_CATALOGUE, *refs))


def _episode(code, rule, label, weight, flag="", refs=(), derived=True):
    refs = (_CATALOGUE, f"{_HISTORY_RULES} {rule}", *refs)
    return IndicatorDef(code, "C4", label, weight, flag, "", refs, derived=derived)


def _online(code, label, weight, flag="", refs=(), cybertip=False):
    return IndicatorDef(code, "C5", label, weight, flag, "", (_CATALOGUE, *refs), cybertip=cybertip)


def _health(code, label, weight, flag="", refs=()):
    return IndicatorDef(code, "C6", label, weight, flag, "", (_CATALOGUE, *refs))


def _control(code, label, weight, flag="", refs=()):
    return IndicatorDef(code, "C7", label, weight, flag, "", (_CATALOGUE, _HTCDS, *refs))


INDICATORS: tuple[IndicatorDef, ...] = (
    # C0 Identification tripwires: weight T, SR-NOW, and LE24 once a supervisor confirms.
    _tripwire(
        "C0.1",
        "The youth says they gave, or were made to give, a sexual act in exchange for something of value "
        '(food, a bed, a ride, drugs, a phone, "protection")',
        ("NCMEC [2]", "22 USC 7102 via NHTTAC [43]"),
    ),
    _tripwire(
        "C0.2",
        "The youth appears in an advertisement or online listing offering sex, or there is credible evidence "
        "that one exists",
        ("NCMEC [2]", "NCMEC CyberTipline indicators [6]"),
    ),
    _tripwire(
        "C0.3",
        "A credible report from law enforcement, a hospital, a school or a placement says a commercial sex act "
        "involved the youth",
        ("NCMEC [2]",),
    ),
    _tripwire(
        "C0.4",
        "The youth was recovered where sex was being sold, for example with an adult buyer in a motel room or "
        "during an operation",
        ("NCMEC [2]",),
    ),
    _tripwire(
        "C0.5",
        "Someone, a family member included, is known to receive money or another benefit from the youth's "
        "sexual exploitation",
        (_NCMEC_TYPES, _WEBINAR),
    ),
    _tripwire(
        "C0.6",
        "Sexual images of the youth were made or exchanged for something of value, or are used to threaten the "
        "youth (also make a CyberTipline report)",
        ("NCMEC CSAM and sextortion [40]", "Luxembourg Guidelines [40]"),
        cybertip=True,
    ),
    # C1 Signs of the kinds of child sex trafficking.
    _c1(
        "C1.1",
        "PC",
        "A relationship with a much older partner (an adult, or someone 4 or more years older) who gives gifts, "
        "rides or housing",
        3,
    ),
    _c1("C1.2", "PC", 'The youth hands money to a partner or "family", or says they owe someone money', 5, SR_NOW),
    _c1(
        "C1.3",
        "PC",
        'The youth uses words common in exploitation ("the life", "the game", "daddy" for a partner, '
        '"trick", "choosing up")',
        3,
    ),
    _c1(
        "C1.4",
        "GC",
        'Spends time with gang members and reports group pressure, "dues", or being moved between places by the group',
        3,
    ),
    _c1(
        "C1.5",
        "FAM",
        "Unexplained adults at family visits, or pressure during visits; a relative or someone called "
        '"auntie"/"uncle" has a history of commercial sex involvement',
        3,
    ),
    _c1(
        "C1.6",
        "FAM",
        "Concerns arise while the youth is at home or with a caregiver, including a foster or kin caregiver "
        "(exploitation can happen without the youth leaving home)",
        3,
        SR,
        (_WEBINAR,),
    ),
    _c1(
        "C1.7",
        "BP",
        "Gets food, a place to sleep, money or transport from adults the agency does not know (couch-surfing, a "
        '"sugar" arrangement)',
        3,
    ),
    _c1(
        "C1.8",
        "ANY",
        "Has cash, prepaid or gift cards, hotel keys or receipts, or more than one phone, and cannot explain them",
        3,
    ),
    _c1("C1.9", "ANY", "New clothes, nails, hair or jewellery that the youth's own resources cannot explain", 2),
    _c1(
        "C1.10",
        "ANY",
        'Seen with several other minors supervised by an unrelated adult, or brings peers into "parties", '
        '"modeling" or "dancing"',
        3,
        SR,
    ),
    # C2 Unmet needs (capped at 4): each one calls for a needs referral.
    _need("C2.1", "Not enough food: hunger on return, or keeping food aside", 1),
    _need(
        "C2.2",
        "No stable place to live: emergency shelter or hotel, or nights in an office waiting for a placement",
        2,
    ),
    _need("C2.3", "A medical, dental or mental-health need that is not being met, or missed appointments", 1),
    _need("C2.4", "No trusted adult or lasting connection, or separated from brothers and sisters", 1),
    _need(
        "C2.5",
        "Rejected or treated badly by family or placement because of who they are (the identity itself is never "
        "recorded as a risk)",
        2,
        (_NCMEC_RISK,),
    ),
    _need("C2.6", "No access to their own money, a phone or ID through safe, legitimate means", 1),
    _need(
        "C2.7",
        "Says they have no say in decisions about their life, or asks for independence the plan does not address",
        1,
    ),
    _need("C2.8", "Leaving care within 12 months with no housing plan", 1),
    # C3 Unsafe environment and trauma (capped at 4).
    _environment("C3.1", "Past sexual abuse or assault, especially if not yet addressed or treated", 2, (_NCMEC_RISK,)),
    _environment(
        "C3.2",
        "Lives in congregate care: a group home, residential facility or shelter",
        1,
        ("Chapin Hall [30]", "Pergamit & Ernst [31]"),
    ),
    _environment(
        "C3.3", "3 or more placements in the last 12 months", 2, ("Latzman et al. [28]", "Pergamit & Ernst [31]")
    ),
    _environment("C3.4", "Says they feel unsafe, bullied or harassed in the placement, or were harmed there", 2),
    _environment("C3.5", "Substance use by the youth or by someone in the household", 1, (_NCMEC_RISK,)),
    _environment("C3.6", "Suicide attempt or self-harm in the last 12 months", 2, ("Hurst et al. [22]",)),
    _environment(
        "C3.7",
        "Contact with juvenile justice, especially for offences that can happen during exploitation (theft, "
        "drugs, trespass, false identity)",
        1,
        ("Delaware pre-assessment checklist [37]",),
    ),
    _environment("C3.8", "Has lived with violence at home or in the community", 1),
    # C4 Missing-episode patterns: derived by risk/history_rules.py, except C4.9.
    _episode("C4.1", "R0", "Missing episode in the scoring window", 2),
    _episode("C4.2", "R2", "2 or more missing episodes within 30 days", 3),
    _episode("C4.3", "R3", "3 or more missing episodes within 90 days", 5, SR_NOW, (_NCMEC_RISK,)),
    _episode("C4.4", "R4", "Missing for more than 72 hours", 3),
    _episode("C4.5", "R4", "Missing for more than 7 days", 5, SR_NOW),
    _episode(
        "C4.6",
        "R5",
        "Found outside the home county or state, or the youth mentions travel to other cities",
        5,
        SR_NOW,
    ),
    _episode(
        "C4.7",
        "R6",
        "Found in a motel or hotel, at the home of an adult not known to the agency, or in a vehicle",
        5,
        SR_NOW,
    ),
    _episode("C4.8", "R7", "Came back with things they cannot explain: cash, cards, keys, a phone, new clothes", 3, SR),
    IndicatorDef(
        "C4.9",
        "C4",
        "Came back hurt, intoxicated, exhausted or unwashed, or unable or unwilling to say where they were",
        3,
        "",
        "",
        (_CATALOGUE, f"recorded at the return interview ({_HISTORY_RULES} R1)"),
        derived=False,
    ),
    _episode(
        "C4.10",
        "R8",
        "Short, repeated absences: 3 or more under 24 hours within 30 days, or missing again within 72 hours of "
        "coming back",
        3,
        SR,
        ("University of Kansas [32]",),
    ),
    # C5 Online exploitation.
    _online("C5.1", "A sexually explicit profile or posts, or profiles on adult or dating apps", 3),
    _online("C5.2", "Contact with unknown adults who offer gifts, money, rides or a place to stay", 3),
    _online("C5.3", "Receives money through payment apps from people they do not know", 3),
    _online(
        "C5.4",
        "Someone threatens to share the youth's images, or uses them to demand something (also make a CyberTipline "
        "report)",
        5,
        SR_NOW,
        ("NCMEC sextortion [40]",),
        cybertip=True,
    ),
    _online("C5.5", "Several or hidden accounts and devices, strong secrecy, distress when cut off from a device", 2),
    _online(
        "C5.6",
        'Posts showing cash or luxury items the youth cannot explain, or messages recruiting others ("make money '
        'fast", "modeling")',
        2,
    ),
    # C6 Physical and health signs.
    _health("C6.1", "A sexually transmitted infection, especially a repeated one", 3),
    _health("C6.2", "Pregnancy, repeated pregnancy tests, or terminations", 2),
    _health("C6.3", "Injuries with no explanation: bruising, burns or strangulation marks", 3, SR),
    _health(
        "C6.4",
        'A tattoo or brand that suggests ownership or money (a name, "$", a barcode, a crown) that the youth '
        "will not explain",
        5,
        SR_NOW,
        ("NCMEC blog [3]",),
    ),
    _health("C6.5", "Exhaustion, lack of sleep, hunger or poor hygiene after an absence", 2),
    _health("C6.6", "Repeated emergency or urgent-care visits, especially at different places", 2),
    _health(
        "C6.7",
        "Carries many condoms, lubricant or other sexual items they cannot explain",
        3,
        "",
        ("NCMEC CyberTipline indicators, via a secondary page [6]",),
    ),
    # C7 Control and coercion (HTCDS Methods of Control concepts, CC BY 4.0).
    _control("C7.1", "Someone else holds the youth's ID, phone or money", 5, SR_NOW),
    _control(
        "C7.2",
        "Another person speaks for the youth, the youth looks to someone before answering, or the account seems "
        "coached",
        3,
        "",
        ("NCMEC blog [3]",),
    ),
    _control("C7.3", "Afraid of a specific person, or threats against the youth, their family or pets", 5, SR_NOW),
    _control(
        "C7.4",
        "Movement limited or watched: frequent check-in calls, always dropped off or picked up by the same adult",
        3,
    ),
    _control("C7.5", 'Owes a debt, quota or "fee" to someone', 5, SR_NOW),
    _control("C7.6", "Given drugs by the person the youth is connected to", 3),
    _control("C7.7", "Defends or protects someone who harms them, or will not name them out of loyalty", 2),
    _control("C7.8", "Told they will be arrested or reported if they ask for help", 3),
)


def by_code() -> dict[str, IndicatorDef]:
    """The catalogue keyed by indicator code."""
    return {indicator.code: indicator for indicator in INDICATORS}


def category_of(code: str) -> str:
    """ "C4.10" -> "C4"."""
    return code.split(".", 1)[0]
