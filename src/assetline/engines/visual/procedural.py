"""The built-in visual engine: on-brand backgrounds and photo treatments without a diffusion model.

Usage::

    from assetline.engines.base import VisualRequest
    from assetline.engines.visual import ProceduralVisualEngine

    engine = ProceduralVisualEngine()
    result = engine.generate(VisualRequest(brand=kit, concept=concept, width=1080, height=1920, seed=7,
                                           photo=loaded.files["skimage:coffee.png"]))
    result.image.save("background.png")      # RGB, exactly 1080 × 1920
    result.metadata["subject_box"]           # keep type off this box

Styles (``concept.visual.style``): ``gradient`` (gradients.py), ``mesh`` (mesh.py), ``pattern``
(patterns.py), ``texture`` (textures.py) and ``photo`` (crop.py + photo.py). Treatments
(``concept.visual.treatment``, treatments.py): ``natural`` (light auto-contrast for photos; generated styles
are already designed and pass through), ``duotone`` and ``graded``, which apply to every style.

Metadata (``VisualResult.metadata``), for the layout composer and for lineage:
    style, treatment, seed; tone ('dark' | 'light' field);
    palette_used      brand hex colours the image is built from (for duotone: exactly the two it maps to);
    mean_luminance    mean WCAG relative luminance (0..1); luminance_grid: 4 × 4 of the same, rows top first;
    subject_box       (left, top, right, bottom) in output pixels to keep type off — photos only, else None;
    faces             face boxes in output pixels; crop_box: the window of the source photo (source pixels);
    photo_box         where that window lands in the output (smaller than the canvas in 'extend' crop_mode,
                      the rest being a blurred extension — good room for copy); upscale; source_size;
    recipe            the generated style's parameters (angle, control points, pattern pitch, …); pattern;
    duotone | grade   the two palette colours a treatment used.

Everything random comes from ``numpy.random.default_rng(seed)``: the same request gives byte-identical
pixels, and design choices (tone, angles, positions) are drawn before anything size-dependent, so one seed
gives the same design family in every format of a campaign.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from PIL import Image

from assetline.engines.base import Modality, VisualRequest, VisualResult
from assetline.engines.visual import gradients, mesh, patterns, textures, treatments
from assetline.engines.visual.colour import (
    hex_to_float,
    lightness,
    luminance_grid,
    luminance_map,
)
from assetline.engines.visual.crop import PhotoAnalysis, analyse, plan_crop
from assetline.engines.visual.faces import FaceDetector
from assetline.engines.visual.palette import BrandPalette, Scheme, choose_mode, make_scheme
from assetline.engines.visual.photo import load_photo, render_photo
from assetline.engines.visual.raster import quantise
from assetline.errors import EngineError

MAX_SIDE = 8192
_GRAIN = {"gradient": 2.0, "mesh": 3.0, "pattern": 0.0, "texture": 2.5, "photo": 0.0}


class ProceduralVisualEngine:
    """Brand backgrounds (gradient, mesh, pattern, texture) and smart-cropped, treated photos.

    Components:
        face_detector: finds faces for the smart crop (default: scikit-image's LBP cascade, loaded on first
            use); ``detect_faces=False`` crops on saliency alone.
        max_upscale: the most a photo is enlarged before the engine shows it smaller on a blurred extension
            of itself instead of cropping tighter.
        cache_size: photo analyses (saliency, faces) kept per engine, keyed by file path, size and mtime:
            a campaign crops the same few photos to many formats.
    """

    id: ClassVar[str] = "builtin.visual"
    version: ClassVar[str] = "1"
    modality: ClassVar[Modality] = "visual"

    def __init__(self, face_detector: FaceDetector | None = None, *, detect_faces: bool = True,
                 max_upscale: float = 3.0, cache_size: int = 16) -> None:
        self.face_detector = (face_detector or FaceDetector()) if detect_faces else None
        self.max_upscale = max_upscale
        self.cache_size = cache_size
        self._analyses: OrderedDict[tuple[str, int, int], PhotoAnalysis] = OrderedDict()

    # ------------------------------------------------------------------ inputs
    def check_inputs(self, request: VisualRequest) -> None:
        w, h = request.width, request.height
        if not (isinstance(w, int) and isinstance(h, int)) or isinstance(w, bool) or w < 1 or h < 1:
            raise EngineError(f"visual size must be two positive integers, got {w!r} × {h!r}")
        if w > MAX_SIDE or h > MAX_SIDE:
            raise EngineError(f"visual size {w} × {h} exceeds the {MAX_SIDE} px limit per side",
                              hint="render at delivery size; upscaling further adds nothing")
        if not isinstance(request.seed, int) or request.seed < 0:
            raise EngineError(f"seed must be a non-negative integer, got {request.seed!r}")
        visual = request.concept.visual
        if visual.style == "photo":
            if request.photo is None:
                raise EngineError(
                    f"concept '{request.concept.id}' has style 'photo' (asset '{visual.photo}') but the "
                    "request has no photo file", hint="pass the resolved asset path as VisualRequest.photo")
            if not Path(request.photo).is_file():
                raise EngineError(f"photo file not found: {request.photo}",
                                  hint=f"check the file of brand-kit asset '{visual.photo}'")

    # ------------------------------------------------------------------ entry point
    def generate(self, request: VisualRequest) -> VisualResult:
        # 1. Check inputs
        self.check_inputs(request)
        visual = request.concept.visual
        width, height = request.width, request.height
        rng = np.random.default_rng(request.seed)
        noise_rng = np.random.default_rng([request.seed, 1])  # size-dependent draws live apart

        # 2. Pick the palette and the tonal recipe
        palette = BrandPalette.from_kit(request.brand)
        scheme = make_scheme(palette, "dark" if visual.style == "photo" else choose_mode(palette, rng))
        meta: dict[str, Any] = {"style": visual.style, "treatment": visual.treatment, "tone": scheme.mode,
                                "seed": request.seed, "subject_box": None, "crop_box": None,
                                "photo_box": None, "faces": []}
        used: list[str] = []

        # 3. Render (generated styles are quantised here, with dither and their grain)
        if visual.style == "photo":
            assert request.photo is not None
            image, photo_meta = self._render_photo(Path(request.photo), width, height, scheme,
                                                   request.variation, request.seed)
            meta.update(photo_meta)
            if photo_meta["crop_mode"] == "extend":
                used.append(palette.hex[scheme.roles[0]])
        else:
            if visual.style == "gradient":
                field, recipe = gradients.render(width, height, scheme, rng)
            elif visual.style == "mesh":
                field, recipe = mesh.render(width, height, scheme, rng)
            elif visual.style == "pattern":
                field, recipe = patterns.render(width, height, scheme, rng, visual.pattern)
                meta["pattern"] = recipe["pattern"]
            else:
                field, recipe = textures.render(width, height, scheme, rng)
            meta["recipe"] = recipe
            used.extend(scheme.used_hex)
            image = quantise(field, noise_rng, grain=_GRAIN[visual.style])

        # 4. Treat
        image, treat_used, treat_meta = self._treat(image, visual.style, visual.treatment, palette, rng)
        meta.update(treat_meta)
        if visual.treatment == "duotone":  # every pixel is now a mix of exactly these two
            used = treat_used
        else:
            used = treat_used + [h for h in used if h not in treat_used]

        # 5. Measure what the composer needs to pick light or dark type
        pixels = np.asarray(image)
        step = max(1, min(width, height) // 128)
        meta["mean_luminance"] = round(float(luminance_map(pixels[::step, ::step]).mean()), 4)
        meta["luminance_grid"] = luminance_grid(pixels)
        meta["palette_used"] = used

        # 6. Return with metadata
        if image.size != (width, height) or image.mode != "RGB":  # a bug, not a user error
            raise AssertionError(f"rendered {image.mode} {image.size}, expected RGB {(width, height)}")
        return VisualResult(image=image, metadata=meta)

    # ------------------------------------------------------------------ helpers
    def _render_photo(self, path: Path, width: int, height: int, scheme: Scheme, variation: int = 0,
                      seed: int = 0) -> tuple[Image.Image, dict[str, Any]]:
        try:
            source = load_photo(path)
        except (OSError, ValueError) as exc:
            raise EngineError(f"cannot read photo {path}: {exc}") from exc
        zoom, centring = 1.0, 1.0
        if variation:  # a reviewer asked for a new image: reframe tighter, with the subject off-centre
            frame_rng = np.random.default_rng([seed, variation, 7])
            zoom, centring = float(frame_rng.uniform(1.15, 1.45)), float(frame_rng.uniform(-0.6, 0.3))
        plan = plan_crop(self._analysis(path, source), width, height, max_upscale=self.max_upscale, zoom=zoom,
                         centring=centring)
        rendered = render_photo(source, plan, width, height, scheme.base)
        return rendered, {
            "crop_box": [round(v) for v in plan.crop_box],
            "photo_box": list(plan.photo_box),
            "subject_box": list(plan.subject_box),
            "faces": [list(f) for f in plan.faces],
            "crop_mode": plan.mode,
            "upscale": round(plan.scale, 3),
            "source_size": list(source.size),
        }

    def _analysis(self, path: Path, source: Image.Image) -> PhotoAnalysis:
        stat = path.stat()
        key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
        if key in self._analyses:
            self._analyses.move_to_end(key)
            return self._analyses[key]
        result = analyse(source, self.face_detector)
        self._analyses[key] = result
        while len(self._analyses) > self.cache_size:
            self._analyses.popitem(last=False)
        return result

    @staticmethod
    def _treat(image: Image.Image, style: str, treatment: str, palette: BrandPalette,
               rng: np.random.Generator) -> tuple[Image.Image, list[str], dict[str, Any]]:
        dark = palette.hex["primary"] if lightness(palette.rgb("primary")) < 0.5 else palette.hex["text"]
        if treatment == "duotone":
            # A deep brand shadow; the highlight is the accent (bold) or the background (quiet).
            light = palette.hex["accent"] if rng.random() < 0.5 else palette.hex["background"]
            out = treatments.duotone(image, hex_to_float(dark), hex_to_float(light))
            return out, [dark, light], {"duotone": [dark, light]}
        if treatment == "graded":
            accent = palette.hex["accent"]
            out = treatments.graded(image, hex_to_float(dark), hex_to_float(accent))
            return out, [dark, accent], {"grade": [dark, accent]}
        if style == "photo":
            return treatments.natural(image), [], {}
        return image, [], {}  # generated styles are designed in brand colours already
