"""Every layout on every catalogue format: inside the canvas and safe zones, no overlaps, logo clear space
kept, and WCAG AA contrast measured independently from the rendered pixels."""

from __future__ import annotations

import io

import numpy as np
import pytest
from compose_support import ARABIC, BACKGROUNDS, HINDI
from PIL import Image

from assetline.engines.base import ComposeEngine
from assetline.engines.compose import LayoutComposer
from assetline.engines.compose.grid import make_grid
from assetline.engines.compose.layouts import LAYOUTS
from assetline.engines.registry import EngineRegistry
from assetline.errors import EngineError
from assetline.spec import catalogue

FORMATS = sorted(catalogue())
LAYOUT_NAMES = list(LAYOUTS)
BG_NAMES = list(BACKGROUNDS)
CASES = [(layout, fid) for layout in LAYOUT_NAMES for fid in FORMATS]


def test_six_layouts() -> None:
    assert set(LAYOUTS) == {"hero", "split", "typographic", "product", "quote", "banner"}


@pytest.mark.parametrize(("layout", "format_id"), CASES)
def test_every_layout_on_every_format(layout, format_id, make_request, check) -> None:
    fmt = catalogue()[format_id]
    i = LAYOUT_NAMES.index(layout) + FORMATS.index(format_id)
    background = BACKGROUNDS[BG_NAMES[i % len(BG_NAMES)]](fmt.size)
    result = LayoutComposer().compose(make_request(fmt, layout, background, seed=i % 2))
    assert result.layout == layout
    check(result, fmt)
    assert all(isinstance(w, str) and w for w in result.warnings)


@pytest.mark.parametrize("copy", [ARABIC, HINDI], ids=["arabic", "hindi"])
@pytest.mark.parametrize("format_id", ["meta-feed-1x1", "iab-300x250", "iab-728x90", "meta-stories-9x16"])
@pytest.mark.parametrize("layout", LAYOUT_NAMES)
def test_other_scripts_on_key_formats(layout, format_id, copy, make_request, check) -> None:
    fmt = catalogue()[format_id]
    background = BACKGROUNDS["dark" if layout in ("hero", "product") else "light-to-dark"](fmt.size)
    result = LayoutComposer().compose(make_request(fmt, layout, background, copy=copy))
    check(result, fmt)
    headline = next(e for e in result.elements if e.kind == "headline")
    assert headline.extra["script"] == ("arabic" if copy is ARABIC else "devanagari")


def test_photo_background_gets_a_scrim_and_stays_legible(make_request, check) -> None:
    from skimage import data

    fmt = catalogue()["meta-feed-1x1"]
    photo = Image.fromarray(data.coffee()).resize(fmt.size)
    result = LayoutComposer().compose(make_request(fmt, "hero", photo))
    check(result, fmt)
    assert any(e.kind == "scrim" for e in result.elements)


def test_rtl_mirrors_the_layout(make_request) -> None:
    fmt = catalogue()["meta-feed-1x1"]
    content = make_grid(fmt, 1.25).content
    bg = BACKGROUNDS["dark"](fmt.size)
    ltr = LayoutComposer().compose(make_request(fmt, "hero", bg))
    rtl = LayoutComposer().compose(make_request(fmt, "hero", bg, copy=ARABIC))

    def get(result, kind):
        return next(e for e in result.elements if e.kind == kind)

    assert get(ltr, "headline").extra["align"] == "left"
    assert get(rtl, "headline").extra["align"] == "right"
    assert get(ltr, "headline").box[0] == content[0]
    assert get(rtl, "headline").box[2] == content[2]
    assert get(ltr, "logo").box[0] == content[0]
    assert get(rtl, "logo").box[2] == content[2]
    assert get(rtl, "button").box[2] == content[2]
    assert get(rtl, "headline").extra["direction"] == "rtl"


def test_split_puts_the_picture_on_the_other_side_for_rtl(make_request) -> None:
    fmt = catalogue()["google-display-1.91x1"]
    bg = BACKGROUNDS["dusk"](fmt.size)
    ltr = LayoutComposer().compose(make_request(fmt, "split", bg))
    rtl = LayoutComposer().compose(make_request(fmt, "split", bg, copy=ARABIC))
    pic_ltr = next(e for e in ltr.elements if e.kind == "subject")
    pic_rtl = next(e for e in rtl.elements if e.kind == "subject")
    assert pic_ltr.box[0] == 0 and pic_rtl.box[2] == fmt.width


def test_same_request_same_bytes(make_request) -> None:
    from skimage import data

    fmt = catalogue()["meta-feed-4x5"]
    photo = Image.fromarray(data.astronaut()).resize(fmt.size)
    images = []
    for _ in range(2):
        result = LayoutComposer().compose(make_request(fmt, "hero", photo, seed=7))
        buf = io.BytesIO()
        result.image.save(buf, format="PNG")
        images.append(buf.getvalue())
    assert images[0] == images[1]


def test_entry_point() -> None:
    engine = EngineRegistry.discover().get("builtin.compose", "compose")
    assert isinstance(engine, LayoutComposer)
    assert isinstance(engine, ComposeEngine)
    assert (engine.id, engine.modality) == ("builtin.compose", "compose")


def test_default_layout_follows_the_format(make_request) -> None:
    cat = catalogue()
    strip = LayoutComposer().compose(make_request(cat["iab-728x90"], None))
    assert strip.layout == "banner"
    flat = LayoutComposer().compose(make_request(cat["meta-feed-1x1"], None))
    assert flat.layout == "typographic"
    rng = np.random.default_rng(1)
    noisy = Image.fromarray(rng.integers(0, 255, (1080, 1080, 3), dtype=np.uint8))
    assert LayoutComposer().compose(make_request(cat["meta-feed-1x1"], None, noisy)).layout == "hero"


@pytest.mark.parametrize(("bg", "logo_id"), [("dark", "orbit-light"), ("light", "orbit-dark")])
def test_logo_version_follows_the_background(bg, logo_id, make_request) -> None:
    fmt = catalogue()["iab-300x250"]
    result = LayoutComposer().compose(make_request(fmt, "hero", BACKGROUNDS[bg](fmt.size)))
    logo = next(e for e in result.elements if e.kind == "logo")
    assert logo.extra["logo_id"] == logo_id
    assert logo.box[3] - logo.box[1] >= 16
    assert logo.contrast is not None and logo.contrast >= 3.0


def test_bad_requests_raise_exact_errors(make_request, fonts) -> None:
    from dataclasses import replace

    fmt = catalogue()["iab-300x250"]
    ok = make_request(fmt, "hero")
    with pytest.raises(EngineError, match="background is 10×10, but format 'iab-300x250' is 300×250"):
        LayoutComposer().compose(replace(ok, background=Image.new("RGB", (10, 10))))
    with pytest.raises(EngineError, match="unknown layout 'poster'"):
        LayoutComposer().compose(replace(ok, layout="poster"))
    with pytest.raises(EngineError, match="copy has no headline"):
        LayoutComposer().compose(replace(ok, copy=replace(ok.copy, fields={"headline": " "})))
    with pytest.raises(EngineError, match="no font for role 'body'"):
        LayoutComposer().compose(replace(ok, fonts={"headline": fonts["headline"]}))
    with pytest.raises(EngineError, match="logo 'nope' is not in brand kit 'orbit-coffee'"):
        LayoutComposer().compose(replace(ok, logos={"nope": fonts["headline"]}))


def test_logo_below_its_minimum_is_reported(make_request, kit) -> None:
    from dataclasses import replace

    big_min = kit.kit.model_copy(
        update={"logos": [lg.model_copy(update={"min_height_px": 60}) for lg in kit.kit.logos]}
    )
    fmt = catalogue()["iab-320x50"]
    result = LayoutComposer().compose(replace(make_request(fmt, "banner"), brand=big_min))
    logo = next(e for e in result.elements if e.kind == "logo")
    assert logo.box[3] - logo.box[1] < 60
    assert any("below its minimum height 60 px" in w for w in result.warnings)
    fmt = catalogue()["meta-feed-1x1"]
    result = LayoutComposer().compose(replace(make_request(fmt, "hero"), brand=big_min))
    logo = next(e for e in result.elements if e.kind == "logo")
    assert logo.box[3] - logo.box[1] >= 60 and not any("minimum height" in w for w in result.warnings)


def test_headline_only_copy_and_a_kit_without_logos(make_request, kit, check) -> None:
    from dataclasses import replace

    from assetline.engines.base import CopyResult

    bare = kit.kit.model_copy(update={"logos": []})
    copy = CopyResult(fields={"headline": "Lift-off in every cup"}, language="en", direction="ltr")
    for fid in ("meta-feed-1x1", "iab-728x90", "iab-160x600"):
        fmt = catalogue()[fid]
        for layout in LAYOUT_NAMES:
            result = LayoutComposer().compose(
                replace(make_request(fmt, layout, copy=copy), brand=bare, logos={})
            )
            check(result, fmt)
            kinds = {e.kind for e in result.elements}
            assert "logo" not in kinds and "button" not in kinds and "cta" not in kinds
            assert "no logo placed: the brand kit has no logo file" in result.warnings
