"""Encoding the final render for its channel: file type and quality chosen to meet the format's limits."""

from __future__ import annotations

import io
import json

from PIL import Image, PngImagePlugin

from assetline.errors import SpecError
from assetline.spec.campaign import OutputOptions
from assetline.spec.formats import ChannelFormat

MEDIA_TYPES = {"jpeg": "image/jpeg", "png": "image/png"}
MIN_JPEG_QUALITY = 60


def encode_for_channel(
    image: Image.Image, fmt: ChannelFormat, options: OutputOptions
) -> tuple[bytes, str, dict[str, object]]:
    """Encoded bytes, media type and what was decided (type, quality, whether the size limit was met)."""
    allowed = [t for t in fmt.file_types if t in MEDIA_TYPES]
    if not allowed:
        raise SpecError(f"format {fmt.id} takes {', '.join(fmt.file_types)} files, not still images",
                        hint="motion formats are rendered by the motion engine (see docs/motion.md)")
    rgb = image.convert("RGB")
    if options.prefer in allowed:
        kind = options.prefer
    elif "jpeg" in allowed:
        kind = "jpeg"
    else:
        kind = allowed[0]
    limit = fmt.max_file_kb * 1024
    if kind == "png":
        data = _png(rgb)
        if len(data) <= limit or "jpeg" not in allowed:
            return data, MEDIA_TYPES["png"], {"type": "png", "bytes": len(data), "within_limit": len(data) <= limit}
        kind = "jpeg"
    quality = options.jpeg_quality
    data = _jpeg(rgb, quality)
    while len(data) > limit and quality > MIN_JPEG_QUALITY:
        quality = max(MIN_JPEG_QUALITY, quality - 6)
        data = _jpeg(rgb, quality)
    return (
        data,
        MEDIA_TYPES["jpeg"],
        {"type": "jpeg", "quality": quality, "bytes": len(data), "within_limit": len(data) <= limit},
    )


def _jpeg(image: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=quality, optimize=True, progressive=True, subsampling="4:2:0")
    return buf.getvalue()


def _png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "PNG", optimize=False, compress_level=6)
    return buf.getvalue()


def lossless_intermediate(image: Image.Image, metadata: dict[str, object] | None = None) -> bytes:
    """Fast lossless PNG for intermediate artifacts (visual backgrounds). ``metadata`` travels inside the
    file as an ``assetline`` text chunk, so a downstream step reads pixels and metadata from one blob."""
    buf = io.BytesIO()
    info = PngImagePlugin.PngInfo()
    if metadata:
        info.add_text("assetline", json.dumps(metadata, sort_keys=True, separators=(",", ":")))
    image.convert("RGB").save(buf, "PNG", compress_level=1, pnginfo=info)
    return buf.getvalue()
