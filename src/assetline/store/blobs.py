"""Content-addressed blob store: ``<root>/<sha[:2]>/<sha[2:4]>/<sha>``.

Writes are atomic (temp file in the same folder, fsync, rename, fsync of the folder), so a crash leaves
at worst a stray temp file, never a half-written blob under a real name. A blob's name is the sha256 of
its bytes; ``verify`` re-hashes to detect corruption.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from assetline.errors import BlobCorruptError, StoreError

_HEX = set("0123456789abcdef")


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, sha: str) -> Path:
        if len(sha) != 64 or not set(sha) <= _HEX:
            raise StoreError(f"not a blob hash: {sha!r}")
        return self.root / sha[:2] / sha[2:4] / sha

    def exists(self, sha: str) -> bool:
        return self.path(sha).is_file()

    def put(self, data: bytes) -> str:
        """Store ``data``; returns its sha256. Idempotent: an existing blob is not rewritten."""
        sha = hashlib.sha256(data).hexdigest()
        final = self.path(sha)
        if final.is_file() and final.stat().st_size == len(data):
            return sha
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=".tmp-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, final)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        fsync_dir(final.parent)
        return sha

    def get(self, sha: str) -> bytes:
        path = self.path(sha)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise StoreError(f"blob {sha[:12]}… is missing from {self.root}",
                             hint="run `assetline doctor` to check the store") from None

    def verify(self, sha: str) -> None:
        """Raise BlobCorruptError when the blob's bytes no longer hash to its name (StoreError if missing)."""
        actual = hashlib.sha256(self.get(sha)).hexdigest()
        if actual != sha:
            raise BlobCorruptError(f"blob {sha[:12]}… is corrupt (its bytes hash to {actual[:12]}…)")

    def iter_hashes(self) -> Iterator[str]:
        """Every stored blob's hash (temp files excluded)."""
        if not self.root.is_dir():
            return
        for path in self.root.glob("??/??/*"):
            if path.is_file() and not path.name.startswith(".tmp-"):
                yield path.name

    def iter_temp_files(self) -> Iterator[Path]:
        """Leftovers of writes interrupted by a crash (safe to delete)."""
        if self.root.is_dir():
            yield from self.root.glob("??/??/.tmp-*")


def fsync_dir(path: Path) -> None:
    """Make a rename or a new file in ``path`` durable (no-op where the folder cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
