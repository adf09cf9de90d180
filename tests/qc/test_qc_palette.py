"""brand.palette: designed colours vs the palette; photos are not held to it."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw
from planted import CREMA, NAVY, Layout, brand, photo, render

from assetline.engines.base import Element
from assetline.qc.base import AssetUnderCheck, CheckContext
from assetline.qc.checks.palette import PaletteCheck
from assetline.qc.flatfill import find_fills
from assetline.qc.kmeans import weighted_kmeans

CHECK = PaletteCheck()


def run(
    img: Image.Image, elements: tuple[Element, ...] | None = None, **settings: object
) -> tuple[str, dict]:
    r = CHECK.run(
        AssetUnderCheck(image=img, brand=brand().kit, elements=elements),
        CheckContext(settings={"brand.palette": settings}),
    )
    return r.status, r.evidence


def jpeg(img: Image.Image, quality: int = 80) -> Image.Image:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


@pytest.mark.parametrize("name", ["coffee", "astronaut", "chelsea", "rocket"])
def test_photos_alone_are_not_judged(name: str) -> None:
    status, ev = run(jpeg(photo(name).resize((1080, 1080)), 75))
    assert status == "na"  # clipped black in the astronaut photo is found, but neutral
    assert all(d.get("neutral") for d in ev["dominant_colours"])


def test_gradients_are_not_fills() -> None:
    g = np.linspace(0, 1, 1080)[:, None, None]
    arr = (np.array(NAVY) * (1 - g) + np.array((252, 163, 17)) * g) * np.ones((1, 1080, 1))
    assert find_fills(Image.fromarray(arr.astype(np.uint8))).fills == []


@pytest.mark.parametrize(
    ("panel", "expected"),
    [
        (NAVY, "pass"),
        ((24, 37, 66), "pass"),
        ((26, 46, 80), "warn"),
        ((40, 60, 100), "fail"),
        ((30, 160, 90), "fail"),
    ],
)
def test_flat_panel_graded_by_delta_e(panel: tuple[int, int, int], expected: str) -> None:
    img = Image.new("RGB", (1080, 1080), panel)
    img.paste(photo("coffee").resize((1080, 700)), (0, 0))
    status, ev = run(jpeg(img, 85))
    assert status == expected, ev["dominant_colours"]
    top = ev["dominant_colours"][0]
    assert 0.30 < top["share"] < 0.37


def test_small_fills_below_min_share_do_not_count() -> None:
    img = Image.new("RGB", (1080, 1080), CREMA)
    ImageDraw.Draw(img).rectangle((100, 100, 200, 200), fill=(30, 160, 90))  # < 1 % of the image
    assert run(img)[0] == "pass"
    assert run(img, min_share=0.005)[0] == "fail"


def test_element_colours_are_exact_whatever_their_area() -> None:
    img, els = render(Layout(button=(0, 150, 80)))
    status, ev = run(img, els)
    assert status == "fail"
    assert any(d["element"] == "button" and d["status"] == "fail" for d in ev["designed_colours"])
    clean_img, clean_els = render(Layout())
    assert run(clean_img, clean_els)[0] == "pass"


def test_subject_box_hides_a_flat_photo_area() -> None:
    img = Image.new("RGB", (1080, 1080), NAVY)
    ImageDraw.Draw(img).rectangle(
        (0, 0, 1080, 500), fill=(30, 160, 90)
    )  # a flat 'photo' (e.g. a studio wall)
    assert run(img, ())[0] == "fail"
    assert run(img, (Element("subject", (0, 0, 1080, 500)),))[0] == "pass"


def test_tolerances_can_be_overridden() -> None:
    img = Image.new("RGB", (540, 540), (26, 46, 80))
    assert run(img)[0] == "warn"
    assert run(img, pass_delta_e=6.0, warn_delta_e=9.0)[0] == "pass"


def test_kmeans_is_deterministic_and_merges_duplicates() -> None:
    rng = np.random.default_rng(1)
    pts = np.vstack([rng.normal((50, 0, 0), 0.2, (300, 3)), rng.normal((20, 10, -30), 0.2, (100, 3))])
    c1, m1 = weighted_kmeans(pts, 6, seed=0, merge_delta_e=1.0)
    c2, _ = weighted_kmeans(pts, 6, seed=0, merge_delta_e=1.0)
    assert np.array_equal(c1, c2) and len(c1) == 2
    assert sorted(m1.tolist()) == [100.0, 300.0]
