"""The legal line (required disclaimers): on every layout and format, at the foot of the copy, at the smallest
legible size, never overlapping anything, at 4.5:1 measured from the pixels — or left out with a warning."""

from __future__ import annotations

import io
import math
from dataclasses import replace
from functools import cache

import numpy as np
import pytest
from compose_support import ARABIC, BACKGROUNDS, ENGLISH, HINDI
from PIL import Image

from assetline.engines.base import CopyResult
from assetline.engines.compose import LayoutComposer
from assetline.engines.compose.grid import make_grid
from assetline.engines.compose.layouts import LAYOUTS
from assetline.spec import catalogue

FORMATS = sorted(catalogue())
LAYOUT_NAMES = list(LAYOUTS)
BG_NAMES = [*BACKGROUNDS, "photo"]
LEGAL = ("Offer valid while stocks last.",)
COPY_KINDS = ("headline", "body", "cta", "button")


@cache
def _photo(size: tuple[int, int]) -> Image.Image:
    from skimage import data

    return Image.fromarray(data.coffee()).resize(size)


def background(name: str, size: tuple[int, int]) -> Image.Image:
    return _photo(size) if name == "photo" else BACKGROUNDS[name](size)


def get(result, kind: str):
    return next((e for e in result.elements if e.kind == kind), None)


def check_legal(result, fmt, legal: tuple[str, ...] = LEGAL) -> None:
    """The legal line is where the rule puts it (check_composition covers overlaps, safe zones, contrast)."""
    grid = make_grid(fmt, 1.25)
    line = get(result, "legal")
    assert line is not None, result.warnings
    assert line.text == " ".join(legal)
    assert line.font_px >= max(9, grid.min_px("body")), "legal line below the smallest legible size"
    assert line.extra["required_contrast"] == 4.5 and line.contrast >= 4.5
    assert len(line.extra["lines"]) <= 2 + len(legal) - 1
    cl, ct, cr, cb = grid.content
    x0, t, r, b = line.box
    assert cl <= x0 and ct <= t and r <= cr and b <= cb, f"legal {line.box} outside the content box {grid.content}"
    # The foot: below the headline and body; below the button or beside it (one-row strips).
    for e in result.elements:
        if e.kind in ("headline", "body"):
            assert t >= e.box[3], f"legal {line.box} not below the {e.kind} {e.box}"
        if e.kind == "button":
            assert t >= e.box[3] or r <= e.box[0] or x0 >= e.box[2], f"legal {line.box} under button {e.box}"
    # On the copy's grid: the same column edge and alignment as the headline.
    headline = get(result, "headline")
    assert line.extra["align"] == headline.extra["align"]
    if headline.extra["align"] == "left":
        assert x0 == headline.box[0]
    elif headline.extra["align"] == "right":
        assert r == headline.box[2]
    # The headline leads: at least two steps of the type scale above the legal line.
    assert headline.font_px >= math.ceil(line.font_px * 1.25**2)
    assert not any(w.startswith("legal line left out") for w in result.warnings)


@pytest.mark.parametrize(("layout", "format_id"), [(lay, fid) for lay in LAYOUT_NAMES for fid in FORMATS])
def test_legal_line_on_every_layout_and_format(layout, format_id, make_request, check, fonts) -> None:
    fmt = catalogue()[format_id]
    i = LAYOUT_NAMES.index(layout) + FORMATS.index(format_id)
    bg = background(BG_NAMES[i % len(BG_NAMES)], fmt.size)
    request = replace(make_request(fmt, layout, bg, seed=i % 2), legal=LEGAL)
    result = LayoutComposer().compose(request)
    check(result, fmt)
    check_legal(result, fmt)
    line = get(result, "legal")
    assert line.extra["font_file"] == str(fonts["body"]) and line.extra["script"] == "latin"
    assert "cta" in {e.kind for e in result.elements}, "the legal line must never cost the CTA"


KEY_FORMATS = ["meta-feed-1x1", "iab-300x250", "iab-728x90", "meta-stories-9x16", "iab-160x600"]


@pytest.mark.parametrize("format_id", KEY_FORMATS)
@pytest.mark.parametrize("layout", LAYOUT_NAMES)
def test_rtl_copy_keeps_an_english_legal_line_in_latin_at_the_start_side(layout, format_id, make_request, check):
    fmt = catalogue()[format_id]
    bg = BACKGROUNDS["dark" if layout in ("hero", "product") else "light-to-dark"](fmt.size)
    result = LayoutComposer().compose(replace(make_request(fmt, layout, bg, copy=ARABIC), legal=LEGAL))
    check(result, fmt)
    check_legal(result, fmt)
    line = get(result, "legal")
    assert (line.extra["script"], line.extra["direction"]) == ("latin", "ltr")
    assert line.extra["align"] == ("centre" if get(result, "headline").extra["align"] == "centre" else "right")


@pytest.mark.parametrize(("copy", "script"), [(ARABIC, "arabic"), (HINDI, "devanagari")], ids=["arabic", "hindi"])
def test_a_legal_line_in_another_script_is_shaped_in_it(copy, script, make_request, check, fonts) -> None:
    fmt = catalogue()["meta-feed-1x1"]
    text = {"arabic": "العرض ساري حتى نفاد الكمية.", "devanagari": "ऑफ़र स्टॉक रहने तक मान्य।"}[script]
    result = LayoutComposer().compose(replace(make_request(fmt, "split", copy=copy), legal=(text,)))
    check(result, fmt)
    check_legal(result, fmt, (text,))
    line = get(result, "legal")
    assert line.extra["script"] == script and line.extra["font_file"] == str(fonts[script])
    assert line.extra["direction"] == ("rtl" if script == "arabic" else "ltr")


def test_size_follows_the_format(make_request) -> None:
    sizes = {}
    for fid in ("iab-320x50", "iab-300x250", "meta-feed-1x1", "meta-stories-9x16"):
        fmt = catalogue()[fid]
        result = LayoutComposer().compose(replace(make_request(fmt, "banner"), legal=LEGAL))
        sizes[fid] = get(result, "legal").font_px
    assert sizes["iab-320x50"] == sizes["iab-300x250"] == 9
    assert 16 <= sizes["meta-feed-1x1"] <= 20
    assert 20 <= sizes["meta-stories-9x16"] <= 26


def test_left_out_with_a_warning_when_there_is_no_room(make_request, check) -> None:
    """Arabic copy has no shorter alternatives: at 320×50 the legal line would cost the CTA or the headline's
    lead, so the ad is composed exactly as without it, and the warning says so."""
    fmt = catalogue()["iab-320x50"]
    for layout in LAYOUT_NAMES:
        plain = make_request(fmt, layout, copy=ARABIC)
        result = LayoutComposer().compose(replace(plain, legal=LEGAL))
        check(result, fmt)
        assert get(result, "legal") is None and get(result, "cta") is not None
        left_out = [w for w in result.warnings if w.startswith("legal line left out")]
        assert left_out == [
            f"legal line left out: no room at 320×50 ({layout} layout) for 'Offer valid while stocks last.' at "
            "9 px (the smallest legible size) beside a legible headline and the CTA"
        ]
        without = LayoutComposer().compose(plain)
        assert result.image.tobytes() == without.image.tobytes()
        assert result.elements == without.elements
        assert [w for w in result.warnings if w not in left_out] == list(without.warnings)


def test_english_strip_uses_a_shorter_headline_before_leaving_the_legal_line_out(make_request, check) -> None:
    fmt = catalogue()["iab-320x50"]
    result = LayoutComposer().compose(replace(make_request(fmt, "banner"), legal=LEGAL))
    check(result, fmt)
    check_legal(result, fmt)
    assert get(result, "headline").text in ENGLISH.alternatives["headline"]
    assert "headline: used a shorter alternative to fit 320×50 (banner layout)" in result.warnings


def test_a_long_legal_text_wraps_to_two_lines_or_is_left_out(make_request, check) -> None:
    long = ("Offer valid while stocks last at participating London stores; one per customer, no cash value.",)
    for fid in ("iab-300x250", "iab-160x600", "meta-feed-1x1", "iab-728x90"):
        fmt = catalogue()[fid]
        result = LayoutComposer().compose(replace(make_request(fmt, "hero"), legal=long))
        check(result, fmt)
        line = get(result, "legal")
        if line is None:
            assert any(w.startswith("legal line left out: no room at") for w in result.warnings)
        else:
            check_legal(result, fmt, long)
    fmt = catalogue()["iab-300x250"]
    line = get(LayoutComposer().compose(replace(make_request(fmt, "hero"), legal=long)), "legal")
    assert line is not None and len(line.extra["lines"]) == 2
    fmt = catalogue()["iab-160x600"]  # four lines in a 120 px column: more than a legal line may take
    result = LayoutComposer().compose(replace(make_request(fmt, "hero"), legal=long))
    assert get(result, "legal") is None and any(w.startswith("legal line left out") for w in result.warnings)


def test_several_disclaimers_make_one_paragraph(make_request, check) -> None:
    fmt = catalogue()["meta-feed-4x5"]
    legal = ("Offer valid while stocks last.", "Alcohol-free. 18+ only.", "Offer valid while stocks last.")
    result = LayoutComposer().compose(replace(make_request(fmt, "split"), legal=legal))
    check(result, fmt)
    check_legal(result, fmt, legal[:2])


def test_product_staged_upright_puts_the_legal_line_under_the_card(make_request, check) -> None:
    for fid in ("meta-feed-4x5", "meta-stories-9x16", "iab-160x600"):
        fmt = catalogue()[fid]
        result = LayoutComposer().compose(replace(make_request(fmt, "product"), legal=LEGAL))
        check(result, fmt)
        check_legal(result, fmt)
        card = next(e for e in result.elements if e.extra.get("role") == "product-card")
        assert get(result, "legal").box[1] >= card.box[3]


def test_photo_legal_line_is_covered_by_the_scrim(make_request, check) -> None:
    from skimage import data

    fmt = catalogue()["meta-feed-1x1"]
    photo = Image.fromarray(data.astronaut()).resize(fmt.size)
    result = LayoutComposer().compose(replace(make_request(fmt, "hero", photo), legal=LEGAL))
    check(result, fmt)
    check_legal(result, fmt)
    scrim = next(e for e in result.elements if e.kind == "scrim")
    line = get(result, "legal").box
    assert scrim.box[1] <= line[1] and scrim.box[3] >= line[3]


def test_no_legal_no_line(make_request) -> None:
    fmt = catalogue()["iab-300x250"]
    result = LayoutComposer().compose(make_request(fmt, "hero"))
    assert get(result, "legal") is None and not any("legal" in w for w in result.warnings)
    blank = LayoutComposer().compose(replace(make_request(fmt, "hero"), legal=("  ",)))
    assert blank.image.tobytes() == result.image.tobytes()


def test_same_request_same_bytes_with_a_legal_line(make_request) -> None:
    from skimage import data

    fmt = catalogue()["meta-stories-9x16"]
    photo = Image.fromarray(data.astronaut()).resize(fmt.size)
    images = []
    for _ in range(2):
        result = LayoutComposer().compose(replace(make_request(fmt, "product", photo, seed=3), legal=LEGAL))
        buf = io.BytesIO()
        result.image.save(buf, format="PNG")
        images.append(buf.getvalue())
    assert images[0] == images[1]


def test_headline_only_copy_never_cuts_the_headline_for_the_legal_line(make_request, check) -> None:
    copy = CopyResult(fields={"headline": "Every great day starts with a launch"}, language="en", direction="ltr")
    for fid in ("iab-320x50", "iab-728x90", "iab-300x250"):
        fmt = catalogue()[fid]
        result = LayoutComposer().compose(replace(make_request(fmt, "hero", copy=copy), legal=LEGAL))
        check(result, fmt)
        headline = get(result, "headline")
        assert not headline.text.endswith("…")
        if get(result, "legal") is not None:
            check_legal(result, fmt)
        else:
            assert any(w.startswith("legal line left out") for w in result.warnings)


def test_legal_pixels_are_the_recorded_colour_on_a_busy_background(make_request, check) -> None:
    fmt = catalogue()["iab-300x250"]
    rng = np.random.default_rng(11)
    noise = Image.fromarray(rng.integers(0, 256, (250, 300, 3), dtype=np.uint8))
    for layout in ("hero", "typographic", "product"):
        result = LayoutComposer().compose(replace(make_request(fmt, layout, noise), legal=LEGAL))
        check(result, fmt)  # re-measures the legal line's contrast from the pixels
        check_legal(result, fmt)
