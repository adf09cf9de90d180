"""The built-in visual engine (``builtin.visual``): brand backgrounds and smart-cropped, treated photos.

Modules, one idea each: colour (OKLab maths, luminance), palette (roles → tonal schemes), raster
(low-res fields, upscaling, dithered quantisation), gradients, mesh, patterns, textures, saliency, faces,
crop (smart crop planning), photo (resampling and blurred extension), treatments, procedural (the engine).
"""

from __future__ import annotations

from assetline.engines.visual.procedural import ProceduralVisualEngine

__all__ = ["ProceduralVisualEngine"]
