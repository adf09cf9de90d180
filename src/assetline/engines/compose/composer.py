"""The layout composer: background + copy + logo → a finished ad for any channel format.

Usage::

    from assetline.engines.compose import LayoutComposer
    result = LayoutComposer().compose(request)      # ComposeRequest from engines.base
    result.image.save("ad.png"); result.elements    # every placed element, with boxes and contrast

Components (one module each): ``grid`` (margins, safe zones, type scale per format), ``fonts`` and ``text``
(script-aware fonts, raqm shaping, wrapping on shaped widths), ``fit`` (auto-fit, fallbacks, dropped fields),
``contrast`` and ``scrim`` (WCAG AA on the rendered pixels), ``logo``, ``arrange`` (stack and row), ``frame``
(the composition in progress), ``button``, ``legal`` (the disclaimer line) and ``layouts/`` (hero, split,
typographic, product, quote, banner).

Elements recorded in ``ComposeResult.elements`` (boxes are physical pixels, right/bottom exclusive):

- ``headline``, ``body``, ``cta``, ``legal``: ``box`` is the shaped ink box; ``text`` as shown (a shorter
  alternative when the chosen one did not fit), ``font_px``, ``colour``, ``background`` (the fill when every
  pixel behind is one colour), ``contrast`` (exact worst pixel behind the ink box, rounded down); ``extra``:
  ``lines``, ``origins`` (pen origin of each line, anchor 'ls'), ``font_file``, ``font_weight``, ``font_axes``,
  ``script``, ``direction``, ``language``, ``align``, ``required_contrast``, ``large_text``, ``measure``;
  ``legal`` is the request's disclaimers as one paragraph, set at the grid's smallest legible size at the
  foot of the copy's column (placement rule in legal.py), required 4.5:1 at any size;
- ``button``: the CTA's rounded rectangle; ``colour``/``background`` its fill; ``extra.radius``;
- ``logo``: the visible logo (trimmed, without clear space); ``contrast`` (median ink vs background);
  ``extra``: ``logo_id``, ``clear_space_px``, ``on``, ``min_height_px``;
- ``scrim``: translucent colour laid for contrast; ``background`` its colour; ``extra``: ``alpha``,
  ``fade``, ``purpose`` ('layout', 'contrast' or 'logo');
- ``subject``: picture regions the layout placed or avoided; ``extra.role``: 'picture', 'avatar',
  'product-card', 'product-thumbnail' or 'subject'.

Warnings say what was given up and why ('body dropped: no room at 320×50 (banner layout) …'). A legal line
that fits only by dropping the CTA or cutting the headline is left out instead: the layout is composed
again without it, with the warning 'legal line left out: no room at 320×50 (banner layout) …'.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from assetline.engines.base import ComposeRequest, ComposeResult, Modality
from assetline.engines.compose.background import busyness
from assetline.engines.compose.fonts import FontBook, ShapeCache
from assetline.engines.compose.frame import Frame
from assetline.engines.compose.grid import make_grid
from assetline.engines.compose.layouts import LAYOUTS, default_for
from assetline.engines.compose.legal import Legal, legal_for
from assetline.engines.compose.logo import LogoArt, load_logos
from assetline.engines.compose.scripts import detect_script
from assetline.errors import EngineError


def check_inputs(request: ComposeRequest) -> None:
    """Raise EngineError with the exact fix for a request the composer cannot serve."""
    fmt = request.format
    if request.background.size != (fmt.width, fmt.height):
        w, h = request.background.size
        raise EngineError(
            f"background is {w}×{h}, but format '{fmt.id}' is {fmt.width}×{fmt.height}",
            hint="the visual engine must render at the format's exact size",
        )
    if request.layout is not None and request.layout not in LAYOUTS:
        raise EngineError(f"unknown layout '{request.layout}'", hint=f"layouts: {', '.join(LAYOUTS)}")
    if not request.copy.fields.get("headline", "").strip():
        raise EngineError("copy has no headline", hint="the copy engine must fill the 'headline' field")
    for role in ("headline", "body"):
        if role not in request.fonts:
            raise EngineError(
                f"no font for role '{role}'", hint="pass the brand kit's resolved fonts by role"
            )
    for key, path in request.fonts.items():
        if not path.is_file():
            raise EngineError(f"font file for '{key}' not found: {path}")
    known = {logo.id for logo in request.brand.logos}
    for logo_id, path in request.logos.items():
        if logo_id not in known:
            raise EngineError(
                f"logo '{logo_id}' is not in brand kit '{request.brand.id}'",
                hint=f"brand-kit logo ids: {', '.join(sorted(known)) or '(none)'}",
            )
        if not path.is_file():
            raise EngineError(f"logo file for '{logo_id}' not found: {path}")


class LayoutComposer:
    """Lays out headline, body, CTA button, logo and the legal line over the visual, per format and layout.

    Deterministic: the same request gives a byte-identical image. Bump ``version`` whenever output changes.
    """

    id: ClassVar[str] = "builtin.compose"
    version: ClassVar[str] = "4"
    modality: ClassVar[Modality] = "compose"

    def __init__(self) -> None:
        self._shapes = ShapeCache()
        """Fonts and shaped measurements kept between calls (values depend only on their keys)."""

    def compose(self, request: ComposeRequest) -> ComposeResult:
        # 1. Check inputs.
        check_inputs(request)

        # 2. Grid, fonts, logos and the legal line for this format.
        grid = make_grid(request.format, request.brand.typography.scale)
        book = FontBook(request.brand.typography, request.fonts, request.copy.language, self._shapes)
        logos = load_logos(request.brand, request.logos)
        legal = legal_for(request.legal, grid)

        # 3. Choose the layout.
        layout = request.layout
        if layout is None:
            pixels = np.asarray(request.background.convert("RGB"), dtype=np.uint8)
            layout = default_for(grid, busyness(pixels))

        # 4-5. Lay out, fit, colour and paint, with the legal line.
        frame = _compose(request, book, logos, Frame(request, grid, book, logos, layout, legal))

        # 6. No room for the legal line beside a legible headline and the CTA: compose without it, and say so.
        if legal is not None and not any(e.kind == "legal" for e in frame.elements):
            frame = _compose(request, book, logos, Frame(request, grid, book, logos, layout))
            frame.warn(_left_out(legal, frame.where))
        if not any(e.kind == "headline" for e in frame.elements):
            frame.warn(f"headline left out: it does not fit {frame.where}")

        # 7. Result.
        return ComposeResult(
            image=frame.image(), layout=layout, elements=tuple(frame.elements), warnings=tuple(frame.warnings)
        )


def _compose(request: ComposeRequest, book: FontBook, logos: list[LogoArt], frame: Frame) -> Frame:
    """Warn about what the kit cannot do well, then run the frame's layout."""
    if not logos:
        frame.warn("no logo placed: the brand kit has no logo file")
    texts = dict(request.copy.fields)
    if frame.legal is not None:
        texts["legal"] = frame.legal.text
    for role, text in texts.items():
        script = detect_script(text)
        if not book.has_script_font(script):
            face = "body" if role == "legal" else role
            frame.warn(
                f"{role}: no {script} font in the brand kit; set in the {face} font, "
                "which may lack its glyphs"
            )
    LAYOUTS[frame.layout](frame)
    return frame


def _left_out(legal: Legal, where: str) -> str:
    text = legal.text if len(legal.text) <= 60 else legal.text[:57].rstrip() + "…"
    return (
        f"legal line left out: no room at {where} for '{text}' at {legal.px} px (the smallest legible size) "
        "beside a legible headline and the CTA"
    )
