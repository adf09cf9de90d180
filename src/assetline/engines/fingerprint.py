"""Fingerprints of model files and folders: what enters content keys when an engine uses a trained model.

A fingerprint is a sha256 over every file of the model (relative path, size and content), so editing,
replacing or retraining any weight file changes it, and moving the folder does not. Files up to
``FULL_HASH_MAX`` bytes are hashed whole; larger weight files (multi-GB checkpoints) are hashed by their size
plus ``SAMPLES`` evenly spaced 1 MiB windows, including the first and last (a retrained or fine-tuned
checkpoint changes every window; hashing 7 GB per run would cost seconds for nothing). Results are memoised
per process by (path, size, mtime).
"""

from __future__ import annotations

import hashlib
import os
from functools import cache
from pathlib import Path

FULL_HASH_MAX = 64 * 1024 * 1024
SAMPLES = 16
WINDOW = 1024 * 1024
IGNORED_DIRS = frozenset({".git", "__pycache__", ".cache", ".huggingface"})


def fingerprint(path: Path | str) -> str:
    """The fingerprint of a model file or folder (see the module docstring). Raises FileNotFoundError."""
    path = Path(path).expanduser().resolve()
    if path.is_file():
        st = path.stat()
        return _file_fingerprint(str(path), st.st_size, st.st_mtime_ns)
    if not path.is_dir():
        raise FileNotFoundError(f"model not found: {path}")
    h = hashlib.sha256(b"folder-v1\0")
    for file in sorted(_files(path)):
        st = file.stat()
        h.update(file.relative_to(path).as_posix().encode("utf-8") + b"\0")
        h.update(_file_fingerprint(str(file), st.st_size, st.st_mtime_ns).encode("ascii"))
    return h.hexdigest()


def _files(folder: Path) -> list[Path]:
    out: list[Path] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d not in IGNORED_DIRS]
        out += [Path(root) / f for f in files if not f.startswith(".")]
    return out


@cache
def _file_fingerprint(path: str, size: int, mtime_ns: int) -> str:
    h = hashlib.sha256(f"file-v1\0{size}\0".encode())
    with open(path, "rb") as fh:
        if size <= FULL_HASH_MAX:
            for chunk in iter(lambda: fh.read(WINDOW), b""):
                h.update(chunk)
        else:
            step = (size - WINDOW) // (SAMPLES - 1)
            for i in range(SAMPLES):
                fh.seek(i * step)
                h.update(fh.read(WINDOW))
    return h.hexdigest()
