"""copy.bias: Gaucher, Friesen & Kay (2011) gender-coded stems and the inclusive-language list."""

from __future__ import annotations

import pytest
from qc_text_helpers import copy_asset

from assetline.qc.base import Check, CheckContext
from assetline.qc.bias import BiasCheck, coded_words
from assetline.qc.wordlists import gender_coded, inclusive_terms

CHECK = BiasCheck()


def run(copy: dict[str, str], segment: str = "london", settings: dict | None = None):
    return CHECK.run(copy_asset(copy, segment=segment), CheckContext(settings={"copy.bias": settings or {}}))


def test_published_lists_are_loaded() -> None:
    lists = gender_coded()
    for stem in (
        "active",
        "adventurous",
        "aggress",
        "ambitio",
        "analy",
        "assert",
        "athlet",
        "autonom",
        "compet",
        "courag",
        "decisive",
        "determin",
        "domina",
        "fearless",
        "independen",
        "lead",
        "self-confiden",
        "stubborn",
    ):
        assert stem in lists.masculine
    for stem in (
        "affectionate",
        "child",
        "cheer",
        "commit",
        "communal",
        "compassion",
        "connect",
        "considerate",
        "cooperat",
        "depend",
        "emotiona",
        "empath",
        "gentle",
        "honest",
        "interpersonal",
        "kind",
        "loyal",
        "nurtur",
        "pleasant",
        "polite",
        "quiet",
        "respon",
        "sensitiv",
        "support",
        "sympath",
        "tender",
        "together",
        "trust",
        "understand",
        "warm",
        "whin",
        "yield",
    ):
        assert stem in lists.feminine
    assert len(lists.masculine) >= 40 and len(lists.feminine) >= 40


def test_stem_prefix_matching_on_word_boundaries() -> None:
    masc, fem = coded_words("Ambitious leaders compete; an AGGRESSIVE, self-confident, hard-driven team.")
    assert [w["word"] for w in masc] == [
        "Ambitious",
        "leaders",
        "compete",
        "AGGRESSIVE",
        "self-confident",
        "driven",
    ]
    assert fem == []
    text = "Ambitious leaders"
    s, e = masc[0]["span"]
    assert text[s:e] == "Ambitious"
    # a stem only matches at the start of a word
    masc, fem = coded_words("unambitious misleading overactive")
    assert masc == [] and fem == []


def test_masculine_coded_copy_warns() -> None:
    r = run(
        {
            "headline": "For ambitious leaders who dominate",
            "body": "A fearless, competitive roast for the driven.",
        }
    )
    assert r.status == "warn"
    g = r.evidence["gender"]
    assert g["masculine_count"] == 6 and g["feminine_count"] == 0
    assert g["coding"] == "strongly masculine-coded"
    assert "ambitious" in r.message.lower()


def test_feminine_coded_copy_warns() -> None:
    r = run(
        {"headline": "Gentle, warm and kind", "body": "Nurture your connections with a cup you can trust."}
    )
    assert r.status == "warn"
    assert r.evidence["gender"]["coding"].endswith("feminine-coded")


@pytest.mark.parametrize(
    "copy",
    [
        {"headline": "Fuel your morning launch", "body": "Small-batch coffee, roasted this week in London."},
        {"headline": "Lift-off in every cup", "body": "Bold, bright and roasted for the long haul."},
        {
            "headline": "A warm cup for busy days",
            "body": "Roasted this week.",
        },  # one coded word is not "clearly"
        {"headline": "Confident flavour, gentle finish"},  # balanced
    ],
)
def test_neutral_or_balanced_copy_passes(copy: dict[str, str]) -> None:
    r = run(copy)
    assert r.status == "pass", r.message


def test_threshold_setting() -> None:
    copy = {"headline": "A warm cup for busy days"}
    assert run(copy, settings={"min_difference": 1}).status == "warn"


@pytest.mark.parametrize(
    "text,listed,suggestion",
    [
        ("A word from our chairman", "chairman", "chair"),
        ("Extra manpower for busy mornings", "manpower", "workforce"),
        ("Hey guys, meet Nebula", "guys", "everyone"),
        ("Crazy good coffee", "crazy", "wild"),
        ("No more lame coffee", "lame", "dull"),
        ("Add us to your whitelist", "whitelist", "allowlist"),
        ("Blacklisted by boring brands", "blacklist", "blocklist"),
        ("Built by digital natives", "digital natives", "digitally fluent"),
        ("For the young and energetic", "young and energetic", "energetic"),
        ("Master/slave brewing", "master/slave", "primary/replica"),
    ],
)
def test_inclusive_language_with_suggestions(text: str, listed: str, suggestion: str) -> None:
    r = run({"headline": text})
    assert r.status == "warn", r.message
    hits = r.evidence["inclusive"]
    assert any(h["listed"].lower() == listed and suggestion in h["suggestion"] for h in hits), hits
    hit = hits[0]
    assert text[hit["span"][0] : hit["span"][1]] == hit["term"]


def test_inclusive_allow_and_extra() -> None:
    assert run({"headline": "Crazy good coffee"}, settings={"inclusive_allow": ["crazy"]}).status == "pass"
    r = run(
        {"headline": "Join the coffee brotherhood"},
        settings={"inclusive_extra": {"brotherhood": "community"}},
    )
    assert r.status == "warn" and r.evidence["inclusive"][0]["suggestion"] == "community"


def test_other_scripts_are_na_and_disclaimer_is_skipped() -> None:
    assert run({"headline": "ابدأ صباحك بانطلاقة"}, segment="dubai").status == "na"
    assert (
        run({"headline": "Fuel your morning", "disclaimer": "Guys: offer valid while stocks last."}).status
        == "pass"
    )
    assert isinstance(CHECK, Check)
    assert "chairman" in inclusive_terms()
