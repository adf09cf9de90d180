"""The licence gate as a matrix: channel × territory × date × commercial use, plus missing licences and
several inputs at once."""

from __future__ import annotations

from datetime import date

import pytest

from assetline.delivery import (
    REGION_GROUPS,
    LicensedInput,
    Usage,
    check_usage,
    expand_territories,
    raise_for_blocks,
    withheld_entry,
)
from assetline.errors import LicenceError
from assetline.spec.common import Licence, LicenceTerms

FROM, UNTIL = date(2026, 1, 1), date(2026, 12, 31)
RESTRICTED = Licence(
    owner="Jo Photographer", name="RM-2026",
    terms=LicenceTerms(channels=["meta", "Google"], territories=["GB", "EU", "GCC"], commercial_use=False),
    valid_from=FROM, valid_until=UNTIL,
)
PHOTO = LicensedInput("photo", "coffee-cup", "0" * 64, RESTRICTED)

CHANNELS = {"meta": False, "META": False, "google": False, "tiktok": True}
"""channel → blocked?"""
TERRITORIES = {"GB": False, "gb": False, "uk": False, "US": True, "DE": False, "fr": False, "SA": False,
               "AE": False, "CH": True, "": True}
"""territory → blocked? (DE, fr via the EU group; SA, AE via GCC; 'uk' is an alias of GB)"""
DATES = {
    "before": (date(2025, 12, 31), "not_yet_valid"),
    "first-day": (FROM, None),
    "within": (date(2026, 6, 15), None),
    "last-day": (UNTIL, None),
    "after": (date(2027, 1, 1), "expired"),
}


@pytest.mark.parametrize("commercial", [True, False], ids=["commercial", "non-commercial"])
@pytest.mark.parametrize("when", list(DATES))
@pytest.mark.parametrize("territory", list(TERRITORIES), ids=lambda t: t or "unknown")
@pytest.mark.parametrize("channel", list(CHANNELS))
def test_matrix(channel: str, territory: str, when: str, commercial: bool) -> None:
    on, date_reason = DATES[when]
    blocks = check_usage([PHOTO], Usage(channel, territory, on, commercial=commercial))
    expected = []
    if CHANNELS[channel]:
        expected.append("channel")
    if TERRITORIES[territory]:
        expected.append("territory")
    if date_reason:
        expected.append(date_reason)
    if commercial:  # the licence forbids commercial use
        expected.append("commercial")
    assert [b.reason_code for b in blocks] == expected
    for b in blocks:
        assert (b.input_ref, b.role, b.licence_name, b.owner) == ("coffee-cup", "photo", "RM-2026", "Jo Photographer")
        assert b.message.startswith("photo 'coffee-cup' (RM-2026, owner Jo Photographer)")


def test_channel_message_names_what_is_allowed() -> None:
    lic = Licence(owner="X", name="CC-BY-4.0", terms=LicenceTerms(channels=["meta", "google"]))
    [block] = check_usage([LicensedInput("photo", "coffee-cup", "", lic)], Usage("tiktok", "GB", FROM))
    assert block.message == (
        "photo 'coffee-cup' (CC-BY-4.0, owner X) does not allow channel 'tiktok' (allows: meta, google)")


def test_unknown_territory_message_says_the_segment_has_no_country() -> None:
    [block] = check_usage([PHOTO], Usage("meta", "", FROM, commercial=False))
    assert block.reason_code == "territory"
    assert "segment has no country" in block.message
    assert "GB, EU, GCC" in block.message


def test_wildcards_allow_everything_including_unknown_territory() -> None:
    open_licence = Licence(owner="Me", name="CC0-1.0")
    usage = Usage("anything", "", date(1990, 1, 1))
    assert check_usage([LicensedInput("font", "inter", "", open_licence)], usage) == []


def test_date_messages_and_open_ends() -> None:
    only_until = Licence(owner="O", name="L", valid_until=UNTIL)
    inp = LicensedInput("logo", "mark", "", only_until)
    assert check_usage([inp], Usage("meta", "GB", date(1900, 1, 1))) == []
    [expired] = check_usage([inp], Usage("meta", "GB", date(2027, 1, 1)))
    assert "expired on 2026-12-31" in expired.message
    only_from = Licence(owner="O", name="L", valid_from=FROM)
    [early] = check_usage([LicensedInput("logo", "mark", "", only_from)], Usage("meta", "GB", date(2025, 1, 1)))
    assert early.reason_code == "not_yet_valid" and "not valid until 2026-01-01" in early.message


def test_group_usage_territory_needs_every_member() -> None:
    eu_licence = Licence(owner="O", name="L", terms=LicenceTerms(territories=["eu"]))
    assert check_usage([LicensedInput("photo", "p", "", eu_licence)], Usage("meta", "EU", FROM)) == []
    de_only = Licence(owner="O", name="L", terms=LicenceTerms(territories=["DE"]))
    [block] = check_usage([LicensedInput("photo", "p", "", de_only)], Usage("meta", "EU", FROM))
    assert block.reason_code == "territory" and "not covered: AT, BE" in block.message


def test_region_groups() -> None:
    assert len(REGION_GROUPS["EU"]) == 27
    assert REGION_GROUPS["GCC"] == {"AE", "BH", "KW", "OM", "QA", "SA"}
    assert REGION_GROUPS["EEA"] == REGION_GROUPS["EU"] | {"IS", "LI", "NO"}
    assert "GB" not in REGION_GROUPS["EU"]
    assert expand_territories(["gcc", "uk"]) == REGION_GROUPS["GCC"] | {"GB"}
    assert expand_territories(["FR", "*"]) is None


def test_missing_licence_is_blocked_unless_allowed() -> None:
    bare = LicensedInput("reference", "moodboard-3", "", None)
    [block] = check_usage([bare], Usage("meta", "GB", FROM))
    assert (block.reason_code, block.licence_name, block.owner) == ("missing", None, None)
    assert "reference 'moodboard-3' has no licence on record" in block.message
    assert check_usage([bare], Usage("meta", "GB", FROM), allow_unlicensed=True) == []


def test_several_inputs_report_every_block_in_order() -> None:
    logo = LicensedInput("logo", "mark", "", Licence(owner="Brand", name="proprietary",
                                                     terms=LicenceTerms(channels=["google"])))
    fine = LicensedInput("font", "inter", "", Licence(owner="Inter", name="OFL-1.1"))
    bare = LicensedInput("model", "brand-lora", "", None)
    blocks = check_usage([PHOTO, logo, fine, bare], Usage("tiktok", "US", date(2027, 2, 1)))
    assert [(b.input_ref, b.reason_code) for b in blocks] == [
        ("coffee-cup", "channel"), ("coffee-cup", "territory"), ("coffee-cup", "expired"),
        ("coffee-cup", "commercial"), ("mark", "channel"), ("brand-lora", "missing"),
    ]


def test_raise_for_blocks_lists_every_message() -> None:
    raise_for_blocks([])
    blocks = check_usage([PHOTO], Usage("tiktok", "US", FROM))
    with pytest.raises(LicenceError) as err:
        raise_for_blocks(blocks)
    assert str(err.value).count("\n  - ") == len(blocks) == 3
    assert err.value.hint


def test_withheld_entry_carries_every_reason() -> None:
    blocks = check_usage([PHOTO], Usage("tiktok", "", FROM))
    entry = withheld_entry(7, "espresso", "en-london", "meta-feed-1x1", blocks, variant=2, revision=3)
    assert entry["asset_id"] == 7 and entry["variant"] == 2 and entry["revision"] == 3
    assert [r["reason_code"] for r in entry["reasons"]] == ["channel", "territory", "commercial"]
    assert entry["reasons"][0]["message"] == blocks[0].message
