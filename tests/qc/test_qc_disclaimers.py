"""Required disclaimers: which apply (``Voice.disclaimers_for``, one rule for the composer and copy.rules), and
copy.rules counting a disclaimer only where it is readable — the composer's legal line on its renders, the
copy fields on other images."""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest
from PIL import Image
from qc_text_helpers import SEGMENTS, brand, copy_asset

from assetline.engines.base import ComposeRequest, ComposeResult, CopyResult, Element
from assetline.engines.compose import LayoutComposer
from assetline.qc.base import AssetUnderCheck, CheckContext
from assetline.qc.copy_rules import CopyRulesCheck
from assetline.spec import catalogue, load_brand_kit
from assetline.spec.brand import Voice

CHECK = CopyRulesCheck()
OFFER = "Offer valid while stocks last."
ADULTS = "Alcohol-free. 18+ only."
KIT = Path(__file__).resolve().parents[2] / "src" / "assetline" / "examples" / "orbit-coffee" / "brand.yaml"


def legal(text: str) -> Element:
    return Element(kind="legal", box=(10, 230, 130, 238), text=text, font_px=9)


def with_elements(copy: dict[str, str], elements: tuple[Element, ...], segment: str = "london") -> AssetUnderCheck:
    return replace(copy_asset(copy, segment=segment), elements=elements)


def disclaimer_rule(result) -> str:
    return result.evidence["rules"]["disclaimer"]


# ---------------------------------------------------------------- which disclaimers apply
def test_disclaimers_for_segments_and_languages() -> None:
    voice = Voice.model_validate(
        {
            "required_disclaimers": [
                {"text": OFFER},
                {"text": ADULTS, "segments": ["uk-adults"], "languages": ["en"]},
                {"text": "العرض ساري حتى نفاد الكمية.", "languages": ["ar"]},
                {"text": OFFER, "segments": ["uk-adults"]},  # a repeat: listed once
            ]
        }
    )
    assert voice.disclaimers_for("london", "en") == [OFFER]
    assert voice.disclaimers_for("uk-adults", "en-GB") == [OFFER, ADULTS]
    assert voice.disclaimers_for("uk-adults", "fr") == [OFFER]
    assert voice.disclaimers_for("dubai", "ar") == [OFFER, "العرض ساري حتى نفاد الكمية."]
    assert voice.disclaimers_for(None, "en") == [OFFER]  # no segment: only the '*' ones
    assert voice.disclaimers_for("uk-adults", None) == [OFFER, ADULTS, "العرض ساري حتى نفاد الكمية."]
    assert Voice().disclaimers_for("london", "en") == []


def test_copy_rules_uses_the_same_rule() -> None:
    kit = brand()
    for segment in SEGMENTS:
        seg = SEGMENTS[segment]
        r = CHECK.run(copy_asset({"headline": "Fuel your morning"}, segment=segment), CheckContext())
        expected = kit.voice.disclaimers_for(seg.id, seg.language)
        assert [d["text"] for d in r.evidence["disclaimers"]] == expected


# ---------------------------------------------------------------- where a disclaimer counts
def test_rendered_legal_line_counts() -> None:
    r = CHECK.run(with_elements({"headline": "Fuel your morning launch"}, (legal(OFFER),)), CheckContext())
    assert disclaimer_rule(r) == "pass", r.message
    assert r.evidence["disclaimer_source"] == "legal elements"
    assert r.evidence["disclaimers"] == [{"text": OFFER, "present": True, "where": "legal line"}]
    # normalised like copy: case, punctuation and spacing do not matter; one line may carry several
    both = legal("offer valid while  stocks last  Alcohol-free, 18+ only")
    r = CHECK.run(with_elements({"headline": "Night-shift fuel"}, (both,), segment="uk-adults"), CheckContext())
    assert disclaimer_rule(r) == "pass", r.message


def test_composer_output_without_a_legal_line_fails_even_with_a_disclaimer_field() -> None:
    copy = {"headline": "Fuel your morning launch", "disclaimer": OFFER}
    headline = Element(kind="headline", box=(10, 10, 200, 40), text=copy["headline"], font_px=24)
    r = CHECK.run(with_elements(copy, (headline,)), CheckContext())
    assert disclaimer_rule(r) == "fail" and r.status == "fail"
    finding = next(f for f in r.evidence["findings"] if f["rule"] == "disclaimer")
    assert finding["detail"].startswith(f"required disclaimer not rendered: '{OFFER}'")
    assert r.evidence["disclaimers"] == [{"text": OFFER, "present": False, "where": "legal line"}]
    warn = CHECK.run(with_elements(copy, (headline,)), CheckContext(settings={"copy.rules": {"severity": {
        "disclaimer": "warn"}}}))
    assert disclaimer_rule(warn) == "warn" and warn.status == "warn"


def test_other_images_keep_the_copy_fields() -> None:
    r = CHECK.run(copy_asset({"headline": "Fuel your morning launch", "disclaimer": OFFER}), CheckContext())
    assert disclaimer_rule(r) == "pass"
    assert r.evidence["disclaimer_source"] == "copy fields"
    assert r.evidence["disclaimers"] == [{"text": OFFER, "present": True, "where": "copy fields"}]
    r = CHECK.run(copy_asset({"headline": "Fuel your morning launch"}), CheckContext())
    assert disclaimer_rule(r) == "fail"
    assert r.evidence["findings"][0]["detail"] == f"required disclaimer missing: '{OFFER}'"


# ---------------------------------------------------------------- the composer and copy.rules together
@cache
def _kit():
    loaded = load_brand_kit(KIT)
    typo = loaded.kit.typography
    fonts = {"headline": loaded.files[typo.headline.file], "body": loaded.files[typo.body.file]}
    fonts["cta"] = loaded.files[typo.cta.file] if typo.cta else fonts["body"]
    fonts.update({script: loaded.files[ref.file] for script, ref in typo.scripts.items()})
    return loaded.kit, fonts, {lg.id: loaded.files[lg.file] for lg in loaded.kit.logos}


def compose(format_id: str, copy: CopyResult, segment: str) -> tuple[ComposeResult, AssetUnderCheck]:
    kit, fonts, logos = _kit()
    fmt = catalogue()[format_id]
    result = LayoutComposer().compose(
        ComposeRequest(
            brand=kit, format=fmt, copy=copy, background=Image.new("RGB", fmt.size, (242, 238, 230)),
            background_meta={}, layout="banner", fonts=fonts, logos=logos, seed=0,
            legal=tuple(kit.voice.disclaimers_for(segment, copy.language)),
        )
    )
    asset = AssetUnderCheck(image=result.image, brand=kit, format=fmt, copy=dict(copy.fields),
                            language=copy.language, segment=SEGMENTS[segment], elements=result.elements)
    return result, asset


ENGLISH = CopyResult(fields={"headline": "Fuel your morning launch", "body": "Roasted this week in London.",
                             "cta": "Order now"}, language="en", direction="ltr")
ARABIC = CopyResult(fields={"headline": "ابدأ صباحك بانطلاقة", "body": "قهوة محمّصة طازجة هذا الأسبوع في دبي.",
                            "cta": "اطلب الآن"}, language="ar", direction="rtl")


@pytest.mark.parametrize("format_id", ["meta-feed-1x1", "iab-300x250", "iab-728x90"])
def test_a_rendered_ad_passes_the_disclaimer_rule(format_id: str) -> None:
    result, asset = compose(format_id, ENGLISH, "london")
    assert any(e.kind == "legal" for e in result.elements), result.warnings
    r = CHECK.run(asset, CheckContext())
    assert disclaimer_rule(r) == "pass", r.message


def test_an_ad_whose_legal_line_was_left_out_is_flagged() -> None:
    result, asset = compose("iab-320x50", ARABIC, "dubai")
    assert not any(e.kind == "legal" for e in result.elements)
    assert any(w.startswith("legal line left out: no room at 320×50") for w in result.warnings)
    r = CHECK.run(asset, CheckContext())
    assert disclaimer_rule(r) == "fail"
    assert f"required disclaimer not rendered: '{OFFER}'" in r.message
    demo = CheckContext(settings={"copy.rules": {"severity": {"disclaimer": "warn"}}})  # the demo brief's policy
    assert disclaimer_rule(CHECK.run(asset, demo)) == "warn"
