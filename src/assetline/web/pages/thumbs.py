"""JPEG thumbnails of renders, made once and kept on disk.

Blobs are content-addressed, so a thumbnail is named by its blob and size
(``<workspace>/cache/thumbs/<sha>-<size>.jpg``) and never goes stale; deleting the folder is always safe.
Writes are atomic (temp file + rename), so two requests making the same thumbnail cannot leave half a file.
"""

from __future__ import annotations

import os
import tempfile
from io import BytesIO
from pathlib import Path
from typing import Any

from PIL import Image

from assetline.errors import InvalidRequestError
from assetline.store.blobs import BlobStore

SIZES = (240, 480, 960)
"""Longest side in pixels. 480 fills a board card on a 2× screen."""
DEFAULT_SIZE = 480
QUALITY = 82


def still_sha(artifact: Any) -> str:
    """The blob a thumbnail is made from: the render, or a video's poster frame (its end card)."""
    if str(artifact.media_type).startswith("video/"):
        poster = ((artifact.meta or {}).get("motion") or {}).get("poster_sha")
        if poster:
            return str(poster)
    return str(artifact.blob_sha)


def thumb_dir(workspace: Path) -> Path:
    return workspace / "cache" / "thumbs"


def check_size(size: int) -> int:
    if size not in SIZES:
        raise InvalidRequestError(f"thumbnail size {size} is not offered",
                                  hint=f"use one of: {', '.join(map(str, SIZES))}")
    return size


def thumbnail(blobs: BlobStore, cache: Path, sha: str, size: int) -> Path:
    """The cached thumbnail of blob ``sha`` (made now if missing); never larger than the original."""
    path = cache / f"{blobs.path(sha).name}-{check_size(size)}.jpg"  # blobs.path validates the hash
    if path.is_file():
        return path
    with Image.open(BytesIO(blobs.get(sha))) as im:
        im.draft("RGB", (size, size))  # JPEG: decode at a reduced scale, much faster for big renders
        im.load()
        if im.mode in ("RGBA", "LA", "P"):
            rgba = im.convert("RGBA")
            flat = Image.new("RGB", rgba.size, (255, 255, 255))
            flat.paste(rgba, mask=rgba.getchannel("A"))
        else:
            flat = im.convert("RGB")
    flat.thumbnail((size, size), Image.Resampling.LANCZOS)
    cache.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=cache, prefix=".tmp-", suffix=".jpg")
    try:
        with os.fdopen(fd, "wb") as fh:
            flat.save(fh, "JPEG", quality=QUALITY, optimize=True, progressive=True)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
