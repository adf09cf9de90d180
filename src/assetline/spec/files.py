"""Resolving the file references in specs, and hashing files for content keys.

A reference is one of:
- a path, relative to the spec file that names it (or absolute);
- ``skimage:<file>``: a sample photo shipped inside scikit-image (e.g. ``skimage:coffee.png``);
- ``fontpkg:<name>``: the upright font in an installed ``fontpkg-<name>`` package (e.g. ``fontpkg:inter``).
"""

from __future__ import annotations

import hashlib
import importlib.util
from functools import cache
from pathlib import Path


class UnresolvedFile(ValueError):
    """A reference that names no file; the message says what to do."""


def _package_dir(module: str) -> Path | None:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def resolve_file(ref: str, base_dir: Path) -> Path:
    """The file ``ref`` names. Raises UnresolvedFile with a fix-it message when there is none."""
    if ref.startswith("skimage:"):
        name = ref.split(":", 1)[1]
        root = _package_dir("skimage")
        if root is None:
            raise UnresolvedFile("scikit-image is not installed (pip install scikit-image)")
        path = root / "data" / name
        if not path.is_file():
            shipped = sorted(p.name for p in (root / "data").iterdir() if p.suffix in {".png", ".jpg"})
            raise UnresolvedFile(f"scikit-image ships no '{name}'; it ships: {', '.join(shipped)}")
        return path
    if ref.startswith("fontpkg:"):
        name = ref.split(":", 1)[1].strip().lower().replace("-", "_")
        root = _package_dir(f"fontpkg_{name}")
        if root is None:
            raise UnresolvedFile(f"font package not installed: pip install fontpkg-{name.replace('_', '-')}")
        fonts = sorted(p for p in root.rglob("*") if p.suffix.lower() in {".ttf", ".otf"})
        upright = [p for p in fonts if "italic" not in p.name.lower()]
        if not upright:
            raise UnresolvedFile(f"fontpkg-{name} contains no upright .ttf/.otf font")
        regular = [p for p in upright if "regular" in p.name.lower() or "[" in p.name]
        return (regular or upright)[0]
    path = Path(ref).expanduser()
    if not path.is_absolute():
        path = base_dir / path
    if not path.is_file():
        raise UnresolvedFile(f"file not found: {path}")
    return path.resolve()


@cache
def _hash_cached(path: str, mtime_ns: int, size: int) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def file_sha256(path: Path) -> str:
    """sha256 of a file's bytes (memoised on path, mtime and size)."""
    st = path.stat()
    return _hash_cached(str(path), st.st_mtime_ns, st.st_size)
