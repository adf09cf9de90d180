"""Script detection, raqm shaping (Arabic, Hebrew, Devanagari) against Pillow itself, wrapping, fitting."""

from __future__ import annotations

import numpy as np
import pytest
from compose_support import BACKGROUNDS, ENGLISH
from PIL import Image, ImageDraw, ImageFont

from assetline.engines.base import CopyResult
from assetline.engines.compose import LayoutComposer
from assetline.engines.compose.fonts import FontBook
from assetline.engines.compose.scripts import detect_script, direction_of, language_tag
from assetline.engines.compose.text import PlacedText, draw_text, tokens, wrap
from assetline.spec import catalogue

SAMPLES = {
    "arabic": ("ابدأ صباحك بانطلاقة", "ar", "rtl"),
    "hebrew": ("התחילו את הבוקר בהמראה", "he", "rtl"),
    "devanagari": ("अभी ऑर्डर करें, हफ़्ते की कॉफ़ी", "hi", "ltr"),
}


@pytest.fixture(scope="module")
def book(kit, fonts) -> FontBook:
    return FontBook(kit.kit.typography, fonts, "en")


def test_script_detection() -> None:
    assert detect_script("Fuel your morning launch") == "latin"
    assert detect_script("ابدأ صباحك بانطلاقة!") == "arabic"
    assert detect_script("בוקר טוב 2026") == "hebrew"
    assert detect_script("अपनी सुबह") == "devanagari"
    assert detect_script("— 42 —") == "latin"
    assert direction_of("arabic") == "rtl" and direction_of("devanagari") == "ltr"
    assert language_tag("arabic", "ar-AE") == "ar"
    assert language_tag("latin", "ar") == "en"


def _reference_font(path: str, px: int, weight: int) -> ImageFont.FreeTypeFont:
    font = ImageFont.truetype(path, px, layout_engine=ImageFont.Layout.RAQM)
    try:
        axes = font.get_variation_axes()
    except OSError:
        return font
    values = []
    for axis in axes:
        name = axis["name"].decode() if isinstance(axis["name"], bytes) else axis["name"]
        values.append(weight if name == "Weight" else axis["default"])
    font.set_variation_by_axes(values)
    return font


@pytest.mark.parametrize("script", list(SAMPLES))
def test_shaping_matches_pillow_raqm(script, book, fonts, kit) -> None:
    text, lang, direction = SAMPLES[script]
    style = book.style("headline", text, 40)
    assert (style.script, style.direction, style.language) == (script, direction, lang)
    assert style.path == fonts[script]
    block = wrap(book, style, text, 2000, 1)
    assert block is not None
    placed = PlacedText("headline", block, 10, 1190, 20, "right" if direction == "rtl" else "left")
    ours = Image.new("RGB", (1200, 120), (0, 0, 0))
    draw_text(ImageDraw.Draw(ours), book, placed, (255, 255, 255))

    weight = kit.kit.typography.scripts[script].weight
    font = _reference_font(str(fonts[script]), style.px, weight)
    ref = Image.new("RGB", (1200, 120), (0, 0, 0))
    ((x, y),) = placed.origins()
    ImageDraw.Draw(ref).text(
        (x, y),
        text,
        font=font,
        fill=(255, 255, 255),
        anchor="ls",
        direction=direction,
        language=lang,
        features=["kern", "liga"],
    )
    a, b = np.asarray(ours, dtype=int), np.asarray(ref, dtype=int)
    assert a.any()
    assert np.abs(a - b).max() == 0
    # The recorded ink box holds every rendered pixel.
    left, top, right, bottom = placed.ink_box()
    ys, xs = np.nonzero(a.max(axis=2))
    assert xs.min() >= left and xs.max() < right and ys.min() >= top and ys.max() < bottom


def test_arabic_letters_join(fonts) -> None:
    font = _reference_font(str(fonts["arabic"]), 48, 600)
    word = "بانطلاقة"
    joined = font.getlength(word, direction="rtl", language="ar")
    isolated = sum(font.getlength(ch, direction="rtl", language="ar") for ch in word)
    assert joined < isolated * 0.9


def test_devanagari_forms_conjuncts(book) -> None:
    word = "ऑर्डर हफ़्ते"
    style = book.style("body", word, 48)
    font = book.font(style)
    shaped = font.getlength(word, language="hi")
    per_codepoint = sum(font.getlength(ch, language="hi") for ch in word)
    assert (
        shaped < per_codepoint
    )  # virama + consonant fuse into conjunct / reph forms instead of standing apart
    assert book.ink(style, word)[1] < -style.px * 0.7  # reph and matras rise above the headline


def test_tokens_keep_punctuation_with_words() -> None:
    assert tokens("— Ana, night-shift engineer") == ["— Ana,", "night-shift", "engineer"]
    assert tokens("Ready for lift-off ?") == ["Ready", "for", "lift-off ?"]


def test_wrap_fits_the_width_and_balances(book) -> None:
    text = "Meet Nebula, our darkest roast yet, slow-roasted and smooth"
    style = book.style("headline", text, 40)
    block = wrap(book, style, text, 400, 4)
    assert block is not None
    widths = [ln.ink[2] - ln.ink[0] for ln in block.lines]
    assert max(widths) <= 400
    assert len(block.lines) >= 2
    assert len(block.lines[-1].text.split()) >= 2  # no single-word widow
    assert max(widths) - min(widths) < 0.5 * max(widths)  # balanced, not greedy-ragged
    assert wrap(book, style, text, 400, 1) is None
    assert wrap(book, style, "Supercalifragilisticexpialidocious", 100, 3) is None


def test_320x50_falls_back_to_a_shorter_alternative_then_drops_body(make_request, check) -> None:
    fmt = catalogue()["iab-320x50"]
    copy = CopyResult(
        fields={
            "headline": "Every single great day of your busy week starts with a proper launch",
            "body": "Small-batch coffee, roasted this week in London and delivered to your door.",
            "cta": "Start your order today",
        },
        language="en",
        direction="ltr",
        alternatives={
            "headline": [
                "Wake up to Orbit",
                "Every single great day of your busy week starts with a proper launch",
            ],
            "body": [
                "Freshly roasted beans, delivered across London every morning.",
                "Small-batch coffee, roasted this week in London and delivered to your door.",
            ],
            "cta": ["Order", "Start your order today"],
        },
    )
    result = LayoutComposer().compose(make_request(fmt, "banner", BACKGROUNDS["dark"](fmt.size), copy=copy))
    check(result, fmt)
    texts = {e.kind: e.text for e in result.elements if e.text}
    assert texts["headline"] == "Wake up to Orbit"
    assert "body" not in texts
    assert any(w.startswith("body dropped") and "320×50" in w for w in result.warnings)
    assert any("headline: used a shorter alternative" in w for w in result.warnings)


def test_fitting_never_overflows_even_without_alternatives(make_request, check) -> None:
    fmt = catalogue()["iab-320x50"]
    long = "Supercalifragilistic expialidocious coffee roasted by astronauts on the far side of the moon"
    copy = CopyResult(fields={"headline": long, "cta": "Go"}, language="en", direction="ltr")
    for layout in ("banner", "hero", "quote"):
        result = LayoutComposer().compose(make_request(fmt, layout, copy=copy))
        check(result, fmt)
        assert result.warnings


def test_headline_outranks_body(make_request) -> None:
    for fid in ("meta-feed-1x1", "iab-300x250", "google-display-1.91x1", "iab-160x600"):
        fmt = catalogue()[fid]
        result = LayoutComposer().compose(make_request(fmt, "hero", copy=ENGLISH))
        sizes = {e.kind: e.font_px for e in result.elements if e.font_px}
        assert sizes["headline"] >= sizes["body"] * 1.5, (fid, sizes)
