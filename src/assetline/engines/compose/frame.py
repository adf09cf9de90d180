"""The composition in progress: canvas, grid, fonts, recorded elements and warnings.

Layouts work in *logical* coordinates (mirrored for right-to-left copy, see arrange.py) and call the frame
to paint panels, fit and render text, and place the logo; the frame converts to physical pixels, keeps
contrast at WCAG AA (choosing palette colours, adding scrims) and records every element for the QC gates.
A frame made with a ``Legal`` text fits every arrangement around the legal line (see ``fit`` and legal.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw

from assetline.engines.base import Box, ComposeRequest, Element
from assetline.engines.compose import scrim as scrims
from assetline.engines.compose.arrange import Arrangement, TextSlot
from assetline.engines.compose.button import paint_button
from assetline.engines.compose.contrast import (
    AA_NORMAL,
    HEADROOM,
    RGB,
    best_colour,
    floor3,
    luminance,
    luminance_array,
    required_ratio,
    to_hex,
    worst_contrast,
)
from assetline.engines.compose.fit import Fitted, Sizes, Texts, TypeScale, fit
from assetline.engines.compose.fonts import FontBook
from assetline.engines.compose.grid import Grid
from assetline.engines.compose.legal import Legal, headline_floor, legal_block
from assetline.engines.compose.legal import gap as legal_gap
from assetline.engines.compose.logo import LogoArt, place_logo, target_height
from assetline.engines.compose.scrim import Fade, Scrim, TextNeed
from assetline.engines.compose.text import PlacedText, draw_text
from assetline.spec.common import hex_to_rgb

WHITE: RGB = (255, 255, 255)
BLACK: RGB = (0, 0, 0)
_MIRROR_FADE: dict[str, Fade] = {"left": "right", "right": "left"}
LEGAL_MARGIN = 1.2
"""The legal line aims at 1.2 × 4.5:1 so that it still meets 4.5:1 after JPEG encoding at 9–12 px."""

LegalArrange = Callable[[Texts, Sizes, Legal | None], Arrangement | None]
"""A layout's arrangement of the copy at given sizes, with the legal line when one is given."""


@dataclass(frozen=True)
class ScrimPlan:
    """A scrim a layout wants behind its text (logical box); its alpha is solved for contrast."""

    box: Box
    fade: Fade = "none"
    feather: float = 0.5
    radius: int = 0
    base_alpha: float = 0.0
    colour: RGB | None = None
    """None: a dark brand colour over dark pictures, a light one over light pictures."""


class Frame:
    def __init__(
        self,
        request: ComposeRequest,
        grid: Grid,
        book: FontBook,
        logos: list[LogoArt],
        layout: str,
        legal: Legal | None = None,
    ) -> None:
        self.request = request
        self.grid = grid
        self.book = book
        self.logos = logos
        self.layout = layout
        self.legal = legal
        """The legal line every fit must place (None: none, or composing without it)."""
        self.width, self.height = grid.width, grid.height
        self.rtl = request.copy.direction == "rtl"
        self.seed = request.seed
        self.canvas: NDArray[np.uint8] = np.array(request.background.convert("RGB"), dtype=np.uint8)
        self.elements: list[Element] = []
        self.warnings: list[str] = []
        self.palette: dict[str, RGB] = {}
        for colour in request.brand.palette:
            self.palette.setdefault(colour.role, hex_to_rgb(colour.hex))

    # ------------------------------------------------------------ geometry and colour
    @property
    def content(self) -> Box:
        """The logical content box."""
        return self.grid.logical_content(self.rtl)

    @property
    def where(self) -> str:
        return f"{self.width}×{self.height} ({self.layout} layout)"

    def phys(self, box: Box) -> Box:
        """Logical → physical (and back: mirroring is its own inverse)."""
        x0, t, r, b = box
        return (self.width - r, t, self.width - x0, b) if self.rtl else box

    def colour(self, role: str, fallback: RGB = BLACK) -> RGB:
        return self.palette.get(role, fallback)

    def dark(self) -> RGB:
        """The brand's darkest strong colour (primary, else text), for dark panels and scrims."""
        options = [self.palette[r] for r in ("primary", "text", "secondary") if r in self.palette]
        dark = [c for c in options if luminance(c) < 0.12]
        return dark[0] if dark else (12, 14, 20)

    def light(self) -> RGB:
        options = [self.palette[r] for r in ("background", "neutral") if r in self.palette]
        light = [c for c in options if luminance(c) > 0.7]
        return light[0] if light else WHITE

    def mean_luminance(self, box: Box) -> float:
        x0, t, r, b = self.phys(box)
        region = self.canvas[max(0, t) : b, max(0, x0) : r]
        return float(luminance_array(region).mean()) if region.size else 0.5

    def text_colours(self, role: str, dark_first: bool) -> list[RGB]:
        """Palette colours for ``role`` in preference order, then pure black/white as a last resort."""
        dark_roles = ("primary", "text") if role == "headline" else ("text", "primary")
        light_roles = ("neutral", "background") if role in ("headline", "cta") else ("background", "neutral")
        dark = [
            self.palette[r] for r in dark_roles if r in self.palette and luminance(self.palette[r]) < 0.25
        ]
        light = [
            self.palette[r] for r in light_roles if r in self.palette and luminance(self.palette[r]) > 0.5
        ]
        ordered = dark + light if dark_first else light + dark
        return [*dict.fromkeys([*ordered, BLACK, WHITE])]

    # ------------------------------------------------------------ painting
    def fill(self, box: Box, colour: RGB, radius: int = 0) -> None:
        x0, t, r, b = self.clip(self.phys(box))
        if r <= x0 or b <= t:
            return
        if radius <= 0:
            self.canvas[t:b, x0:r] = colour
            return
        scrims.paint(self.canvas, Scrim(box=(x0, t, r, b), colour=colour, alpha=1.0, radius=radius))

    def paste(self, image: Image.Image, box: Box, mask: NDArray[np.float64] | None = None) -> None:
        """Paste an RGB image of exactly the box's size (optionally through a 0…1 coverage mask)."""
        x0, t, r, b = self.phys(box)
        px = np.asarray(image.convert("RGB"), dtype=np.uint8)
        if mask is None:
            self.canvas[t:b, x0:r] = px
            return
        a = mask[..., None]
        self.canvas[t:b, x0:r] = np.rint(self.canvas[t:b, x0:r] * (1 - a) + px * a).astype(np.uint8)

    def record_subject(self, box: Box, **extra: object) -> None:
        self.elements.append(Element(kind="subject", box=self.clip(self.phys(box)), extra=dict(extra)))

    def image(self) -> Image.Image:
        return Image.fromarray(self.canvas, "RGB")

    def clip(self, box: Box) -> Box:
        """``box`` (physical) clipped to the canvas."""
        x0, t, r, b = box
        return max(0, x0), max(0, t), min(self.width, r), min(self.height, b)

    # ------------------------------------------------------------ text
    def scale(
        self, headline: float, body: float = 0.0, cta: float = 0.0, caps: dict[str, int] | None = None
    ) -> TypeScale:
        """Type-scale targets by step (capped in px where ``caps`` says) and the legible minimums."""
        steps = {"headline": headline, "body": body, "cta": cta}
        mins = {role: self.grid.min_px(role) for role in steps}
        targets = {}
        for role, step in steps.items():
            px = self.grid.px(step)
            if caps and role in caps:
                px = min(px, caps[role])
            targets[role] = max(px, mins[role])
        return TypeScale(targets, mins, self.grid.ratio)

    def fit(
        self, arrange: LegalArrange, scale: TypeScale, protect: tuple[str, ...] = ()
    ) -> Fitted[Arrangement] | None:
        """Fit the copy (see fit.py). With a legal line the copy is fitted around it, and the legal line may
        cost the body, longer alternatives and type size, never the CTA or the headline's lead over it (two
        steps of the type scale): None then, so the layout tries its other options (and the composer, in
        the end, composes without it)."""
        copy, where, legal = self.request.copy, self.where, self.legal
        if legal is None:
            return fit(lambda texts, sizes: arrange(texts, sizes, None), copy, scale, where, protect)
        keep = (*protect, "cta") if "cta" not in protect else protect
        floor = max(scale.minimums["headline"], headline_floor(legal, self.grid.ratio))
        scale = TypeScale(scale.targets, {**scale.minimums, "headline": floor}, scale.ratio)
        return fit(
            lambda texts, sizes: arrange(texts, sizes, legal), copy, scale, where, keep, last_resorts=False
        )

    def legal_room(self, width: int) -> int:
        """Height a layout must keep free at the foot of a ``width``-wide column for the legal line (with its
        gap), when it puts the line outside the copy's region (``StackSpec.foot``); 0 without one."""
        if self.legal is None:
            return 0
        block = legal_block(self.book, self.legal, width)
        return 0 if block is None else block.height + legal_gap(self.grid, self.legal)

    def placed(self, slot: TextSlot) -> PlacedText:
        """A text slot in physical pixels, aligned for the reading direction."""
        x0, _, r, _ = self.phys((slot.column[0], 0, slot.column[1], 1))
        align = {
            "start": "right" if self.rtl else "left",
            "end": "left" if self.rtl else "right",
            "centre": "centre",
        }[slot.align]
        return PlacedText(role=slot.role, block=slot.block, left=x0, right=r, top=slot.top, align=align)  # type: ignore[arg-type]

    def _need(self, placed: PlacedText, dark_first: bool) -> TextNeed:
        style = placed.block.style
        # The legal line is read closely: normal-text AA (4.5:1) at any size, aimed 20 % above it because its tiny
        # glyphs lose contrast to JPEG ringing (the QC gate measures the encoded pixels).
        required = AA_NORMAL * LEGAL_MARGIN if placed.role == "legal" else required_ratio(style.px, style.weight)
        return TextNeed(
            box=self.clip(placed.ink_box()),
            candidates=self.text_colours(placed.role, dark_first),
            required=required,
        )

    def render(self, fitted: Fitted[Arrangement], plan: ScrimPlan | None = None) -> None:
        """Scrim (if needed), button, then text — every element at AA contrast, and recorded."""
        self.warnings.extend(w for w in fitted.warnings if w not in self.warnings)
        arrangement = fitted.placement
        placed = [self.placed(s) for s in arrangement.texts]
        # 1. The layout's scrim, as light as contrast allows. A gradient is strongest at the canvas edge, where
        #    the legal line sits, so it is solved for the legal line too; a solid panel is solved for the copy
        #    alone (a small line at its foot must not darken all of it: step 2 backs the line locally).
        copy = [p for p in placed if p.role != "legal" or (plan is not None and plan.fade != "none")]
        if plan is not None and copy:
            box = self.clip(self.phys(plan.box))
            colour = plan.colour or (self.dark() if self.mean_luminance(plan.box) < 0.45 else self.light())
            fade = _MIRROR_FADE.get(plan.fade, plan.fade) if self.rtl else plan.fade
            template = Scrim(box=box, colour=colour, fade=fade, feather=plan.feather, radius=plan.radius)
            dark_first = luminance(colour) > 0.4
            solved, _, _ = scrims.solve(
                self.canvas, template, [self._need(p, dark_first) for p in copy], base_alpha=plan.base_alpha
            )
            self.paint_scrim(solved, "layout")
        # 2. A local scrim behind any text still short of AA.
        for p in placed:
            self._rescue(p)
        # 3. The button.
        if arrangement.button is not None:
            paint_button(self, arrangement.button)
            placed.append(self.placed(arrangement.button.text))
        # 4. Text, measured on the final background.
        img = Image.fromarray(self.canvas, "RGB")
        draw = ImageDraw.Draw(img)
        for p in placed:
            box = self.clip(p.ink_box())
            region = self.canvas[box[1] : box[3], box[0] : box[2]]
            need = self._need(p, float(luminance_array(region).mean()) >= 0.4 if region.size else True)
            fill, _ = best_colour(need.candidates, region, need.required)
            draw_text(draw, self.book, p, fill)
            self._record_text(p, box, fill, AA_NORMAL if p.role == "legal" else need.required, region)
        self.canvas = np.array(img, dtype=np.uint8)

    def paint_scrim(self, scrim: Scrim, purpose: str) -> None:
        """Paint a solved scrim and record it."""
        if scrim.alpha <= 0:
            return
        scrims.paint(self.canvas, scrim)
        self.elements.append(
            Element(
                kind="scrim",
                box=scrim.box,
                background=to_hex(scrim.colour),
                extra={"alpha": round(scrim.alpha, 4), "fade": scrim.fade, "purpose": purpose},
            )
        )

    def _rescue(self, placed: PlacedText) -> None:
        box = self.clip(placed.ink_box())
        region = self.canvas[box[1] : box[3], box[0] : box[2]]
        dark_first = float(luminance_array(region).mean()) >= 0.4 if region.size else True
        need = self._need(placed, dark_first)
        _, value = best_colour(need.candidates, region, need.required)
        if value >= need.required * HEADROOM:
            return
        pad = max(self.grid.unit * 2, round(placed.block.style.px * 0.35))
        local = self.clip((box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad))
        colour = self.light() if dark_first else self.dark()
        template = Scrim(box=local, colour=colour, radius=pad)
        solved, _, _ = scrims.solve(self.canvas, template, [need], base_alpha=0.0)
        self.paint_scrim(solved, "contrast")

    def _record_text(
        self,
        placed: PlacedText,
        box: Box,
        fill: RGB,
        required: float,
        region: NDArray[np.uint8],
    ) -> None:
        style = placed.block.style
        flat = None
        if region.size and bool((region == region[0, 0]).all()):
            flat = to_hex(tuple(int(v) for v in region[0, 0]))  # type: ignore[arg-type]
        self.elements.append(
            Element(
                kind=placed.role,  # type: ignore[arg-type]
                box=box,
                text=placed.block.text,
                font_px=style.px,
                colour=to_hex(fill),
                background=flat,
                contrast=floor3(worst_contrast(fill, region)),
                extra={
                    "lines": [ln.text for ln in placed.block.lines],
                    "origins": placed.origins(),
                    "font_file": str(style.path),
                    "font_weight": style.weight,
                    "font_axes": self.book.axes(style),
                    "script": style.script,
                    "direction": style.direction,
                    "language": style.language,
                    "align": placed.align,
                    "required_contrast": required,
                    "large_text": required < 4.5,
                    "measure": "exact worst pixel behind the ink box",
                },
            )
        )

    # ------------------------------------------------------------ logo
    def logo_height(self, available: int, max_width: int | None = None) -> int | None:
        """The logo height for this format: the grid's target (narrowed to ``max_width``), at least its
        minimum height when there is room."""
        if not self.logos:
            return None
        minimum = max(a.min_height_px for a in self.logos)
        height = target_height(self.grid)
        if max_width is not None:
            height = min(height, int(max_width / max(a.aspect for a in self.logos)))
        height = max(height, minimum)
        if available < height:
            height = available
            if height < minimum:
                self.warn(
                    f"logo set at {height} px, below its minimum height {minimum} px: no room at {self.where}"
                )
        return height if height >= 4 else None

    def logo_width(self, height: int) -> int:
        return max(round(height * a.aspect) for a in self.logos)

    def clear_space(self, height: int) -> int:
        return max((round(a.clear_space * height) for a in self.logos), default=0)

    def place_logo(self, box: Box, align: Literal["start", "centre", "end"] = "start") -> None:
        """Paste the logo version that reads on the background under ``box`` (logical), aligned in it."""
        place_logo(self, box, align)

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)
