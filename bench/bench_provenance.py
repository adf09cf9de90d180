"""Per-asset cost of provenance: watermark embed, C2PA sign, verify; and the bytes they add.

    .venv/bin/python -m bench --only provenance [--quick]

Assets like the demo's: a procedural gradient with a licensed photo, the brand logo and a headline, at
1080×1080 (PNG and JPEG q90) and as a 728×90 banner (JPEG and PNG). For each, N times (20 quick, 100 full),
each step is timed on its own: ``watermark.embed``, ``sign`` (manifest with logo + photo ingredients, no
thumbnail), ``verify_bytes`` with the tenant's anchor (manifest + watermark read) and the watermark read alone.
Keys are made in a temporary workspace. Medians and 90th percentiles in ms.
"""

from __future__ import annotations

import datetime as dt
import io
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from assetline.api import example_dir
from assetline.provenance.keys import init_keys, load_keys
from assetline.provenance.manifest import (
    EngineInfo,
    Ingredient,
    ProvenanceRecord,
    build_manifest,
    choose_source_type,
    has_human_made,
)
from assetline.provenance.signing import sign
from assetline.provenance.verify import verify_bytes
from assetline.provenance.watermark import embed, extract
from bench._common import show

NAME = "provenance"
CASES = (("1080x1080 png", 1080, 1080, "PNG"), ("1080x1080 jpeg", 1080, 1080, "JPEG"),
         ("728x90 jpeg", 728, 90, "JPEG"), ("728x90 png", 728, 90, "PNG"))
MIMES = {"PNG": "image/png", "JPEG": "image/jpeg"}


def _encode(image: Image.Image, fmt: str) -> bytes:
    buf = io.BytesIO()
    image.save(buf, fmt, **({"quality": 90} if fmt == "JPEG" else {"compress_level": 6}))
    return buf.getvalue()


def _asset(width: int, height: int, photo: Image.Image, logo: Image.Image) -> Image.Image:
    """Gradient background, photo on the right, logo top-left, a headline: what the demo composes."""
    x = np.linspace(0, 1, width)[None, :]
    y = np.linspace(0, 1, height)[:, None]
    rgb = np.dstack([255 * (0.25 + 0.5 * x) * np.ones_like(y), 255 * (0.35 + 0.4 * y) * np.ones_like(x),
                     255 * (0.75 - 0.45 * x * y)]).astype(np.uint8)
    image = Image.fromarray(rgb, "RGB")
    side = min(height, width // 2)
    image.paste(photo.resize((side, side)), (width - side, height - side))
    mark = logo.copy()
    mark.thumbnail((max(16, width // 6), max(16, height // 3)))
    image.paste(mark, (height // 20 + 2, height // 20 + 2), mark if mark.mode == "RGBA" else None)
    font = ImageFont.load_default(size=max(10, height // 9))
    ImageDraw.Draw(image).text((width * 0.06, height * 0.45), "Wake up to Orbit", fill=(255, 255, 255), font=font)
    return image


def _time(fn: Callable[[], Any], reps: int) -> tuple[list[float], Any]:
    times, value = [], None
    for _ in range(reps):
        start = time.perf_counter()
        value = fn()
        times.append((time.perf_counter() - start) * 1000)
    return times, value


def _stats(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {"median_ms": round(statistics.median(ordered), 2),
            "p90_ms": round(ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))], 2)}


def run(quick: bool = False) -> dict[str, Any]:
    n = 20 if quick else 100
    from skimage import data as samples

    photo_image = Image.fromarray(samples.coffee())
    logo_path = example_dir() / "logo-dark.png"
    logo_image = Image.open(logo_path).convert("RGBA")
    photo_bytes = _encode(photo_image, "JPEG")
    ingredients = [Ingredient.from_bytes("coffee.jpg", photo_bytes, "image/jpeg", "photo", {"id": "CC0-1.0"}),
                   Ingredient.from_bytes(logo_path.name, logo_path.read_bytes(), "image/png", "logo",
                                         {"id": "proprietary"})]
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        init_keys(Path(tmp), "bench", "Bench Ltd")
        keys = load_keys(Path(tmp), "bench")
        for i, (label, width, height, fmt) in enumerate(CASES):
            mime = MIMES[fmt]
            source = _encode(_asset(width, height, photo_image, logo_image), fmt)
            record = ProvenanceRecord(
                asset_id=1000 + i, title=f"bench-{label.replace(' ', '-')}", format_id=label,
                source_type=choose_source_type(False, has_human_made(ingredients)),
                engines=[EngineInfo("builtin.visual", "3"), EngineInfo("builtin.compose", "2")],
                ingredients=ingredients, qc_results=[{"check": "brand.palette", "passed": True}],
                review_decisions=[{"who": "bench", "role": "reviewer", "decision": "approved",
                                   "at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)}],
                revision=1, watermark_id=1000 + i)
            manifest = build_manifest(record)
            embed(source, mime, record.asset_id)  # warm-up: imports, first-call costs
            embed_ms, marked = _time(lambda s=source, m=mime, a=record.asset_id: embed(s, m, a), n)
            sign_ms, signed = _time(lambda d=marked.data, m=mime, r=manifest: sign(d, m, r, keys, ingredients), n)
            verify_ms, report = _time(lambda d=signed, m=mime: verify_bytes(d, m, keys.anchors_pem), n)
            manifest_ms, _ = _time(lambda d=signed, m=mime: verify_bytes(d, m, keys.anchors_pem,
                                                                         read_watermark=False), n)
            extract_ms, found = _time(lambda d=signed: extract(d), n)
            assert report.state == "trusted" and found == record.asset_id, (label, report.state, found)
            rows.append({"case": label, "embedded": marked.embedded, "psnr_db": marked.psnr_db,
                         "passes": marked.passes, "embed": _stats(embed_ms), "sign": _stats(sign_ms),
                         "verify": _stats(verify_ms), "verify_manifest_only": _stats(manifest_ms),
                         "extract": _stats(extract_ms), "source_bytes": len(source),
                         "watermarked_bytes": len(marked.data), "signed_bytes": len(signed),
                         "manifest_bytes": len(signed) - len(marked.data)})
    show(f"Provenance: median ms per asset (N={n})",
         ["case", "embed", "sign", "verify", "verify (no wm)", "extract", "PSNR dB"],
         [[r["case"], r["embed"]["median_ms"], r["sign"]["median_ms"], r["verify"]["median_ms"],
           r["verify_manifest_only"]["median_ms"], r["extract"]["median_ms"], r["psnr_db"]] for r in rows])
    show("Provenance: bytes per file",
         ["case", "source", "watermarked", "signed", "manifest", "wm growth %"],
         [[r["case"], r["source_bytes"], r["watermarked_bytes"], r["signed_bytes"], r["manifest_bytes"],
           round(100 * (r["watermarked_bytes"] / r["source_bytes"] - 1), 1)] for r in rows])
    summary = {f"{r['case']}: {step}_ms": r[step]["median_ms"] for r in rows for step in ("embed", "sign", "verify")}
    summary["manifest_bytes_median"] = statistics.median(r["manifest_bytes"] for r in rows)
    return {"n": n, "rows": rows, "summary": summary}
