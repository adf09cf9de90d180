"""A planted-defect suite for the image checks: clean assets and assets with one known defect each.

Each case is built from scratch (scikit-image photos, the demo kit's logos, Inter) the way a designer or
the composer would lay out an ad: a photo, a brand panel, a headline, a CTA button and the logo. One
defect is planted per defective case; ``target`` names the check that must flag it (warn or fail).
Clean cases must pass every image check. Half the layouts carry composer metadata (elements); the other
half are bare files, as a vendor would deliver them.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from skimage import data as skdata

from assetline.engines.base import Element
from assetline.qc.base import AssetUnderCheck
from assetline.qc.colourmath import contrast_ratio, relative_luminance
from assetline.spec import get_format, load_brand_kit
from assetline.spec.files import resolve_file
from assetline.spec.loader import LoadedBrand

KIT = Path(__file__).resolve().parents[2] / "src" / "assetline" / "examples" / "orbit-coffee" / "brand.yaml"
NAVY, ORANGE, BROWN, CREMA, INK, WHITE = (
    (20, 33, 61),
    (252, 163, 17),
    (111, 78, 55),
    (247, 241, 229),
    (11, 15, 26),
    (255, 255, 255),
)
PHOTOS = ("coffee", "astronaut", "chelsea", "rocket")


@cache
def brand() -> LoadedBrand:
    return load_brand_kit(KIT)


@cache
def font(size: int) -> ImageFont.FreeTypeFont:
    f = ImageFont.truetype(str(resolve_file("fontpkg:inter", KIT.parent)), size)
    f.set_variation_by_axes([min(32, max(14, size)), 600])
    return f


@cache
def photo(name: str) -> Image.Image:
    return Image.fromarray(getattr(skdata, name)()).convert("RGB")


@cache
def logo(version: str) -> Image.Image:
    return Image.open(KIT.parent / f"logo-{version}.png").convert("RGBA")


def hexc(rgb: tuple[int, int, int]) -> str:
    return "#{:02X}{:02X}{:02X}".format(*rgb)


def ratio(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    return float(contrast_ratio(relative_luminance(a), relative_luminance(b)))


@dataclass
class Layout:
    """A simple ad: photo on top, brand panel below with headline, CTA button and logo."""

    size: tuple[int, int] = (1080, 1080)
    photo: str = "coffee"
    panel: tuple[int, int, int] = NAVY
    panel_share: float = 0.42
    headline: str = "Fresh roast, delivered"
    headline_px: int = 56
    headline_colour: tuple[int, int, int] = WHITE
    cta: str = "Order now"
    cta_px: int = 34
    button: tuple[int, int, int] = ORANGE
    cta_colour: tuple[int, int, int] = INK
    logo_version: str = "light"
    logo_h: int = 70
    logo_pos: tuple[int, int] | None = None
    extra_text: tuple[tuple[int, int], str, int, tuple[int, int, int]] | None = None
    extra_fill: tuple[tuple[int, int, int, int], tuple[int, int, int]] | None = None
    margin: int = 60


def render(lay: Layout) -> tuple[Image.Image, tuple[Element, ...]]:
    w, h = lay.size
    img = Image.new("RGB", (w, h), lay.panel)
    panel_top = int(h * (1 - lay.panel_share))
    ph = photo(lay.photo)
    scale = max(w / ph.width, panel_top / ph.height)
    ph = ph.resize(
        (max(1, round(ph.width * scale)), max(1, round(ph.height * scale))), Image.Resampling.LANCZOS
    )
    left = (ph.width - w) // 2
    img.paste(ph.crop((left, 0, left + w, panel_top)), (0, 0))
    draw = ImageDraw.Draw(img)
    elements: list[Element] = [Element("subject", (0, 0, w, panel_top))]
    m = lay.margin
    y = panel_top + m // 2
    # Headline.
    hb = draw.textbbox((m, y), lay.headline, font=font(lay.headline_px))
    draw.text((m, y), lay.headline, font=font(lay.headline_px), fill=lay.headline_colour)
    elements.append(
        Element("headline", hb, lay.headline, lay.headline_px, hexc(lay.headline_colour), hexc(lay.panel))
    )
    # CTA button.
    y = hb[3] + m // 2
    tb = draw.textbbox((0, 0), lay.cta, font=font(lay.cta_px))
    bw, bh = tb[2] - tb[0] + 2 * lay.cta_px, tb[3] - tb[1] + lay.cta_px
    button = (m, y, m + bw, y + bh)
    draw.rounded_rectangle(button, radius=bh // 4, fill=lay.button)
    tx, ty = m + lay.cta_px - tb[0], y + lay.cta_px // 2 - tb[1]
    cb = draw.textbbox((tx, ty), lay.cta, font=font(lay.cta_px))
    draw.text((tx, ty), lay.cta, font=font(lay.cta_px), fill=lay.cta_colour)
    elements.append(Element("button", button, None, None, None, hexc(lay.button)))
    elements.append(
        Element("cta", cb, lay.cta, lay.cta_px, hexc(lay.cta_colour), hexc(lay.button), extra={"bold": True})
    )
    # Logo, bottom right by default.
    lg = logo(lay.logo_version)
    lw = round(lay.logo_h * lg.width / lg.height)
    small = lg.resize((lw, lay.logo_h), Image.Resampling.LANCZOS)
    pos = lay.logo_pos or (w - m - lw, h - m - lay.logo_h)
    img.paste(small, pos, small)
    elements.append(
        Element(
            "logo",
            (pos[0], pos[1], pos[0] + lw, pos[1] + lay.logo_h),
            colour=None,
            extra={"logo_id": f"orbit-{lay.logo_version}"},
        )
    )
    if lay.extra_fill is not None:
        draw.rectangle(lay.extra_fill[0], fill=lay.extra_fill[1])
        elements.append(Element("scrim", lay.extra_fill[0], background=hexc(lay.extra_fill[1])))
    if lay.extra_text is not None:
        (x0, y0), text, px, colour = lay.extra_text
        eb = draw.textbbox((x0, y0), text, font=font(px))
        draw.text((x0, y0), text, font=font(px), fill=colour)
        elements.append(Element("body", eb, text, px, hexc(colour)))
    return img, tuple(elements)


def encode(img: Image.Image, kind: str = "jpeg", **opts: Any) -> bytes:
    buf = io.BytesIO()
    if kind == "jpeg":
        img.save(buf, "JPEG", quality=opts.get("quality", 90))
    elif kind == "png":
        img.save(buf, "PNG")
    else:
        img.save(buf, kind.upper())
    return buf.getvalue()


@dataclass
class Case:
    name: str
    target: str | None
    """Check id that must flag the planted defect; None for a clean asset."""
    build: Callable[[], AssetUnderCheck]
    resources: dict[str, Any] = field(default_factory=dict)


def asset(
    img: Image.Image,
    elements: tuple[Element, ...] | None,
    fmt: str | None = "meta-feed-1x1",
    kind: str = "jpeg",
    data: bytes | None = None,
    copy: dict[str, str] | None = None,
    name: str = "",
) -> AssetUnderCheck:
    payload = data if data is not None else encode(img, kind)
    decoded = Image.open(io.BytesIO(payload))
    decoded.load()
    return AssetUnderCheck(
        image=decoded,
        data=payload,
        file_type=kind,
        brand=brand().kit,
        format=get_format(fmt) if fmt else None,
        copy=copy,
        elements=elements,
        asset_id=name,
    )


def laid_out(lay: Layout, with_elements: bool, **kw: Any) -> Callable[[], AssetUnderCheck]:
    def build() -> AssetUnderCheck:
        img, els = render(lay)
        return asset(img, els if with_elements else None, **kw)

    return build


def cases() -> list[Case]:
    out: list[Case] = []
    rng = np.random.default_rng(7)

    # 1. Clean layouts: brand colours, AA contrast, logo big enough with clear space, on spec.
    clean_layouts = [
        Layout(photo="coffee"),
        Layout(
            photo="astronaut",
            panel=CREMA,
            headline_colour=NAVY,
            logo_version="dark",
            button=NAVY,
            cta_colour=WHITE,
        ),
        Layout(photo="chelsea", panel=BROWN, headline_colour=WHITE, headline_px=44),
        Layout(photo="rocket", panel=NAVY, headline_colour=CREMA, logo_h=90),
        Layout(
            photo="coffee",
            panel=WHITE,
            headline_colour=INK,
            logo_version="dark",
            button=NAVY,
            cta_colour=WHITE,
            headline_px=40,
        ),
        Layout(photo="astronaut", panel=INK, headline_colour=ORANGE, logo_h=60),
    ]
    for i, lay in enumerate(clean_layouts):
        out.append(Case(f"clean-{i}-elements", None, laid_out(lay, True)))
        out.append(Case(f"clean-{i}-bare", None, laid_out(lay, False, kind="png" if i % 2 else "jpeg")))
    out.append(
        Case(
            "clean-4x5", None, laid_out(Layout(size=(1080, 1350), photo="rocket"), True, fmt="meta-feed-4x5")
        )
    )
    out.append(
        Case(
            "clean-landscape",
            None,
            laid_out(
                Layout(
                    size=(1200, 628), photo="chelsea", panel_share=0.5, headline_px=40, logo_h=50, margin=40
                ),
                True,
                fmt="google-display-1.91x1",
            ),
        )
    )

    # 2. Off-palette fills: the panel colour moved away from its brand colour by increasing ΔE.
    from assetline.qc.colourmath import delta_e_2000, srgb_to_lab

    for base, shifts in (
        (NAVY, ((0, 14, 22), (16, 16, -10), (40, 70, 30))),
        (CREMA, ((-12, -4, 8), (-30, -2, -40), (-90, -20, 10))),
        (BROWN, ((20, -15, -10), (-40, 20, 60), (60, 60, 60))),
    ):
        for shift in shifts:
            col = tuple(int(np.clip(c + s, 0, 255)) for c, s in zip(base, shift, strict=True))
            de = float(delta_e_2000(srgb_to_lab(col), srgb_to_lab(base)))
            text = INK if sum(col) > 380 else WHITE
            lay = Layout(
                photo=PHOTOS[len(out) % 4],
                panel=col,
                headline_colour=text,  # type: ignore[arg-type]
                logo_version="dark" if text == INK else "light",
            )
            bare = len(out) % 2 == 0
            out.append(
                Case(
                    f"off-palette-panel-de{de:.0f}-{'bare' if bare else 'elements'}",
                    "brand.palette",
                    laid_out(lay, not bare),
                )
            )
    for colour in ((0, 150, 80), (200, 30, 60)):
        lay = Layout(button=colour, cta_colour=WHITE)  # type: ignore[arg-type]
        out.append(Case(f"off-palette-button-{hexc(colour)}", "brand.palette", laid_out(lay, True)))
    lay = Layout(extra_fill=((0, 0, 1080, 160), (90, 60, 160)))
    out.append(Case("off-palette-band-bare", "brand.palette", laid_out(lay, False)))
    out.append(
        Case(
            "off-palette-headline-colour",
            "brand.palette",
            laid_out(Layout(headline_colour=(120, 200, 255)), True),
        )
    )

    # 3. Low contrast text at several sizes, on flat panels (WCAG ratio below the AA threshold).
    pairs = [
        (CREMA, (175, 170, 160), 56),
        (NAVY, (60, 75, 110), 56),
        (WHITE, (200, 200, 200), 40),
        (CREMA, (160, 150, 140), 20),
        (NAVY, (90, 100, 130), 22),
        (BROWN, (150, 120, 100), 30),
        (WHITE, (150, 150, 150), 16),
        (INK, (70, 70, 80), 48),
        (CREMA, (252, 190, 80), 64),
        (NAVY, (40, 110, 160), 28),
    ]
    for i, (bg, fg, px) in enumerate(pairs):
        need = 3.0 if px >= 24 else 4.5
        assert ratio(bg, fg) < need, (bg, fg, px, ratio(bg, fg))
        lay = Layout(
            photo=PHOTOS[i % 4],
            panel=bg,
            headline_colour=fg,
            headline_px=px,
            logo_version="dark" if sum(bg) > 380 else "light",
            button=NAVY if sum(bg) > 380 else ORANGE,
            cta_colour=WHITE if sum(bg) > 380 else INK,
        )
        out.append(
            Case(
                f"low-contrast-{px}px-{ratio(bg, fg):.1f}-{'bare' if i % 2 else 'elements'}",
                "text.contrast",
                laid_out(lay, i % 2 == 0),
            )
        )
    # Low contrast on the CTA button (small bold text).
    out.append(
        Case(
            "low-contrast-cta",
            "text.contrast",
            laid_out(Layout(button=ORANGE, cta_colour=(255, 210, 120), cta_px=20), True),
        )
    )

    # 4. Logo: undersized, cramped by text, too close to the canvas edge.
    for lh in (14, 20, 24):
        out.append(Case(f"logo-undersized-{lh}px-elements", "brand.logo", laid_out(Layout(logo_h=lh), True)))
    out.append(
        Case("logo-undersized-22px-bare", "brand.logo", laid_out(Layout(logo_h=22, photo="rocket"), False))
    )
    lw = round(70 * logo("light").width / logo("light").height)
    lx, ly = 1080 - 60 - lw, 1080 - 60 - 70
    text_w = int(font(26).getlength("Since 2024"))
    for i, (dx, dy) in enumerate(((lx - 8 - text_w, ly + 20), (lx, ly - 36))):
        lay = Layout(photo=PHOTOS[i], extra_text=((dx, dy), "Since 2024", 26, WHITE))
        out.append(Case(f"logo-cramped-{i}-elements", "brand.logo", laid_out(lay, True)))
        out.append(Case(f"logo-cramped-{i}-bare", "brand.logo", laid_out(lay, False)))
    for i, pos in enumerate(((1080 - 196 - 4, 1080 - 70 - 4), (6, 1080 - 76))):
        out.append(Case(f"logo-edge-{i}", "brand.logo", laid_out(Layout(logo_pos=pos), i == 0)))

    # 5. Channel spec: size, ratio, file size, file type, colour mode, safe zone, text limits.
    def spec_case(name: str, build: Callable[[], AssetUnderCheck]) -> None:
        out.append(Case(name, "channel.spec", build))

    spec_case("wrong-size-4x5", laid_out(Layout(), True, fmt="meta-feed-4x5"))
    spec_case("wrong-size-upscaled", laid_out(Layout(size=(1200, 1200)), True, fmt="meta-feed-1x1"))
    spec_case(
        "wrong-ratio-landscape",
        laid_out(
            Layout(size=(1200, 700), panel_share=0.5, headline_px=40, logo_h=50, margin=40),
            True,
            fmt="google-display-1.91x1",
        ),
    )
    spec_case(
        "wrong-size-iab",
        laid_out(
            Layout(size=(300, 260), headline_px=16, cta_px=12, logo_h=20, margin=12, headline="Fresh roast"),
            False,
            fmt="iab-300x250",
        ),
    )

    def noisy_png() -> AssetUnderCheck:
        img, els = render(
            Layout(size=(300, 250), headline_px=16, cta_px=12, logo_h=20, margin=12, headline="Fresh roast")
        )
        arr = np.asarray(img).astype(np.int16) + rng.integers(-40, 40, (250, 300, 3))
        noisy = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
        return asset(noisy, els, fmt="iab-300x250", kind="png")

    spec_case("oversized-file-png", noisy_png)

    def big_jpeg() -> AssetUnderCheck:
        img, els = render(Layout(size=(1200, 400), panel_share=0.5, headline_px=36, logo_h=44, margin=30))
        arr = np.asarray(img).astype(np.int16) + rng.integers(-60, 60, (400, 1200, 3))
        noisy = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
        return asset(noisy, els, fmt="email-header", data=encode(noisy, "jpeg", quality=98))

    spec_case("oversized-file-jpeg", big_jpeg)
    for kind in ("webp", "bmp", "tiff"):
        spec_case(f"wrong-type-{kind}", laid_out(Layout(), kind == "webp", kind=kind))
    spec_case("gif-on-meta", laid_out(Layout(), False, kind="gif"))

    def cmyk() -> AssetUnderCheck:
        img, _ = render(Layout())
        return asset(img, None, data=encode(img.convert("CMYK"), "jpeg"))

    spec_case("cmyk-jpeg", cmyk)

    def png16() -> AssetUnderCheck:
        img, els = render(Layout())
        arr = np.asarray(img.convert("L")).astype(np.uint16) * 257
        buf = io.BytesIO()
        Image.fromarray(arr).save(buf, "PNG")
        return asset(img, els, kind="png", data=buf.getvalue())

    spec_case("16-bit-png", png16)
    spec_case(
        "safe-zone-stories",
        laid_out(
            Layout(size=(1080, 1920), panel_share=0.3, logo_pos=(60, 60)), True, fmt="meta-stories-9x16"
        ),
    )
    spec_case(
        "text-over-limit",
        laid_out(
            Layout(),
            True,
            copy={"headline": "Fresh roast, delivered to your door every single morning", "cta": "Order now"},
        ),
    )
    return out


def clean_copy() -> dict[str, str]:
    return {"headline": "Fresh roast, delivered", "cta": "Order now"}
