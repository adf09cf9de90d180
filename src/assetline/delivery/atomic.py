"""Atomic folder writes: files are fsynced, and a finished folder is renamed into place in one step.

``publish(tmp, target, overwrite)`` relies on rename(2): renaming a directory onto an existing *non-empty*
directory fails, so two deliveries racing for the same folder cannot interleave, and a reader sees either the
old folder or the complete new one.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from assetline.errors import DeliveryError


def write_file(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def publish(tmp: Path, target: Path, overwrite: bool) -> None:
    """Rename the finished folder into place (replacing an old bundle only when ``overwrite``)."""
    if target.exists() and overwrite:
        old = target.parent / f".{target.name}.old-{os.getpid()}-{tmp.name.rsplit('-', 1)[-1]}"
        os.rename(target, old)
        try:
            os.rename(tmp, target)
        except BaseException:
            os.rename(old, target)
            raise
        if old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)
        return
    if target.is_dir() and not any(target.iterdir()):
        target.rmdir()
    try:
        os.rename(tmp, target)
    except OSError as exc:  # ENOTEMPTY / EEXIST / ENOTDIR: somebody put something there meanwhile
        raise DeliveryError(f"{target} already exists and is not empty",
                            hint="deliver into another folder, or pass overwrite=True (--overwrite)") from exc
