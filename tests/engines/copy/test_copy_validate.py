"""Spec-time checks of copy templates (validate.py)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from assetline.engines.copy import validate_templates
from assetline.spec.campaign import Concept, Segment
from assetline.spec.loader import load_campaign


def concept(copy: dict[str, Any], translations: dict[str, Any] | None = None) -> Concept:
    return Concept.model_validate({"id": "c", "copy": copy, "translations": translations or {}})


LONDON = Segment(id="london", language="en", city="London")
NOWHERE = Segment(id="nowhere", language="en")
DUBAI = Segment(id="dubai", language="ar", city="دبي", vars={"roast": "نيبولا"})


def test_clean_concept_has_no_problems() -> None:
    c = concept({"headline": ["{Fuel|Power} your launch"], "body": ["In ${city:your city}"]})
    assert validate_templates(c, [LONDON, NOWHERE]) == []


def test_syntax_error_is_located() -> None:
    c = concept({"headline": ["fine", "{Fuel|Power your launch"]},
                {"ar": {"headline": ["ok"], "cta": ["a}"]}})
    problems = validate_templates(c)
    assert [p.loc for p in problems] == [("copy", "headline", 1), ("translations", "ar", "cta", 0)]
    assert all(p.severity == "error" for p in problems)
    assert "column 1" in problems[0].message
    assert "column 2" in problems[1].message
    assert str(problems[0]).startswith("copy.headline.1: ")


def test_variables_checked_against_the_segments_that_read_the_copy() -> None:
    c = concept({"headline": ["Hi"], "body": ["In ${city}", "Try ${roast}"]},
                {"ar": {"headline": ["${roast} في ${city}"]}})
    problems = validate_templates(c, [LONDON, NOWHERE, DUBAI])
    by_loc = {p.loc: p for p in problems}
    assert set(by_loc) == {("copy", "body", 0), ("copy", "body", 1)}  # the Arabic copy is fine for dubai
    assert "segment 'nowhere' has no city" in by_loc[("copy", "body", 0)].message
    assert "segments 'london', 'nowhere' do not define" in by_loc[("copy", "body", 1)].message
    assert by_loc[("copy", "body", 1)].hint and "vars" in by_loc[("copy", "body", 1)].hint


def test_without_segments_variables_are_not_checked() -> None:
    assert validate_templates(concept({"headline": ["Try ${roast}"]})) == []


def test_empty_rendering_and_cap() -> None:
    c = concept({"headline": ["{|}", "{a|b}" * 9]})
    problems = validate_templates(c, cap=100)
    assert [(p.loc, p.severity) for p in problems] == [(("copy", "headline", 0), "error"),
                                                      (("copy", "headline", 1), "warning")]
    assert "more than 100" in problems[1].message


def test_demo_campaign_is_clean() -> None:
    path = Path(str(resources.files("assetline") / "examples" / "orbit-coffee" / "campaign.yaml"))
    campaign = load_campaign(path).campaign
    for c in campaign.concepts:
        assert validate_templates(c, campaign.segments) == []
