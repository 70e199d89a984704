"""What NCMEC or law enforcement will ask for that the record lacks, each with the page to fill it.

`missing_items(kind, facts)` reads only the assembled facts (no queries): the ids it links to are
in `facts["links"]`. A complete record gives []; the order of the items is fixed (the order of
the checks below), so a page and a test can rely on it.
"""

import datetime
from dataclasses import dataclass, field

from missing_reports import recent_photo
from missing_reports.models import PacketKind


@dataclass(frozen=True)
class MissingItem:
    code: str
    message: str
    url_name: str
    url_args: list = field(default_factory=list)

    def url(self):
        from django.urls import reverse

        return reverse(self.url_name, args=self.url_args)


def _out_of_date(photo):
    """The one "recent photo" rule (missing_reports/recent_photo.py), on the day the facts measure the photo's
    age from (the day the agency learned of the episode: taken_on + age_in_days)."""
    taken_on = datetime.date.fromisoformat(photo["taken_on"])
    return recent_photo.is_out_of_date(taken_on, taken_on + datetime.timedelta(days=photo["age_in_days"]))


def _youth_items(facts):
    youth, links = facts["youth"], facts["links"]
    youth_args = [links["youth_id"]]
    photo = youth["current_photo"]
    if photo is None:
        yield MissingItem("photo_stale", "No photo on file: upload a recent photo", "photo_upload", youth_args)
    elif _out_of_date(photo):
        yield MissingItem(
            "photo_stale",
            f"No photo newer than 6 months (the latest was taken {photo['taken_on_display']})",
            "photo_upload",
            youth_args,
        )
    checks = (
        ("race", not youth["race"], "No race recorded"),
        ("height", youth["height_inches"] is None, "No height"),
        ("weight", youth["weight_pounds"] is None, "No weight"),
        ("eyes", not youth["eye_color"], "No eye colour"),
        ("hair", not youth["hair_color"], "No hair colour"),
        ("complexion", not youth["complexion"], "No complexion"),
    )
    for code, lacking, message in checks:
        if lacking:
            yield MissingItem(code, message, "youth_edit", youth_args)


def _episode_items(facts):
    episode, links = facts["episode"], facts["links"]
    episode_args = [links["episode_id"]]
    checks = (
        ("clothing", "clothing", "No description of the clothing last seen in"),
        ("circumstances", "circumstances", "No account of the circumstances"),
        ("phones_accounts", "phones_and_accounts", "No phones, email or social-media accounts"),
        ("possible_locations", "possible_locations", "No possible locations or people"),
    )
    for code, name, message in checks:
        if not episode[name]:
            yield MissingItem(code, message, "episode_edit", episode_args)
    if not episode.get("endangerment_assessed", True):  # a version built before 1.2 does not say
        yield MissingItem(
            "endangerment",
            "Endangerment not assessed: tick what applies, or say in the notes that none does",
            "episode_edit",
            episode_args,
        )
    placement = episode["placement"]
    if placement is None:
        yield MissingItem("placement", "No placement at the time recorded", "episode_edit", episode_args)
    elif not (placement["address"] and placement["city"] and placement["state"]):
        yield MissingItem(
            "placement_address",
            "No full address (street, city, state) of the placement at the time",
            "placement_edit",
            [links["youth_id"], placement["id"]],
        )


def _contact_items(facts):
    caseworkers, links = facts["generated_for"]["caseworkers"], facts["links"]
    if not caseworkers:
        yield MissingItem("caseworker", "No caseworker assigned", "youth_edit", [links["youth_id"]])
    elif not any(c["phone"] for c in caseworkers):
        yield MissingItem("caseworker_phone", "No caseworker phone number", "staff_edit", [caseworkers[0]["id"]])


def _notice_link(links, key):
    notification_id = links.get(key)
    if notification_id is None:
        return "episode_detail", [links["episode_id"]]
    return "notification_record", [notification_id]


def _law_enforcement_items(facts, *, ncic):
    le, links = facts["law_enforcement"], facts["links"]
    url_name, url_args = _notice_link(links, "le_notification_id")
    if not le["case_number"]:
        yield MissingItem("le_case_number", "Law-enforcement case number not recorded yet", url_name, url_args)
    if ncic and not le["ncic_number"]:
        yield MissingItem("ncic_number", "NCIC number not recorded yet", url_name, url_args)


def _recovery_items(facts):
    recovery, links = facts["recovery"], facts["links"]
    episode_args = [links["episode_id"]]
    if recovery["returned_at"] is None:
        yield MissingItem("not_returned", "No return recorded yet", "log_return", episode_args)
        return
    checks = (
        ("found_address", "found_address", "No address where the youth was found"),
        ("found_location_type", "found_location_type", "No kind of place where the youth was found"),
        ("how_located", "how_located", "Not recorded how the youth was located"),
        ("condition_on_return", "condition_on_return", "No description of the youth's condition on return"),
    )
    for code, name, message in checks:
        if not recovery[name]:
            yield MissingItem(code, message, "episode_detail", episode_args)
    if recovery["recovery_photo"] is None:
        yield MissingItem("recovery_photo", "No photo taken on recovery", "photo_upload", [links["youth_id"]])
    url_name, url_args = _notice_link(links, "le_notification_id")
    if not facts["law_enforcement"]["ncic_number"] and not facts["law_enforcement"]["case_number"]:
        yield MissingItem("le_case_number", "No law-enforcement case or NCIC number to clear", url_name, url_args)
    url_name, url_args = _notice_link(links, "ncmec_notification_id")
    if not facts["ncmec"]["case_number"]:
        yield MissingItem("ncmec_case_number", "NCMEC case number not recorded", url_name, url_args)


def missing_items(kind, facts) -> list[MissingItem]:
    """Exactly what `kind`'s recipient will ask for that `facts` lack; [] for a complete record."""
    if kind == PacketKind.RECOVERY:
        return list(_recovery_items(facts)) + list(_contact_items(facts))
    if kind == PacketKind.NCMEC:
        return [
            *_youth_items(facts),
            *_episode_items(facts),
            *_contact_items(facts),
            *_law_enforcement_items(facts, ncic=False),
        ]
    if kind == PacketKind.LAW_ENFORCEMENT:
        return [
            *_youth_items(facts),
            *_episode_items(facts),
            *_contact_items(facts),
            *_law_enforcement_items(facts, ncic=True),
        ]
    raise ValueError(f"unknown packet kind {kind!r}")
