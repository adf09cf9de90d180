"""Perceptual fingerprints of an image: 64-bit DCT pHash (and its mirror), plus a coarse colour histogram.

pHash (the classic Zauner/pHash.org construction, as in ``imagehash.phash``): reduce the image to
32×32 luminance, take the 2-D DCT-II, keep the 8×8 lowest frequencies and set one bit per
coefficient above their median. Bits are packed row-major, most significant first, into one
``uint64``. Two hashes are compared by Hamming distance (0 = same picture; unrelated pictures sit
around 32 of 64).

Speed: the image is first shrunk with ``Image.reduce`` (box filter by an integer factor) to 128–255 px,
then box-resized to 64×64 and averaged 2×2 to 32×32, so a 1080² RGB image hashes in about 1 ms.
The mirror hash comes free: a horizontal flip only flips the sign of odd horizontal frequencies.

The colour histogram (4×4×4 RGB bins of the same thumbnail, summing to 1) gives the homogenisation
check a cheap "same look" distance (total variation, 0…1), and the standardised 64×64 luminance
thumbnail tells a re-encoded copy (near-identical) from the same background with another headline
(``changed_fraction``), which pHash alone cannot.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from PIL import Image

HASH_SIZE = 8
DCT_SIZE = 32
_GREY = np.array([0.299, 0.587, 0.114], dtype=np.float64)
_BIT_WEIGHTS = (np.uint64(1) << np.arange(63, -1, -1, dtype=np.uint64)).astype(np.uint64)


@cache
def _dct_matrix(n: int = DCT_SIZE) -> np.ndarray:
    """Orthonormal DCT-II matrix (rows = frequencies)."""
    k = np.arange(n)[:, None]
    x = np.arange(n)[None, :]
    m: np.ndarray = np.cos(np.pi * (2 * x + 1) * k / (2 * n)) * np.sqrt(2.0 / n)
    m[0] /= np.sqrt(2.0)
    return m


@cache
def _mirror_signs() -> np.ndarray:
    return np.where(np.arange(HASH_SIZE) % 2 == 1, -1.0, 1.0)[None, :]


def _shrink(im: Image.Image, size: int) -> Image.Image:
    factor = min(im.width, im.height) // (2 * size)
    if factor >= 2:
        im = im.reduce(factor)  # box filter by an integer factor: fast, and as good as area averaging
    return im.resize((size, size), Image.Resampling.BOX)


def thumbnail(image: Image.Image, size: int = DCT_SIZE) -> np.ndarray:
    """``size``×``size``×3 float RGB thumbnail (0…255), transparent parts composited onto white."""
    im = image
    if im.mode not in ("RGB", "RGBA"):
        has_alpha = im.mode in ("LA", "PA") or (im.mode == "P" and "transparency" in im.info)
        im = im.convert("RGBA" if has_alpha else "RGB")
    if im.mode == "RGBA":
        alpha_band = im.getchannel("A")
        rgb_im = im.convert("RGB")  # Pillow reduces RGBA several times slower than RGB + L
        low = alpha_band.getextrema()[0]
        if isinstance(low, int | float) and low < 255:
            alpha = np.asarray(_shrink(alpha_band, size), dtype=np.float64)[..., None] / 255.0
            rgb = np.asarray(_shrink(rgb_im, size), dtype=np.float64)
            return rgb * alpha + 255.0 * (1.0 - alpha)
        im = rgb_im
    return np.asarray(_shrink(im, size), dtype=np.float64)


def _pack(bits: np.ndarray) -> int:
    return int(np.bitwise_or.reduce(np.where(bits.reshape(-1), _BIT_WEIGHTS, np.uint64(0))))


def phash_from_grey(grey: np.ndarray) -> tuple[int, int]:
    """(hash, mirrored-image hash) of a 32×32 luminance array."""
    d = _dct_matrix(grey.shape[0])
    coeffs = d @ grey @ d.T
    low = coeffs[:HASH_SIZE, :HASH_SIZE]
    flipped = low * _mirror_signs()
    return _pack(low > np.median(low)), _pack(flipped > np.median(flipped))


def phash(image: Image.Image) -> int:
    """64-bit DCT perceptual hash of ``image`` as a Python int."""
    rgb = thumbnail(image, 2 * DCT_SIZE).reshape(DCT_SIZE, 2, DCT_SIZE, 2, 3).mean(axis=(1, 3))
    return phash_from_grey(rgb @ _GREY)[0]


def hamming(a: int, b: int) -> int:
    return (int(a) ^ int(b)).bit_count()


@dataclass(frozen=True)
class Fingerprint:
    phash: int
    phash_mirror: int
    """pHash of the horizontally mirrored image (a flipped copy matches this one)."""
    colour: np.ndarray
    """4×4×4 RGB histogram, flattened, summing to 1."""
    detail: np.ndarray
    """64×64 luminance thumbnail, standardised (zero mean, unit variance), float32."""
    contrast: float
    """Standard deviation of the 64×64 luminance (0…255): below ~2 the image is flat and pHash says little."""

    @property
    def hex(self) -> str:
        return f"{self.phash:016x}"


def fingerprint(image: Image.Image) -> Fingerprint:
    """pHash, mirror pHash, colour histogram and a detail thumbnail, from one 64×64 reduction."""
    rgb64 = thumbnail(image, 2 * DCT_SIZE)
    rgb = rgb64.reshape(DCT_SIZE, 2, DCT_SIZE, 2, 3).mean(axis=(1, 3))
    h, hm = phash_from_grey(rgb @ _GREY)
    q = np.clip(rgb // 64, 0, 3).astype(np.int64)
    hist = np.bincount((q[..., 0] * 16 + q[..., 1] * 4 + q[..., 2]).ravel(), minlength=64).astype(np.float64)
    grey64 = rgb64 @ _GREY
    std = float(grey64.std())
    detail = ((grey64 - grey64.mean()) / max(std, 1e-6)).astype(np.float32)
    return Fingerprint(h, hm, hist / hist.sum(), detail, std)


def colour_distance(a: Fingerprint, b: Fingerprint) -> float:
    """Total-variation distance of the colour histograms (0 = same colours, 1 = disjoint)."""
    return 0.5 * float(np.abs(a.colour - b.colour).sum())


def changed_fraction(a: Fingerprint, b: Fingerprint, mirrored: bool = False) -> float:
    """Share of 64×64 thumbnail pixels whose standardised luminance differs by more than 1 σ.

    Re-encoding, resizing and mild recolouring stay below ~0.003; a changed headline on the same
    background moves 2–4 % of the pixels. Both flat: 0.0.
    """
    other = b.detail[:, ::-1] if mirrored else b.detail
    return float((np.abs(a.detail - other) > 1.0).mean())


def hex_to_int(value: str | int) -> int:
    return int(value, 16) if isinstance(value, str) else int(value)
