"""Brand palette → the handful of tones a background is built from.

A brand kit names colours by role (primary, secondary, accent, background, text, neutral), but a kit may
leave roles out. ``BrandPalette.from_kit`` fills every role (the lightest colour stands in for background,
the darkest for text, the most colourful for accent, …), and ``Scheme`` turns the palette into one tonal
recipe — dark (a deep field with a warm glow) or light (a pale field with soft tints) — that every style
draws from, so gradients, meshes, patterns and textures of one brand look like one family.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from assetline.engines.visual.colour import F32, chroma, hex_to_float, lightness, mix, shade
from assetline.spec.brand import BrandKit

Role = Literal["primary", "secondary", "accent", "background", "text", "neutral"]
Mode = Literal["dark", "light"]
ROLES: tuple[Role, ...] = ("primary", "secondary", "accent", "background", "text", "neutral")


@dataclass(frozen=True)
class BrandPalette:
    """Every role resolved to a hex colour (roles the kit leaves out are filled from its other colours)."""

    hex: dict[str, str]

    @classmethod
    def from_kit(cls, kit: BrandKit) -> BrandPalette:
        colours = [c.hex for c in kit.palette]
        by_role: dict[str, str] = {}
        for c in kit.palette:
            by_role.setdefault(c.role, c.hex)
        light = {h: lightness(hex_to_float(h)) for h in colours}
        chromas = {h: chroma(hex_to_float(h)) for h in colours}
        by_role.setdefault("background", max(colours, key=light.__getitem__))
        by_role.setdefault("text", min(colours, key=light.__getitem__))
        unassigned = (h for h in colours if h not in by_role.values())
        by_role.setdefault("primary", next(unassigned, by_role["text"]))
        others = [h for h in colours if h not in (by_role["primary"], by_role["background"], by_role["text"])]
        by_role.setdefault("accent", max(others or colours, key=chromas.__getitem__))
        rest = [h for h in others if h != by_role["accent"]]
        by_role.setdefault("secondary", rest[0] if rest else by_role["primary"])
        by_role.setdefault("neutral", by_role["background"])
        return cls(hex={role: by_role[role] for role in ROLES})

    def rgb(self, role: str) -> F32:
        return hex_to_float(self.hex[role])


@dataclass(frozen=True)
class Scheme:
    """One tonal recipe. All colours are sRGB float32 triples in 0..1.

    base   the dominant field colour (most of the canvas)
    deep   the far end of the field: darker in dark mode, a warm tint in light mode
    mid    a secondary tone for variety
    glow   the accent, used sparingly (a glow, a highlight, a few shapes)
    warm   the bridge between the field and the glow (secondary-led), so a glow never fades through grey
    light  a luminous highlight: the glow lifted toward the background colour
    cool   the base lifted a little, for a second, quieter light
    line   tone-on-tone colour for pattern marks (low contrast against base)
    roles  the palette roles the recipe draws from, in order of area
    """

    mode: Mode
    base: F32
    deep: F32
    mid: F32
    glow: F32
    warm: F32
    light: F32
    cool: F32
    line: F32
    roles: tuple[str, ...]
    palette: BrandPalette

    @property
    def used_hex(self) -> list[str]:
        seen: list[str] = []
        for role in self.roles:
            h = self.palette.hex[role]
            if h not in seen:
                seen.append(h)
        return seen


def choose_mode(palette: BrandPalette, rng: np.random.Generator) -> Mode:
    """Dark more often when the brand's primary is a deep colour (it usually is), light otherwise."""
    p_dark = 0.65 if lightness(palette.rgb("primary")) < 0.55 else 0.35
    return "dark" if rng.random() < p_dark else "light"


def make_scheme(palette: BrandPalette, mode: Mode) -> Scheme:
    p = palette
    white = np.ones(3, dtype=np.float32)
    black = np.zeros(3, dtype=np.float32)
    if mode == "dark":
        base_role = "primary" if lightness(p.rgb("primary")) < 0.55 else "text"
        base = p.rgb(base_role)
        text_dark = lightness(p.rgb("text")) < lightness(base)
        deep = p.rgb("text") if text_dark else mix(base, black, 0.35)
        secondary = p.rgb("secondary")
        mid = secondary if lightness(secondary) < 0.7 else mix(base, secondary, 0.4)
        glow = p.rgb("accent")
        warm = mix(p.rgb("secondary"), glow, 0.35)
        light = mix(glow, p.rgb("background"), 0.45)
        cool = mix(base, p.rgb("background"), 0.16)
        line = shade(base, 0.07, 1.15)
        roles: tuple[str, ...] = (base_role, "text" if text_dark else base_role, "secondary", "accent",
                                  "background")
    else:
        bg = p.rgb("background")
        base_role = "background" if lightness(bg) > 0.8 else "neutral"
        base = p.rgb(base_role) if lightness(p.rgb(base_role)) > 0.8 else mix(p.rgb("primary"), white, 0.9)
        deep = mix(base, p.rgb("secondary"), 0.22)
        mid = mix(base, p.rgb("accent"), 0.3)
        glow = mix(base, p.rgb("accent"), 0.75)
        warm = mix(base, p.rgb("accent"), 0.5)
        light = mix(base, white, 0.7)
        cool = mix(base, p.rgb("primary"), 0.12)
        line = shade(mix(base, p.rgb("secondary"), 0.12), -0.05)
        roles = (base_role, "secondary", "accent", "primary")
    return Scheme(mode=mode, base=base, deep=deep, mid=mid, glow=glow, warm=warm, light=light, cool=cool,
                  line=line, roles=roles, palette=palette)
