"""Format shapes, margins, safe zones and the type scale."""

from __future__ import annotations

import pytest

from assetline.engines.compose.grid import classify, make_grid
from assetline.spec import catalogue


@pytest.mark.parametrize(
    ("size", "shape"),
    [
        ((728, 90), "banner-wide"),
        ((320, 50), "banner-wide"),
        ((970, 250), "banner-wide"),
        ((1200, 628), "landscape"),
        ((1280, 720), "landscape"),
        ((1080, 1080), "square"),
        ((300, 250), "square"),
        ((1080, 1350), "portrait"),
        ((1000, 1500), "portrait"),
        ((1080, 1920), "tall"),
        ((160, 600), "skyscraper"),
        ((300, 600), "skyscraper"),
    ],
)
def test_shapes(size, shape) -> None:
    assert classify(*size) == shape


@pytest.mark.parametrize("format_id", sorted(catalogue()))
def test_content_box_respects_margins_and_safe_zones(format_id) -> None:
    fmt = catalogue()[format_id]
    grid = make_grid(fmt, 1.25)
    x0, t, r, b = grid.content
    sz = fmt.safe_zone
    assert x0 >= max(grid.margin_x, sz.left) and r <= fmt.width - max(grid.margin_x, sz.right)
    assert t >= max(grid.margin_y, sz.top) and b <= fmt.height - max(grid.margin_y, sz.bottom)
    assert r - x0 > fmt.width * 0.5 and b - t > fmt.height * 0.3
    assert grid.px(0) < grid.px(1) < grid.px(4)
    assert grid.min_px("body") >= 9 and grid.min_px("headline") > grid.min_px("body")


def test_rtl_mirrors_the_content_box() -> None:
    fmt = catalogue()["meta-reels-9x16"]  # right safe zone (130) wider than the left (65)
    grid = make_grid(fmt, 1.25)
    x0, t, r, b = grid.content
    assert grid.logical_content(rtl=True) == (fmt.width - r, t, fmt.width - x0, b)
