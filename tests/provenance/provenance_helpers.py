"""Test images and file surgery for the provenance tests (real pixels, real files; nothing mocked)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from assetline.provenance.keys import TenantKeys
from assetline.provenance.manifest import EngineInfo, Ingredient, ProvenanceRecord, choose_source_type, has_human_made

MISSING = [m for m in ("c2pa", "cryptography", "cv2", "pywt", "imwatermark") if importlib.util.find_spec(m) is None]
needs_extra = pytest.mark.skipif(bool(MISSING), reason=f"provenance extra missing ({', '.join(MISSING)}): "
                                 "pip install 'assetline[provenance]' && pip install --no-deps invisible-watermark")

ASSET_ID = 4_012_345_678
"""Above 2³¹: the watermark carries a full unsigned 32-bit id."""


def gradient(width: int, height: int, text: str = "Orbit Coffee") -> Image.Image:
    """A smooth three-colour gradient with a line of white text: the procedural engine's typical output."""
    x = np.linspace(0, 1, width)[None, :]
    y = np.linspace(0, 1, height)[:, None]
    rgb = np.dstack([255 * (0.2 + 0.6 * x) * np.ones_like(y), 255 * (0.3 + 0.5 * y) * np.ones_like(x),
                     255 * (0.8 - 0.5 * x * y)]).astype(np.uint8)
    image = Image.fromarray(rgb, "RGB")
    font = ImageFont.load_default(size=max(10, height // 8))
    ImageDraw.Draw(image).text((width * 0.08, height * 0.3), text, fill=(255, 255, 255), font=font)
    return image


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buf = io.BytesIO()
    image.save(buf, fmt, **options)
    return buf.getvalue()


def png(image: Image.Image) -> bytes:
    return encode(image, "PNG")


def jpeg(image: Image.Image, quality: int = 92) -> bytes:
    return encode(image, "JPEG", quality=quality)


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def unmarked_images(count: int = 20, seed: int = 7) -> list[Image.Image]:
    """Varied images that were never marked: flat, white, black, gradients, noise, stripes, checkerboards,
    scikit-image photos, a 728×90 banner and a 320×50 banner."""
    from skimage import data as samples

    rng = np.random.default_rng(seed)
    out = [Image.new("RGB", (512, 512), (255, 255, 255)), Image.new("RGB", (600, 400), (0, 0, 0)),
           Image.new("RGB", (1080, 1080), (40, 90, 200)), gradient(1080, 1080), gradient(728, 90, "Sale"),
           gradient(320, 50, "Shop"), gradient(1080, 1920, "Story")]
    out += [Image.fromarray(getattr(samples, name)()) for name in ("coffee", "astronaut", "chelsea", "rocket")]
    out.append(Image.fromarray(rng.integers(0, 256, (400, 400, 3), dtype=np.uint8)))
    out.append(Image.fromarray(np.kron(rng.integers(0, 256, (32, 32, 3), dtype=np.uint8), np.ones((16, 16, 1),
                                                                                              dtype=np.uint8))))
    stripes = np.zeros((500, 500, 3), np.uint8)
    stripes[:, ::16] = (255, 200, 0)
    out.append(Image.fromarray(stripes))
    checker = (np.indices((512, 512)).sum(axis=0) // 8 % 2 * 255).astype(np.uint8)
    out.append(Image.fromarray(np.dstack([checker, 255 - checker, checker // 2])))
    while len(out) < count:
        h, w = int(rng.integers(200, 900)), int(rng.integers(200, 900))
        base = gradient(w, h, text=f"Offer {len(out)}")
        noise = rng.normal(0, float(rng.uniform(2, 20)), (h, w, 3))
        out.append(Image.fromarray(np.clip(np.asarray(base) + noise, 0, 255).astype(np.uint8)))
    return out[:count]


def png_with_pixels_of(signed_png: bytes, edited_png: bytes) -> bytes:
    """``signed_png`` with its image data (IDAT) replaced by ``edited_png``'s: every other chunk, including the
    C2PA manifest (caBX), stays as it was. This is a pixel edit that keeps the manifest."""
    def chunks(data: bytes) -> list[tuple[bytes, bytes]]:
        out, pos = [], 8
        while pos < len(data):
            (length,) = struct.unpack(">I", data[pos:pos + 4])
            kind = data[pos + 4:pos + 8]
            out.append((kind, data[pos + 8:pos + 8 + length]))
            pos += 12 + length
        return out

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    new_idat = [c for c in chunks(edited_png) if c[0] == b"IDAT"]
    out, done = [], False
    for kind, body in chunks(signed_png):
        if kind == b"IDAT":
            if not done:
                out += [chunk(k, b) for k, b in new_idat]
                done = True
            continue
        out.append(chunk(kind, body))
    return signed_png[:8] + b"".join(out)



@dataclass(frozen=True)
class SignedSet:
    """Files signed once per session (conftest ``signed``): acme's PNG and JPEG, and the PNG signed by beta."""

    workspace: Path
    acme: TenantKeys
    beta: TenantKeys
    record: ProvenanceRecord
    manifest: dict[str, object]
    png: bytes
    jpeg: bytes
    beta_png: bytes


def demo_ingredients() -> list[Ingredient]:
    logo = png(Image.new("RGBA", (96, 48), (200, 30, 30, 255)))
    photo = jpeg(Image.new("RGB", (120, 80), (90, 60, 30)))
    return [Ingredient.from_bytes("orbit-logo.png", logo, "image/png", "logo",
                                  {"id": "proprietary", "owner": "Orbit Coffee"}),
            Ingredient.from_bytes("espresso.jpg", photo, "image/jpeg", "photo",
                                  {"id": "CC0-1.0", "source": "scikit-image coffee()"}),
            Ingredient("Inter-Regular.ttf", "0" * 64, "font/ttf", "font", licence={"id": "OFL-1.1"})]


def demo_record(asset_id: int = ASSET_ID, *, ai_training: bool = False) -> ProvenanceRecord:
    """A demo asset: procedural background + licensed photo + logo + font, QC passed, approved by Alice."""
    ingredients = demo_ingredients()
    return ProvenanceRecord(
        asset_id=asset_id, title="spring-meta-feed.png", format_id="meta-feed-1080",
        source_type=choose_source_type(used_trained_model=False, has_human_made_inputs=has_human_made(ingredients)),
        engines=[EngineInfo("builtin.visual", "3"), EngineInfo("builtin.compose", "2")], ingredients=ingredients,
        qc_results=[{"check": "brand.palette", "passed": True, "severity": "error"},
                    {"check": "text.contrast", "passed": True, "severity": "error", "ratio": 7.1}],
        review_decisions=[{"who": "alice@orbit.example", "role": "brand-manager", "decision": "approved",
                           "note": "on brand", "at": dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)}],
        licences={"status": "cleared", "expires": "2027-11-30"}, ai_training_allowed=ai_training, revision=3,
        content_key="ck-9f2c", watermark_id=asset_id, lineage_digest="sha256:" + "ab" * 32,
        created_at=dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC))
