"""channel.spec: size, ratio, file size, file type from the bytes, colour mode, safe zone, text limits."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from planted import Layout, encode, render

from assetline.engines.base import Element
from assetline.qc.base import AssetUnderCheck, CheckContext
from assetline.qc.checks.channel import ChannelSpecCheck
from assetline.qc.filetype import encoding, sniff
from assetline.spec import get_format

CHECK = ChannelSpecCheck()


def run(
    img: Image.Image,
    fmt: str | None,
    data: bytes | None = None,
    kind: str = "jpeg",
    elements: tuple[Element, ...] | None = None,
    copy: dict[str, str] | None = None,
):
    payload = data if data is not None else encode(img, kind)
    asset = AssetUnderCheck(
        image=img,
        data=payload,
        file_type=kind,
        format=get_format(fmt) if fmt else None,
        elements=elements,
        copy=copy,
    )
    return CHECK.run(asset, CheckContext())


def sub(result, name: str) -> str:
    return result.evidence["checks"][name]["status"]


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("JPEG", "jpeg"), ("PNG", "png"), ("GIF", "gif"), ("WEBP", "webp"), ("BMP", "bmp"), ("TIFF", "tiff")],
)
def test_sniff_reads_the_magic_number(kind: str, expected: str) -> None:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, kind)
    assert sniff(buf.getvalue()) == expected
    assert sniff(b"not an image at all") is None


def test_clean_asset_meets_spec() -> None:
    img, els = render(Layout())
    r = run(
        img, "meta-feed-1x1", elements=els, copy={"headline": "Fresh roast, delivered", "cta": "Order now"}
    )
    assert r.status == "pass", r.message
    assert all(c["status"] == "pass" for c in r.evidence["checks"].values())


def test_wrong_size_and_ratio() -> None:
    img, _ = render(Layout())
    r = run(img, "meta-feed-4x5")
    assert r.status == "fail" and sub(r, "size") == "fail" and sub(r, "ratio") == "fail"
    r = run(img.resize((1200, 1200)), "meta-feed-1x1")
    assert sub(r, "size") == "fail" and sub(r, "ratio") == "pass"


def test_file_size_limit_and_type() -> None:
    rng = np.random.default_rng(0)
    noisy = Image.fromarray(rng.integers(0, 255, (250, 300, 3), dtype=np.uint8))
    r = run(noisy, "iab-300x250", kind="png")
    assert sub(r, "file_size") == "fail" and r.evidence["checks"]["file_size"]["kb"] > 150
    r = run(noisy, "meta-feed-1x1", kind="webp")
    assert sub(r, "file_type") == "fail"


def test_cmyk_and_16_bit_fail_and_transparency_warns() -> None:
    img = Image.new("RGB", (300, 250), (20, 33, 61))
    buf = io.BytesIO()
    img.convert("CMYK").save(buf, "JPEG")
    assert sub(run(img, "iab-300x250", data=buf.getvalue()), "colour_mode") == "fail"
    buf = io.BytesIO()
    Image.fromarray(np.full((250, 300), 30000, dtype=np.uint16)).save(buf, "PNG")
    assert encoding(buf.getvalue()).bits == 16
    assert sub(run(img, "iab-300x250", data=buf.getvalue(), kind="png"), "colour_mode") == "fail"
    rgba = Image.new("RGBA", (300, 250), (20, 33, 61, 128))
    r = run(rgba, "iab-300x250", kind="png")
    assert sub(r, "colour_mode") == "warn"


def test_safe_zone_needs_elements() -> None:
    img, els = render(Layout(size=(1080, 1920), panel_share=0.3, logo_pos=(60, 60)))
    r = run(img, "meta-stories-9x16", elements=els)
    assert sub(r, "safe_zone") == "fail"
    hits = r.evidence["checks"]["safe_zone"]["hits"]
    assert {"element": "logo", "box": [60, 60, 256, 130], "margin": "top"} in hits
    assert sub(run(img, "meta-stories-9x16"), "safe_zone") == "na"


def test_text_limits() -> None:
    img, _ = render(Layout())
    r = run(img, "meta-feed-1x1", copy={"headline": "x" * 41, "cta": "Order now"})
    assert sub(r, "text_limits") == "fail" and "headline 41/40" in r.message
    assert sub(run(img, "meta-feed-1x1"), "text_limits") == "na"


def test_without_a_format_only_colour_mode_is_judged() -> None:
    img, _ = render(Layout())
    r = run(img, None)
    assert r.status == "pass" and sub(r, "size") == "na" and sub(r, "colour_mode") == "pass"
