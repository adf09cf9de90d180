"""PHashIndex: exact Hamming-radius search (multi-index hashing) against brute force, and save/load."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assetline.qc.phash_index import PHashIndex, popcount64, to_uint64

N = 100_000


def flip_bits(h: np.uint64, k: int, rng: np.random.Generator) -> np.uint64:
    mask = 0
    for b in rng.choice(64, size=k, replace=False):
        mask |= 1 << int(b)
    return np.uint64(int(h) ^ mask)


@pytest.fixture(scope="module")
def planted() -> tuple[PHashIndex, np.ndarray, list[tuple[np.uint64, int, int]]]:
    """100k random hashes; 200 queries, each planted at a known distance 0…12 from one stored hash."""
    rng = np.random.default_rng(7)
    hashes = rng.integers(0, 2**64, size=N, dtype=np.uint64)
    index = PHashIndex()
    index.add([f"img-{i}" for i in range(N)], hashes)
    queries = []
    for q in range(200):
        target = int(rng.integers(0, N))
        k = q % 13
        queries.append((flip_bits(hashes[target], k, rng), target, k))
    return index, hashes, queries


def brute(hashes: np.ndarray, q: np.uint64, r: int) -> dict[int, int]:
    d = popcount64(hashes ^ q)
    rows = np.flatnonzero(d <= r)
    return {int(i): int(d[i]) for i in rows}


@pytest.mark.parametrize("radius", [0, 3, 5, 8, 10, 12])
def test_matches_brute_force_exactly(planted, radius: int) -> None:
    index, hashes, queries = planted
    found_planted = total_planted = 0
    for q, target, k in queries:
        rows, dists = index.query_rows(q, radius)
        assert dict(zip(rows.tolist(), dists.tolist(), strict=True)) == brute(hashes, q, radius)
        assert list(dists) == sorted(dists)
        if k <= radius:
            total_planted += 1
            found_planted += target in set(rows.tolist())
    assert found_planted == total_planted  # recall 100 % at every radius


def test_query_returns_ids_and_distances(planted) -> None:
    index, hashes, _ = planted
    res = index.query(int(hashes[42]), 0)
    assert res[0] == ("img-42", 0)
    res = index.query(f"{int(hashes[42]) ^ 0b1011:016x}", 3)
    assert ("img-42", 3) in res


def test_query_many_and_small_index_scan() -> None:
    index = PHashIndex()
    index.add([1, 2, 3], [0, 0xFF, 2**64 - 1])
    assert index.query(0b1, 1) == [(1, 1)]
    assert index.query_many([0, 2**64 - 1], 8) == [[(1, 0), (2, 8)], [(3, 0)]]
    assert PHashIndex().query(0, 10) == []


def test_incremental_add_rebuilds(planted) -> None:
    index = PHashIndex()
    index.add(["a"], [0x1234])
    assert index.query(0x1234, 0) == [("a", 0)]
    index.add(["b"], [0x1235])
    assert index.query(0x1234, 1) == [("a", 0), ("b", 1)]
    with pytest.raises(ValueError):
        index.add(["c", "d"], [1])


def test_save_load_roundtrip(planted, tmp_path: Path) -> None:
    index, hashes, queries = planted
    path = index.save(tmp_path / "protected")
    assert path.suffix == ".npz"
    loaded = PHashIndex.load(path)
    assert len(loaded) == N
    q, target, _ = queries[5]
    assert (f"img-{target}", 5) in loaded.query(q, 8)
    assert loaded.query(q, 8) == index.query(q, 8)
    np.save(tmp_path / "raw.npy", hashes[:10])
    raw = PHashIndex.load(tmp_path / "raw.npy")
    assert raw.query(int(hashes[3]), 0) == [(3, 0)]


def test_to_uint64_accepts_ints_hex_and_signed() -> None:
    arr = to_uint64([1, "ff", 2**64 - 1, -1])
    assert arr.dtype == np.uint64
    assert arr.tolist() == [1, 255, 2**64 - 1, 2**64 - 1]
    signed = np.array([-1], dtype=np.int64)
    assert to_uint64(signed).tolist() == [2**64 - 1]
