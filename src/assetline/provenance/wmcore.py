"""The watermark's signal processing on pixel arrays (``watermark.py`` handles files). BGR uint8 in, like OpenCV.

Built on invisible-watermark's ``dwtDctSvd`` (``imwatermark.dwtDctSvd.EmbedDwtDctSvd``), with five changes that
measurements called for (docs/provenance.md has the figures):

1. A canonical working grid. The image is resized to 256 px wide (128 for images under 200 px wide), its height
   set by the aspect ratio, before marking and before reading. A resized copy maps back onto the same grid, and
   images below the library's 256×256 minimum (728×90, 320×50 banners) get a usable grid.
2. Payload spread. The library gives block n to watermark index n mod L. With L = 67 (prime) rather than 64,
   each payload bit is spread diagonally over the picture instead of living in one column of blocks. Indices
   64–66 repeat payload bits 0–2.
3. A nearest-point quantiser. The library moves each block's largest singular value up or down to the *floor*
   cell of its bit, and changes up to 27 steps. Ours moves it to the *nearest* point of the bit's lattice that the
   block's blue channel has room for. The decoder is the same.
4. Pinned blocks. Blocks whose blue channel is mostly at its limit (white, black, saturated blue or yellow)
   cannot move U both ways without a visible tint. They are left alone and do not vote. The reader recomputes
   which blocks are pinned from the pixels it gets.
5. The change of U is blurred (σ 2 working px), so no block edges show, and applied as ΔB = 2.032·ΔU,
   ΔG = −0.395·ΔU (luma and V unchanged). Passes repeat until the blocks sit well inside their cells (margin).
"""

from __future__ import annotations

import itertools
import math
import zlib
from typing import Any

import numpy as np
from numpy.typing import NDArray

from assetline.errors import ProvenanceError
from assetline.provenance._deps import require

PAYLOAD_BITS = 64
ID_BITS = 32
SALT = b"assetline-wm/1"
MASK = np.unpackbits(np.frombuffer(bytes.fromhex("a5c3e1977b2d4f86"), dtype=np.uint8))
"""XOR whitening: an all-zero or all-one read (a flat image) never looks like a payload."""
INDICES = 67
"""The library's watermark length: prime, so payload bits spread diagonally over the blocks."""
STEP = 40.0
"""Quantiser step on each block's largest singular value (the library's default is 36)."""
BLUR_SIGMA = 2.0
CANONICAL_WIDTH = 256
NARROW_WIDTH = 128
NARROW_BELOW = 200
"""Images narrower than this use the 128-px grid (larger blocks, fewer of them)."""
SHORT_GRID = 128
"""Grids shorter than this are also read at heights ±1 (a resize rounds the height)."""
BLOCK = 8
"""Working pixels per block side: 4×4 coefficients of the Haar approximation band."""
PIN_LEVEL = 6
"""A block is pinned when its blue channel's median is within this of 255 or of 0."""
S0_PER_B = 8 / 2.032
"""How far the largest singular value of a smooth block moves per level of blue added to every pixel."""
MAX_FLIPS = 2
FLIP_POOL = 6
CANDIDATES = 256
"""Most payloads one read may try: a false positive needs one of them to pass CRC-32 (≤ 256·2⁻³² ≈ 6·10⁻⁸)."""

Grid = tuple[int, int]


# -- payload -----------------------------------------------------------------------------------------------


def payload_bits(asset_id: int) -> NDArray[np.uint8]:
    """The 64 whitened bits for ``asset_id``: id (big-endian) then CRC-32(SALT + id)."""
    if isinstance(asset_id, bool) or not isinstance(asset_id, int) or not 0 <= asset_id < 2**ID_BITS:
        raise ProvenanceError(f"the watermark holds a 32-bit asset id; {asset_id!r} does not fit",
                              hint="asset ids from 0 to 4294967295 can be watermarked")
    raw = asset_id.to_bytes(4, "big")
    crc = zlib.crc32(SALT + raw).to_bytes(4, "big")
    return np.asarray(np.unpackbits(np.frombuffer(raw + crc, dtype=np.uint8)) ^ MASK, dtype=np.uint8)


def _check(bits: NDArray[np.uint8]) -> int | None:
    raw = np.packbits(bits ^ MASK).tobytes()
    if zlib.crc32(SALT + raw[:4]).to_bytes(4, "big") == raw[4:]:
        return int.from_bytes(raw[:4], "big")
    return None


def decode_payload(scores: NDArray[np.float64]) -> int | None:
    """The asset id from per-bit vote shares (0–1; exactly 0.5 = no vote), or None when no candidate passes the
    CRC. Bits without a vote are erasures and are tried both ways; then up to ``MAX_FLIPS`` of the
    ``FLIP_POOL`` least certain other bits are flipped, within ``CANDIDATES`` tries in all."""
    erased = np.flatnonzero(scores == 0.5)
    if 2 ** len(erased) > CANDIDATES:
        return None
    hard = (scores > 0.5).astype(np.uint8)
    certainty = np.abs(scores - 0.5)
    certainty[erased] = np.inf
    weakest = np.argsort(certainty, kind="stable")[:FLIP_POOL]
    flips = 0
    while flips < MAX_FLIPS and 2 ** len(erased) * sum(math.comb(len(weakest), k) for k in range(flips + 2)) \
            <= CANDIDATES:
        flips += 1
    for n in range(flips + 1):
        for combo in itertools.combinations(weakest, n):
            for fill in itertools.product((0, 1), repeat=len(erased)):
                bits = hard.copy()
                bits[list(combo)] ^= 1
                bits[erased] = fill
                found = _check(bits)
                if found is not None:
                    return found
    return None


def index_bits(bits: NDArray[np.uint8]) -> list[int]:
    """The library's watermark (``INDICES`` long) for 64 payload bits."""
    return [int(bits[i % PAYLOAD_BITS]) for i in range(INDICES)]


# -- grid --------------------------------------------------------------------------------------------------


def blocks(grid: Grid) -> int:
    return (grid[0] // BLOCK) * (grid[1] // BLOCK)


def canonical_grid(width: int, height: int, canonical_width: int | None = None) -> Grid:
    """(width, height) of the working copy: set by the aspect ratio and the width class, so a resized copy maps
    onto the same grid."""
    cw = canonical_width
    if cw is None:
        narrow = (NARROW_WIDTH, round(NARROW_WIDTH * height / width))
        cw = NARROW_WIDTH if width < NARROW_BELOW and blocks(narrow) >= 2 * PAYLOAD_BITS else CANONICAL_WIDTH
    return cw, max(1, round(cw * height / width))


def read_grids(width: int, height: int) -> list[Grid]:
    """Grids to try when reading, the likely one first."""
    first = canonical_grid(width, height)[0]
    widths = [first]
    if NARROW_BELOW / 2 <= width <= NARROW_BELOW * 2:
        widths.append(NARROW_WIDTH if first == CANONICAL_WIDTH else CANONICAL_WIDTH)
    grids = []
    for cw in widths:
        ch = canonical_grid(width, height, cw)[1]
        grids += [(cw, ch + dh) for dh in ((0, -1, 1) if ch < SHORT_GRID else (0,))]
    return [g for g in grids if blocks(g) >= PAYLOAD_BITS]


def _resize(a: NDArray[Any], size: Grid) -> NDArray[Any]:
    cv2 = require("cv2")
    w, h = size
    shrink = w < a.shape[1] and h < a.shape[0]
    return np.asarray(cv2.resize(a, (w, h), interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR))


def _block_stats(work: NDArray[np.uint8], grid: Grid) -> tuple[NDArray[np.bool_], NDArray[np.float64],
                                                                 NDArray[np.float64]]:
    """Per block in the library's raster order: pinned, room to raise and room to lower the singular value."""
    rows, cols = grid[1] // BLOCK * BLOCK, grid[0] // BLOCK * BLOCK
    blue = work[:rows, :cols, 0].astype(np.float64)
    per_block = blue.reshape(rows // BLOCK, BLOCK, cols // BLOCK, BLOCK).transpose(0, 2, 1, 3).reshape(-1, BLOCK**2)
    high, middle, low = np.percentile(per_block, (90, 50, 10), axis=1)
    pinned = (middle >= 255 - PIN_LEVEL) | (middle <= PIN_LEVEL)
    return pinned, 0.9 * S0_PER_B * (255 - high), 0.9 * S0_PER_B * low


def _approx(work: NDArray[np.uint8], grid: Grid) -> NDArray[np.float64]:
    cv2, pywt = require("cv2"), require("pywt")
    u = cv2.cvtColor(work, cv2.COLOR_BGR2YUV)[..., 1].astype(np.float64)
    approx, _ = pywt.dwt2(u[:grid[1] // BLOCK * BLOCK, :grid[0] // BLOCK * BLOCK], "haar")
    return np.ascontiguousarray(approx)


# -- the library, with our quantiser and pinned blocks -----------------------------------------------------


def _quantiser(bits: NDArray[np.uint8] | None, pinned: NDArray[np.bool_],
               up: NDArray[np.float64] | None = None, down: NDArray[np.float64] | None = None) -> Any:
    """An ``EmbedDwtDctSvd`` whose per-block hooks know the block's number (the library visits blocks in raster
    order, once each, for both ``encode_frame`` and ``decode_frame``)."""
    base = require("imwatermark.dwtDctSvd").EmbedDwtDctSvd
    cv2 = require("cv2")

    class Quantiser(base):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            super().__init__(watermarks=[] if bits is None else index_bits(bits), wmLen=INDICES,
                             scales=[0, STEP, 0], block=4)
            self.n = 0

        def diffuse_dct_svd(self, block: Any, wm_bit: int, scale: float) -> Any:
            n, self.n = self.n, self.n + 1
            if pinned[n]:
                return block
            assert up is not None and down is not None
            u, s, v = np.linalg.svd(cv2.dct(block))
            offset = (0.25 + 0.5 * wm_bit) * scale
            k0 = np.floor((s[0] - offset) / scale)
            targets = [t for t in ((k0 + d) * scale + offset for d in (-1, 0, 1, 2)) if t >= 0]
            fits = [t for t in targets if t - s[0] <= up[n] and s[0] - t <= down[n]]
            s[0] = min(fits or targets, key=lambda t: abs(t - s[0]))
            return cv2.idct(u @ np.diag(s) @ v)

        def infer_dct_svd(self, block: Any, scale: float) -> Any:
            n, self.n = self.n, self.n + 1
            return np.nan if pinned[n] else super().infer_dct_svd(block, scale)

    return Quantiser()


def scores(bgr: NDArray[np.uint8], grid: Grid) -> NDArray[np.float64]:
    """Per payload bit, the share of (unpinned) blocks voting 1; 0.5 where a bit has no vote."""
    work = _resize(bgr, grid)
    pinned, _, _ = _block_stats(work, grid)
    votes = _quantiser(None, pinned).decode_frame(_approx(work, grid), STEP, [[] for _ in range(INDICES)])
    merged: list[list[float]] = [[] for _ in range(PAYLOAD_BITS)]
    for index, values in enumerate(votes):
        merged[index % PAYLOAD_BITS] += [v for v in values if not np.isnan(v)]
    return np.array([float(np.mean(v)) if v else 0.5 for v in merged])


def margins(bgr: NDArray[np.uint8], grid: Grid, bits: NDArray[np.uint8]) -> NDArray[np.float64]:
    """Per unpinned block: 1 at the centre of its bit's cell, 0 at the decision edge, negative when wrong.

    Vectorised: a block's DCT is orthonormal, so its largest singular value is the block's own; this matches
    the library's per-block ``infer_dct_svd`` without its Python loop."""
    work = _resize(bgr, grid)
    pinned, _, _ = _block_stats(work, grid)
    approx = _approx(work, grid)
    r, c = approx.shape[0] // 4 * 4, approx.shape[1] // 4 * 4
    coeffs = approx[:r, :c].reshape(r // 4, 4, c // 4, 4).transpose(0, 2, 1, 3).reshape(-1, 4, 4)
    offset = np.mod(np.linalg.svd(coeffs, compute_uv=False)[:, 0], STEP)
    wanted = np.asarray(index_bits(bits))[np.arange(len(offset)) % INDICES]
    distance = np.abs(offset - (0.25 + 0.5 * wanted) * STEP)
    distance = np.minimum(distance, STEP - distance)
    return np.asarray(np.clip(1 - distance / (STEP / 4), -1, 1)[~pinned])


def free_blocks(bgr: NDArray[np.uint8], grid: Grid) -> int:
    """How many blocks can carry the mark (not pinned)."""
    return int((~_block_stats(_resize(bgr, grid), grid)[0]).sum())


def mark_pass(current: NDArray[np.float32], bits: NDArray[np.uint8], grid: Grid) -> None:
    """One embedding pass, in place on a float BGR image of any size."""
    cv2, pywt = require("cv2"), require("pywt")
    h, w = current.shape[:2]
    work = _resize(np.clip(np.rint(current), 0, 255).astype(np.uint8), grid)
    pinned, up, down = _block_stats(work, grid)
    u = cv2.cvtColor(work, cv2.COLOR_BGR2YUV)[..., 1].astype(np.float64)
    rows, cols = grid[1] // BLOCK * BLOCK, grid[0] // BLOCK * BLOCK
    approx, details = pywt.dwt2(u[:rows, :cols], "haar")
    approx = np.ascontiguousarray(approx)
    _quantiser(bits, pinned, up, down).encode_frame(approx, STEP)
    delta = np.zeros_like(u)
    delta[:rows, :cols] = pywt.idwt2((approx, details), "haar")[:rows, :cols] - u[:rows, :cols]
    du = _resize(cv2.GaussianBlur(delta, (0, 0), BLUR_SIGMA).astype(np.float32), (w, h))
    current[..., 0] += 2.032 * du
    current[..., 1] -= 0.395 * du


def read_scores(bgr: NDArray[np.uint8]) -> tuple[int, float, Grid] | None:
    """(asset id, mean vote agreement, grid) of the first grid whose payload passes the CRC, else None."""
    for grid in read_grids(bgr.shape[1], bgr.shape[0]):
        found_scores = scores(bgr, grid)
        found = decode_payload(found_scores)
        if found is not None:
            return found, float(np.mean(np.abs(2 * found_scores - 1))), grid
    return None
