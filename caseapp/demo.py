"""Synthetic demo data: two agencies, their teams and staff, and youth with placement histories.

Everything here is made up (docs/design.md#rule-synthetic-data): agencies, places, caregivers and youth are drawn from
the small built-in tables of caseapp/demo_data.py (common first names and surnames, places, needs); this
module is the generator. Phone numbers are in the fictional 555-01xx range and SSNs start with 000,
which is never issued. No photos.

Two properties matter more than realism:

- Deterministic. Each youth is drawn from its own `random.Random` seeded with (seed, agency, case
  number), so a youth's record does not depend on how many youth are generated or which already exist.
- Idempotent. Agencies, teams, staff and youth are keyed on natural keys (agency code, team name,
  username, agency + case number). A second run creates only what is missing and changes nothing that
  is already there, so the counts stay the same.

It scales to a statewide dataset (bench/): youth, their caseworker assignments and placements are written
with `bulk_create` in batches, with the initial history rows written alongside
(`simple_history.utils.bulk_create_with_history`) so a youth's change history starts with "created".

The management command `seed_demo` is the only caller; these are plain functions so tests and the
benchmark can call them too. After the youth, each demo seeder another app registered from its
AppConfig (caseapp/registry.py) adds that app's demo data (the risk module's observations, an external
screen and assessments, so the review queue is not empty); caseapp never names those apps itself.
"""

import datetime
import functools
import itertools
import random
from base64 import b32encode
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.utils import bulk_create_with_history

from . import registry, two_factor
from .demo_data import (
    AGENCIES,
    AGENCY_A,
    AGENCY_A_SHARE,
    AGENCY_B,
    CHILD_AGES,
    COMPLEXIONS,
    EXIT_REASONS,
    FEMALE_NAMES,
    GENDER_IDENTITIES,
    HEIGHT_BY_AGE,
    INTERIM_END_REASONS,
    MALE_NAMES,
    MEDICAL,
    MEDICAL_NOTES,
    MENTAL_HEALTH,
    NEUTRAL_NAMES,
    NICKNAMES,
    ON_CALL,
    OTHER_LANGUAGES,
    PIERCINGS,
    PLACE_WORDS,
    RELATIONS,
    SCARS,
    STAFF,
    STREETS,
    SURNAMES,
    TATTOOS,
    TEST_YOUTH_FIRST_NAME,
    TEST_YOUTH_LAST_NAME,
)
from .models import (
    Agency,
    CoveredPopulation,
    EyeColor,
    Eyewear,
    HairColor,
    Hispanic,
    LegalStatus,
    OnCallShift,
    Placement,
    PlacementEndReason,
    PlacementType,
    Race,
    Role,
    Sex,
    Team,
    User,
    Youth,
    YouthStatus,
)

DEMO_PASSWORD = "youth-demo-2026"  # noqa: S105 (the published password of the synthetic demo accounts)
DEFAULT_YOUTH = 200
DEFAULT_SEED = 2026
BATCH_SIZE = 2000
CHANGE_REASON = "Synthetic demo data (seed_demo)"


@dataclass
class SeedResult:
    created: dict = field(default_factory=dict)  # model label -> rows created by this run
    totals: dict = field(default_factory=dict)  # model label -> rows in the database after the run
    logins: list = field(default_factory=list)  # dicts: username, role, agency, team, password, second factor
    # The demo logins' authenticator keys (base32, as an authenticator app takes them), by username.
    authenticator_keys: dict = field(default_factory=dict)


def _noop(message):
    pass


@functools.cache
def _cumulative(pairs):
    values, weights = zip(*pairs, strict=True)
    return values, list(itertools.accumulate(weights))


def _weighted(rng, pairs):
    """One value of ((value, weight), ...); the tables are built once (this runs millions of times)."""
    values, cum_weights = _cumulative(tuple(pairs))
    return rng.choices(values, cum_weights=cum_weights)[0]


def _phone(rng, area_code):
    return f"{area_code}-555-01{rng.randint(0, 99):02d}"


def _ensure(model, lookup, values, initial=None, prepare=None):
    """Get or create by `lookup`: `values` are kept up to date, `initial` only set on creation.

    Saves only when something differs, so a second run writes nothing (and no history rows).
    `prepare(obj)` runs on a new object before its first save.
    """
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **(initial or {}), **values)
        if prepare is not None:
            prepare(obj)
        obj.save()
        return obj, True
    stale = [name for name, value in values.items() if getattr(obj, name) != value]
    if stale:
        for name in stale:
            setattr(obj, name, values[name])
        obj.save(update_fields=stale)
    return obj, False


# ---------------------------------------------------------------------------------------------
# Agencies, teams, staff
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def ensure_agencies_and_staff(log=_noop):
    """The two agencies, their teams and the demo staff. Returns (agencies, teams, staff, created counts)."""
    rng = random.Random("agencies")
    created = {"agencies": 0, "teams": 0, "staff": 0}
    agencies, teams, staff = {}, {}, {}
    for spec in AGENCIES:
        agency, new = _ensure(
            Agency,
            {"code": spec.code},
            {"name": spec.name, "state": spec.state, "time_zone": spec.time_zone},
            {
                "phone": _phone(rng, spec.area_code),
                "email": f"intake@{spec.code}.example.org",
                "address": f"{100 + rng.randint(0, 899)} {rng.choice(STREETS)}\n{spec.cities[0]}, {spec.state}",
                "compliance_contact_email": f"compliance@{spec.code}.example.org",
            },
        )
        created["agencies"] += new
        agencies[spec.code] = agency
        for name in spec.teams:
            team, new = _ensure(Team, {"agency": agency, "name": name}, {})
            created["teams"] += new
            teams[(spec.code, name)] = team
    log(f"Agencies: {len(agencies)} ({created['agencies']} new); teams: {len(teams)} ({created['teams']} new)")

    for spec in STAFF:
        user, new = _ensure(
            User,
            {"username": spec.username},
            {
                # What the login table promises is kept true on every run.
                "agency": agencies[spec.agency],
                "role": spec.role,
                "team": teams[(spec.agency, spec.team)] if spec.team else None,
                "is_active": True,
            },
            {
                "first_name": spec.first_name,
                "last_name": spec.last_name,
                "email": f"{spec.username}@{spec.agency}.example.org",
            },
            prepare=lambda user: user.set_password(DEMO_PASSWORD),
        )
        created["staff"] += new
        staff[spec.username] = user
        for team_name in spec.supervises:
            team = teams[(spec.agency, team_name)]
            # Only add when missing: add() of an existing member would still write a history row.
            if not team.supervisors.filter(pk=user.pk).exists():
                team.supervisors.add(user)
    log(f"Staff: {len(staff)} ({created['staff']} new)")
    return agencies, teams, staff, created


@transaction.atomic
def ensure_on_call(*, agencies, teams, staff, log=_noop):
    """The demo agencies' weekly on-call roster (demo_data.ON_CALL), made by each agency's admin. A shift is
    keyed on all its fields, removed ones included, so a second run adds nothing and a shift an admin removed
    in the demo stays removed. Not in the printed counts, which stay the agencies, staff and youth."""
    admins = {spec.agency: staff[spec.username] for spec in STAFF if spec.role == Role.AGENCY_ADMIN}
    made = 0
    for spec in ON_CALL:
        for day in spec.days:
            _shift, new = OnCallShift.objects.get_or_create(
                agency=agencies[spec.agency],
                team=teams[(spec.agency, spec.team)] if spec.team else None,
                user=staff[spec.username],
                weekday=day,
                start_hour=spec.start,
                end_hour=spec.end,
                position=spec.position,
                defaults={"created_by": admins[spec.agency], "note": "Demo roster"},
            )
            made += new
    log(f"On-call shifts: {made} new")


@transaction.atomic
def ensure_demo_authenticators(staff, log=_noop):
    """Every demo login that must sign in with a second factor (caseapp/two_factor.py) gets an authenticator app,
    once: the demo prints its key, and `manage.py demo_code USERNAME` its current code (DEBUG only). These are
    synthetic accounts with a published password; a real account's key is only ever shown to its owner, at
    set-up. Returns {username: base32 key} of the demo logins that have one."""
    keys = {}
    made = 0
    for username, user in staff.items():
        if not two_factor.required_for(user):
            continue
        device = two_factor.authenticator_of(user)
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="Demo authenticator", confirmed=True)
            made += 1
        keys[username] = b32encode(device.bin_key).decode()
    log(f"Demo authenticator apps: {made} new")
    return keys


def logins():
    """The demo accounts as rows for the login table (username, role, agency, team, password)."""
    rows = []
    for spec in STAFF:
        agency = next(a for a in AGENCIES if a.code == spec.agency)
        if spec.team:
            team = spec.team
        elif spec.supervises:
            team = "supervises " + ", ".join(spec.supervises)
        else:
            team = "all teams"
        rows.append(
            {
                "username": spec.username,
                "role": Role(spec.role).label,
                "agency": agency.name,
                "team": team,
                "password": DEMO_PASSWORD,
                "second factor": "authenticator app" if spec.role != Role.CASEWORKER else "none",
            }
        )
    return rows


# ---------------------------------------------------------------------------------------------
# Youth and placements
# ---------------------------------------------------------------------------------------------


def youth_counts(total):
    """How many youth each agency gets out of `total`: about 70% in A (at least one: Jordan), the rest in B."""
    if total <= 0:
        return {AGENCY_A.code: 0, AGENCY_B.code: 0}
    in_a = max(1, round(total * AGENCY_A_SHARE))
    return {AGENCY_A.code: in_a, AGENCY_B.code: total - in_a}


def case_number(spec, number):
    return f"{spec.case_prefix}-{number:06d}"


def team_for(spec, number):
    """Youth are dealt to the agency's teams in turn; number 1 (Jordan) is in the first (North) team."""
    return spec.teams[(number - 1) % len(spec.teams)]


def _birthday(today, years_ago):
    try:
        return today.replace(year=today.year - years_ago)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years_ago, day=28)


def _date_of_birth(rng, today, age):
    """A date of birth that makes the youth exactly `age` today."""
    return _birthday(today, age) - datetime.timedelta(days=rng.randint(1, 364))


def _add_years(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _name(rng, sex):
    if sex == Sex.FEMALE:
        pool = FEMALE_NAMES if rng.random() < 0.85 else NEUTRAL_NAMES
    elif sex == Sex.MALE:
        pool = MALE_NAMES if rng.random() < 0.85 else NEUTRAL_NAMES
    else:
        pool = NEUTRAL_NAMES
    return rng.choice(pool)


def _races(rng):
    first = _weighted(
        rng,
        (
            (Race.WHITE, 50), (Race.BLACK, 27), (Race.AMERICAN_INDIAN, 3), (Race.ASIAN, 3),
            (Race.PACIFIC_ISLANDER, 1), (Race.UNKNOWN, 4), (Race.DECLINED, 2),
        ),
    )
    if first in (Race.UNKNOWN, Race.DECLINED) or rng.random() > 0.1:
        return [str(first)]
    second = rng.choice([r for r in (Race.WHITE, Race.BLACK, Race.AMERICAN_INDIAN, Race.ASIAN) if r != first])
    return [str(first), str(second)]


def _body(rng, age, sex):
    female, male = HEIGHT_BY_AGE[age]
    median = female if sex == Sex.FEMALE else male if sex == Sex.MALE else (female + male) / 2
    height = round(rng.gauss(median, 2.5))
    bmi = rng.gauss(16 + (age - 8) * 0.55, 2.5)
    weight = round(max(12.0, bmi) * height * height / 703)
    return height, weight


def _provider(rng, spec, placement_type, youth_last_name):
    place = rng.choice(PLACE_WORDS)
    if placement_type in (PlacementType.FOSTER_FAMILY, PlacementType.PRE_ADOPTIVE):
        return f"{rng.choice(SURNAMES)} family"
    if placement_type == PlacementType.RELATIVE_KINSHIP:
        relation, pool = rng.choice(RELATIONS)
        names = {"female": FEMALE_NAMES, "male": MALE_NAMES}.get(pool, FEMALE_NAMES + MALE_NAMES)
        return f"{rng.choice(names)} {youth_last_name} ({relation})"
    if placement_type == PlacementType.TRIAL_HOME_VISIT:
        relation, names = rng.choice((("mother", FEMALE_NAMES), ("father", MALE_NAMES)))
        return f"{rng.choice(names)} {youth_last_name} ({relation})"
    if placement_type == PlacementType.GROUP_HOME:
        return f"{place} House"
    if placement_type == PlacementType.RESIDENTIAL_TREATMENT:
        return f"{place} Ridge Treatment Center"
    if placement_type == PlacementType.SHELTER:
        return f"{spec.county} County Youth Shelter"
    if placement_type == PlacementType.SUPERVISED_INDEPENDENT_LIVING:
        return f"{place} Commons Supervised Living"
    return f"{place} Regional Medical Center"


def _placement_type(rng, age_at_start, first, current_extended):
    if current_extended:
        return _weighted(
            rng, ((PlacementType.SUPERVISED_INDEPENDENT_LIVING, 6), (PlacementType.FOSTER_FAMILY, 4))
        )
    weights = (
        (PlacementType.FOSTER_FAMILY, 40), (PlacementType.RELATIVE_KINSHIP, 20),
        (PlacementType.GROUP_HOME, 12 if age_at_start >= 12 else 3),
        (PlacementType.RESIDENTIAL_TREATMENT, 8 if age_at_start >= 12 else 2),
        (PlacementType.SHELTER, 25 if first else 5), (PlacementType.PRE_ADOPTIVE, 4),
        (PlacementType.SUPERVISED_INDEPENDENT_LIVING, 8 if age_at_start >= 16 else 0),
        (PlacementType.TRIAL_HOME_VISIT, 0 if first else 3), (PlacementType.OTHER, 1),
    )
    return _weighted(rng, weights)


def _placements(rng, spec, youth, *, start, until, current, exit_reason, count):
    """`count` contiguous placements from `start`: the last is current, or ends on `until` for `exit_reason`."""
    span = (until - start).days
    count = min(count, span)
    if count <= 0:
        return []
    cuts = sorted(rng.sample(range(1, span), count - 1))
    starts = [start] + [start + datetime.timedelta(days=c) for c in cuts]
    ends = starts[1:] + [None if current else until]
    placements = []
    for i, (begin, end) in enumerate(zip(starts, ends, strict=True)):
        last = i == count - 1
        age_at_start = youth.age_on(begin)
        placement_type = _placement_type(rng, age_at_start, i == 0, last and current and age_at_start >= 18)
        if end is None:
            end_reason = ""
        elif last:
            end_reason = exit_reason
        else:
            end_reason = rng.choice(INTERIM_END_REASONS)
        notes = ""
        if end_reason == PlacementEndReason.YOUTH_REQUEST and rng.random() < 0.5:
            notes = "Youth asked to be closer to their school and siblings."
        elif end_reason == PlacementEndReason.CAREGIVER_REQUEST and rng.random() < 0.5:
            notes = "Caregiver is moving out of state."
        elif end_reason == PlacementEndReason.STEP_DOWN and placement_type in (
            PlacementType.GROUP_HOME, PlacementType.RESIDENTIAL_TREATMENT,
        ):
            notes = "Treatment goals met; moving to a family setting."
        placements.append(
            Placement(
                placement_type=placement_type,
                provider_name=_provider(rng, spec, placement_type, youth.legal_last_name),
                provider_phone=_phone(rng, spec.area_code),
                address=f"{rng.randint(100, 9899)} {rng.choice(STREETS)}",
                city=rng.choice(spec.cities),
                state=spec.state,
                postal_code=f"{spec.postal_prefix}{rng.randint(0, 99):02d}",
                start_date=begin,
                end_date=end,
                end_reason=end_reason,
                notes=notes,
            )
        )
    return placements


def make_youth(*, spec, number, today, seed=DEFAULT_SEED):
    """One synthetic youth and its placements, unsaved, and a number in [0, 1) to pick its assignees.

    Drawn from a generator seeded with (seed, agency, number), so the same youth comes out every time.
    Agency and team are left for the caller to set.
    """
    rng = random.Random(f"{seed}:{spec.code}:{number}")
    is_test_youth = spec is AGENCY_A and number == 1

    population = _weighted(
        rng,
        (
            (CoveredPopulation.FOSTER_CARE, 80), (CoveredPopulation.IN_HOME, 8),
            (CoveredPopulation.CHAFEE, 6), (CoveredPopulation.EXTENDED_CARE, 6),
        ),
    )
    if is_test_youth:
        population = CoveredPopulation.FOSTER_CARE
    if population == CoveredPopulation.EXTENDED_CARE:
        age = rng.randint(18, 20)
    elif population == CoveredPopulation.CHAFEE:
        age = rng.randint(14, 20)
    else:
        age = _weighted(rng, CHILD_AGES)
    if is_test_youth:
        age = 15
    date_of_birth = _date_of_birth(rng, today, age)

    sex = _weighted(rng, ((Sex.FEMALE, 49), (Sex.MALE, 49), (Sex.UNKNOWN, 2)))
    first_name = _name(rng, sex)
    middle_name = _name(rng, sex) if rng.random() < 0.7 else ""
    last_name = rng.choice(SURNAMES)
    preferred_name = ""
    if first_name in NICKNAMES and rng.random() < 0.4:
        preferred_name = NICKNAMES[first_name]
    elif rng.random() < 0.03:
        preferred_name = rng.choice(NEUTRAL_NAMES)
    aliases = []
    if rng.random() < 0.1:
        aliases.append(f"{first_name[0]}.{last_name[0]}.")
    if rng.random() < 0.05:
        aliases.append(f"{first_name} {rng.choice(SURNAMES)}")
    if is_test_youth:
        first_name, middle_name, last_name = TEST_YOUTH_FIRST_NAME, "", TEST_YOUTH_LAST_NAME
        preferred_name, aliases = "", []

    hispanic = _weighted(rng, ((Hispanic.YES, 15), (Hispanic.NO, 80), (Hispanic.UNKNOWN, 5)))
    if hispanic == Hispanic.YES and rng.random() < 0.3:
        language = "Spanish"
    elif rng.random() < 0.02:
        language = rng.choice(OTHER_LANGUAGES)
    else:
        language = "English"
    height, weight = _body(rng, age, sex)
    scars = rng.choice(SCARS) if rng.random() < 0.25 else ""
    if age >= 16 and rng.random() < 0.1:
        scars = "\n".join(s for s in (scars, rng.choice(TATTOOS)) if s)
    piercing_odds = 0.35 if sex == Sex.FEMALE else 0.1
    piercings = rng.choice(PIERCINGS) if age >= 12 and rng.random() < piercing_odds else ""
    medical_needs, medications = ("", [])
    if rng.random() < 0.25:
        medical_needs, medication = rng.choice(MEDICAL)
        medications = [medication] if medication else []
    mental_health_needs = ""
    if rng.random() < 0.3:
        mental_health_needs, medication = rng.choice(MENTAL_HEALTH)
        if medication:
            medications.append(medication)

    # Time in care, exit, and the legal basis, by who the agency serves.
    status, exited_on, entered_care_on, exit_reason = YouthStatus.ACTIVE, None, None, ""
    days_alive = (today - date_of_birth).days
    if population == CoveredPopulation.FOSTER_CARE:
        entered_care_on = today - datetime.timedelta(days=rng.randint(20, min(6 * 365, days_alive - 365)))
        legal_status = _weighted(
            rng,
            (
                (LegalStatus.TEMPORARY_CUSTODY, 50), (LegalStatus.PERMANENT_CUSTODY, 20),
                (LegalStatus.PARENTAL_RIGHTS_TERMINATED, 20), (LegalStatus.VOLUNTARY, 10),
            ),
        )
        in_care_days = (today - entered_care_on).days
        if not is_test_youth and in_care_days > 60 and rng.random() < 0.07:
            status = YouthStatus.EXITED
            exited_on = today - datetime.timedelta(days=rng.randint(5, min(400, in_care_days - 40)))
            exit_reason = rng.choice(EXIT_REASONS)
    elif population == CoveredPopulation.IN_HOME:
        legal_status = _weighted(
            rng, ((LegalStatus.IN_HOME_SUPERVISION, 6), (LegalStatus.NONE, 4))
        )
    elif population == CoveredPopulation.EXTENDED_CARE:
        legal_status = LegalStatus.EXTENDED_VOLUNTARY
        entered_care_on = _add_years(date_of_birth, rng.randint(12, 17)) + datetime.timedelta(
            days=rng.randint(0, 300)
        )
    else:  # Chafee: in care now if under 18, aged out at 18 otherwise
        legal_status = LegalStatus.TEMPORARY_CUSTODY if age < 18 else LegalStatus.NONE
        entered_care_on = _add_years(date_of_birth, rng.randint(10, 13)) + datetime.timedelta(
            days=rng.randint(0, 300)
        )
        if age >= 18:
            exit_reason = PlacementEndReason.EMANCIPATION

    youth = Youth(
        case_number=case_number(spec, number),
        status=status,
        exited_on=exited_on,
        covered_population=population,
        legal_status=legal_status,
        entered_care_on=entered_care_on,
        legal_first_name=first_name,
        legal_middle_name=middle_name,
        legal_last_name=last_name,
        preferred_name=preferred_name,
        aliases="\n".join(aliases),
        date_of_birth=date_of_birth,
        sex=sex,
        gender_identity=rng.choice(GENDER_IDENTITIES) if rng.random() < 0.03 else "",
        races=_races(rng),
        hispanic_latino=hispanic,
        primary_language=language,
        height_inches=height,
        weight_pounds=weight,
        eye_color=_weighted(
            rng,
            (
                (EyeColor.BROWN, 55), (EyeColor.BLUE, 20), (EyeColor.HAZEL, 10), (EyeColor.GREEN, 8),
                (EyeColor.GRAY, 2), (EyeColor.BLACK, 3), (EyeColor.OTHER, 2),
            ),
        ),
        hair_color=_weighted(
            rng,
            (
                (HairColor.BLACK, 30), (HairColor.BROWN, 45), (HairColor.BLOND, 15), (HairColor.RED, 4),
                (HairColor.DYED, 6 if age >= 13 else 0),
            ),
        ),
        complexion=rng.choice(COMPLEXIONS),
        eyewear=_weighted(
            rng, ((Eyewear.NONE, 75), (Eyewear.GLASSES, 18), (Eyewear.CONTACTS, 5), (Eyewear.BOTH, 2))
        ),
        has_braces=11 <= age <= 16 and rng.random() < 0.15,
        scars_marks_tattoos=scars,
        piercings=piercings,
        # Area 000 is never issued: these can never be a real person's number.
        ssn=f"000-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}" if rng.random() < 0.8 else "",
        medical_needs=medical_needs,
        mental_health_needs=mental_health_needs,
        medications="\n".join(medications),
        medical_notes=rng.choice(MEDICAL_NOTES) if rng.random() < 0.15 else "",
    )

    placements = []
    if entered_care_on is not None:
        if population == CoveredPopulation.CHAFEE and age >= 18:
            until, current = _add_years(date_of_birth, 18), False  # aged out on the 18th birthday
        elif status == YouthStatus.EXITED:
            until, current = exited_on, False
        else:
            until, current = today, True
        count = _weighted(rng, ((0, 3), (1, 30), (2, 25), (3, 19), (4, 13), (5, 10)))
        if is_test_youth:
            count = 3
        placements = _placements(
            rng, spec, youth, start=entered_care_on, until=until, current=current,
            exit_reason=exit_reason, count=count,
        )
    return youth, placements, rng.random()


def _assignees(spec, team_name, roll, caseworkers, supervisors, is_test_youth):
    """Most youth carry the team's caseworker; some also the supervisor; a few only the supervisor or nobody."""
    caseworker = caseworkers.get((spec.code, team_name))
    supervisor = supervisors.get((spec.code, team_name))
    if is_test_youth or roll < 0.8:
        people = [caseworker]
    elif roll < 0.9:
        people = [caseworker, supervisor]
    else:
        people = [supervisor]
    return [p for p in people if p is not None]


def seed_youth(*, total, seed, agencies, teams, staff, today=None, batch_size=BATCH_SIZE, log=_noop):
    """Create the youth that are missing (by case number), with assignments, placements and history."""
    today = today or timezone.localdate()
    caseworkers = {(s.agency, s.team): staff[s.username] for s in STAFF if s.role == Role.CASEWORKER}
    supervisors = {
        (s.agency, team): staff[s.username] for s in STAFF if s.role == Role.SUPERVISOR for team in s.supervises
    }
    created = {"youth": 0, "placements": 0, "assignments": 0}
    for spec in AGENCIES:
        agency = agencies[spec.code]
        wanted = youth_counts(total)[spec.code]
        existing = set(Youth.objects.filter(agency=agency).values_list("case_number", flat=True))
        missing = [n for n in range(1, wanted + 1) if case_number(spec, n) not in existing]
        log(f"{spec.name}: {wanted} youth wanted, {wanted - len(missing)} already there, creating {len(missing)}")
        for start in range(0, len(missing), batch_size):
            numbers = missing[start : start + batch_size]
            counts = _create_batch(
                spec, agency, numbers, seed=seed, today=today, teams=teams,
                caseworkers=caseworkers, supervisors=supervisors, batch_size=batch_size,
            )
            for key, value in counts.items():
                created[key] += value
            if len(missing) > batch_size:
                log(f"  {min(start + batch_size, len(missing))}/{len(missing)}")
    return created


@transaction.atomic
def _create_batch(spec, agency, numbers, *, seed, today, teams, caseworkers, supervisors, batch_size):
    now = timezone.now()
    youth_rows, placements_by_row, assignees_by_row = [], [], []
    for number in numbers:
        team_name = team_for(spec, number)
        youth, placements, roll = make_youth(spec=spec, number=number, today=today, seed=seed)
        youth.agency = agency
        youth.team = teams[(spec.code, team_name)]
        youth.created_at = now
        youth_rows.append(youth)
        placements_by_row.append(placements)
        is_test_youth = spec is AGENCY_A and number == 1
        assignees_by_row.append(_assignees(spec, team_name, roll, caseworkers, supervisors, is_test_youth))

    youth_rows = bulk_create_with_history(
        youth_rows, Youth, batch_size=batch_size, default_change_reason=CHANGE_REASON, default_date=now
    )
    Through = Youth.assigned_caseworkers.through
    links = [
        Through(youth_id=youth.pk, user_id=user.pk)
        for youth, people in zip(youth_rows, assignees_by_row, strict=True)
        for user in people
    ]
    Through.objects.bulk_create(links, batch_size=batch_size)
    placements = []
    for youth, rows in zip(youth_rows, placements_by_row, strict=True):
        for placement in rows:
            placement.youth_id = youth.pk
            placement.created_at = now
            placements.append(placement)
    bulk_create_with_history(
        placements, Placement, batch_size=batch_size, default_change_reason=CHANGE_REASON, default_date=now
    )
    return {"youth": len(youth_rows), "placements": len(placements), "assignments": len(links)}


def totals():
    return {
        "agencies": Agency.objects.filter(code__in=[a.code for a in AGENCIES]).count(),
        "teams": Team.objects.filter(agency__code__in=[a.code for a in AGENCIES]).count(),
        "staff": User.objects.filter(username__in=[s.username for s in STAFF]).count(),
        "youth": Youth.objects.filter(agency__code__in=[a.code for a in AGENCIES]).count(),
        "placements": Placement.objects.filter(youth__agency__code__in=[a.code for a in AGENCIES]).count(),
    }


def run(*, youth=DEFAULT_YOUTH, seed=DEFAULT_SEED, today=None, batch_size=BATCH_SIZE, log: Callable = _noop):
    """Everything: agencies, teams, staff, and `youth` youth in total. Safe to run again."""
    agencies, teams, staff, created = ensure_agencies_and_staff(log=log)
    keys = ensure_demo_authenticators(staff, log=log)
    ensure_on_call(agencies=agencies, teams=teams, staff=staff, log=log)
    created.update(
        seed_youth(
            total=youth, seed=seed, agencies=agencies, teams=teams, staff=staff,
            today=today, batch_size=batch_size, log=log,
        )
    )
    # The other apps' demo data, registered from their AppConfig (caseapp/registry.py).
    for seeder in registry.demo_seeders():
        created.update(seeder(agencies=agencies, staff=staff, log=log))
    return SeedResult(created=created, totals=totals(), logins=logins(), authenticator_keys=keys)
