"""text.contrast: WCAG 2.x against the rendered pixels, with and without layout metadata."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw
from planted import CREMA, NAVY, WHITE, font, photo, ratio

from assetline.engines.base import Element
from assetline.qc.base import AssetUnderCheck, CheckContext
from assetline.qc.checks.contrast import ContrastCheck, is_large

CHECK = ContrastCheck()
TEXT = "Fresh roast, delivered daily"


def draw(
    bg: tuple[int, int, int], fg: tuple[int, int, int], px: int, bold: bool = False
) -> tuple[Image.Image, Element]:
    img = Image.new("RGB", (1080, 1080), bg)
    img.paste(photo("chelsea").resize((1080, 500)), (0, 0))
    d = ImageDraw.Draw(img)
    box = d.textbbox((60, 700), TEXT, font=font(px))
    d.text((60, 700), TEXT, font=font(px), fill=fg)
    el = Element("body", box, TEXT, px, "#{:02X}{:02X}{:02X}".format(*fg), extra={"bold": bold})
    return img, el


def run(img: Image.Image, elements: tuple[Element, ...] | None, **settings: object):
    return CHECK.run(
        AssetUnderCheck(image=img, elements=elements), CheckContext(settings={"text.contrast": settings})
    )


@pytest.mark.parametrize(
    ("bg", "fg", "px"),
    [
        (CREMA, (150, 150, 150), 20),
        (CREMA, (118, 118, 118), 20),
        (NAVY, WHITE, 14),
        (NAVY, (60, 75, 110), 48),
    ],
)
def test_measured_ratio_matches_the_colours_on_flat_fills(bg, fg, px) -> None:
    img, el = draw(bg, fg, px)
    item = run(img, (el,)).evidence["items"][0]
    assert item["ratio"] == pytest.approx(ratio(bg, fg), rel=0.04)


def test_thresholds_normal_large_and_bold() -> None:
    assert not is_large(18, False) and is_large(24, False) and is_large(19, True) and not is_large(18, True)
    grey = (130, 130, 130)  # 3.4:1 on crema: fails small text, passes large text
    assert 3.0 < ratio(CREMA, grey) < 4.5
    assert run(*[draw(CREMA, grey, 18)[0], (draw(CREMA, grey, 18)[1],)]).status == "fail"
    img, el = draw(CREMA, grey, 30)
    assert run(img, (el,)).status == "pass"
    img, el = draw(CREMA, grey, 20, bold=True)
    assert run(img, (el,)).status == "pass"
    assert run(img, (el,), level="AAA").status == "fail"


def test_worst_case_background_on_a_busy_photo() -> None:
    img = photo("astronaut").resize((1080, 1080))
    d = ImageDraw.Draw(img)
    box = d.textbbox((300, 300), "Mission", font=font(72))
    d.text((300, 300), "Mission", font=font(72), fill=(200, 200, 200))
    r = run(img, (Element("headline", box, "Mission", 72, "#C8C8C8"),))
    item = r.evidence["items"][0]
    assert (
        item["worst_background_luminance"] > item["median_background_luminance"]
    )  # light text: the lightest bg


def test_without_metadata_text_is_found_and_measured() -> None:
    img, _ = draw(CREMA, (175, 170, 160), 40)
    r = run(img, None)
    assert r.status == "fail" and r.evidence["source"] == "detected"
    assert r.evidence["items"][0]["ratio"] == pytest.approx(ratio(CREMA, (175, 170, 160)), rel=0.08)
    img, _ = draw(NAVY, WHITE, 40)
    assert run(img, None).status == "pass"


@pytest.mark.parametrize("name", ["coffee", "astronaut", "chelsea", "rocket"])
def test_photos_without_text_are_na(name: str) -> None:
    r = run(photo(name).resize((1080, 1080)), None)
    assert r.status == "na"


def test_no_text_elements_is_na() -> None:
    assert run(Image.new("RGB", (200, 200), NAVY), ()).status == "na"
