"""brand.logo: size and clear space, from layout metadata or by finding the logo in the pixels."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from planted import Layout, brand, logo, photo, render

from assetline.qc.base import AssetUnderCheck, CheckContext
from assetline.qc.checks.logo import LogoCheck, required_height
from assetline.qc.logomatch import find_logo
from assetline.qc.standalone import logo_templates

CHECK = LogoCheck()


def context(**settings: object) -> CheckContext:
    return CheckContext(
        settings={"brand.logo": settings}, resources={"logo_templates": logo_templates(brand())}
    )


def run(lay: Layout, with_elements: bool, **settings: object):
    img, els = render(lay)
    return CHECK.run(
        AssetUnderCheck(image=img, brand=brand().kit, elements=els if with_elements else None),
        context(**settings),
    )


def test_required_height_scales_with_the_canvas() -> None:
    rule = brand().kit.logos[0]
    assert required_height(rule, 1080, 1080, 0.025) == 27
    assert required_height(rule, 300, 250, 0.025) == rule.min_height_px == 16


def test_clean_layout_passes_both_ways() -> None:
    assert run(Layout(), True).status == "pass"
    r = run(Layout(), False)
    assert r.status == "pass", r.message
    assert r.evidence["logos"][0]["logo_id"] == "orbit-light"


@pytest.mark.parametrize("height", [12, 20, 26])
def test_undersized_logo_fails(height: int) -> None:
    r = run(Layout(logo_h=height), True)
    assert r.status == "fail" and "below the minimum 27 px" in r.message


def test_cramped_logo_fails_with_the_intruder_named() -> None:
    lw = round(70 * logo("light").width / logo("light").height)
    lay = Layout(extra_text=((1080 - 60 - lw - 110, 1080 - 60 - 50), "Since 2024", 22, (255, 255, 255)))
    r = run(lay, True)
    assert r.status == "fail" and r.evidence["logos"][0]["intruders"][0]["element"] == "body"
    r = run(lay, False)
    assert r.status == "fail" and "text" in r.message


def test_logo_against_the_canvas_edge_fails() -> None:
    r = run(Layout(logo_pos=(1080 - 197, 1080 - 72)), True)
    assert r.status == "fail" and "canvas edge" in r.message


def test_missing_logo_follows_the_policy() -> None:
    img = photo("coffee").resize((600, 600))
    asset = AssetUnderCheck(image=img, brand=brand().kit, elements=())
    assert CHECK.run(asset, context()).status == "warn"
    assert CHECK.run(asset, context(missing="fail")).status == "fail"


@pytest.mark.parametrize(
    ("name", "version", "height", "pos"),
    [
        ("coffee", "dark", 40, (500, 120)),
        ("astronaut", "light", 64, (40, 900)),
        ("rocket", "light", 150, (300, 500)),
        ("chelsea", "dark", 100, (700, 60)),
    ],
)
def test_find_logo_in_photos(name: str, version: str, height: int, pos: tuple[int, int]) -> None:
    img = photo(name).resize((1080, 1080))
    lg = logo(version)
    small = lg.resize((round(height * lg.width / lg.height), height), Image.Resampling.LANCZOS)
    img.paste(small, pos, small)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85)
    match = find_logo(np.asarray(Image.open(buf).convert("RGB")), logo_templates(brand()))
    assert match is not None and match.logo_id == f"orbit-{version}"
    assert abs(match.box[0] - pos[0]) <= 3 and abs(match.box[1] - pos[1]) <= 3
    assert abs((match.box[3] - match.box[1]) - height) <= max(2, 0.05 * height)


@pytest.mark.parametrize("name", ["coffee", "astronaut", "chelsea", "rocket"])
def test_no_false_logo_in_plain_photos(name: str) -> None:
    assert find_logo(np.asarray(photo(name).resize((720, 720))), logo_templates(brand())) is None


def test_no_brand_logo_is_na() -> None:
    kit = brand().kit.model_copy(update={"logos": []})
    r = CHECK.run(AssetUnderCheck(image=Image.new("RGB", (64, 64)), brand=kit), CheckContext())
    assert r.status == "na"
