"""Stable, descriptive, filesystem-safe names for delivered files.

    <brand>_<campaign>_<concept>_<segment>_<format>_v<variant>_r<revision>.<ext>
    orbit_spring-launch_espresso_en-london_meta-feed-1x1_v1_r2.jpg

Fields are separated by ``_``; inside a field every character other than ``a-z 0-9 . -`` (after lower-casing
and stripping accents) becomes ``-``, so ``spring_launch`` is written ``spring-launch`` and the name splits
back into its fields on ``_``. A field is cut to 40 characters; a field with nothing left (e.g. all Arabic)
becomes ``x`` plus 8 hex digits of its sha256, so different inputs stay different. If two items of one bundle
would still share a name, each of them gets ``_a<asset id>`` before the extension. The same item always gets
the same name, whatever else is in the bundle, unless such a clash occurs.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from assetline.errors import DeliveryError

EXTENSIONS: dict[str, str] = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp",
                              "video/mp4": "mp4", "video/webm": "webm"}
"""File extension per MIME type (images, and videos, which the contact sheet shows by their poster frame)."""
FIELD_MAX = 40
_UNSAFE = re.compile(r"[^a-z0-9.-]+")
_SAFE_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


def slug(value: str) -> str:
    """One filesystem-safe name field: lower-case ASCII letters, digits, '.' and '-'."""
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii").lower()
    out = _UNSAFE.sub("-", ascii_text)
    out = re.sub(r"-{2,}", "-", out).strip(".-")[:FIELD_MAX].strip(".-")
    if not out:
        return "x" + hashlib.sha256(value.encode("utf-8")).hexdigest()[:8]
    return out


def folder(format_id: str) -> str:
    """The folder a format's files go in: the format id itself when it is filesystem-safe, else its slug."""
    return format_id if _SAFE_ID.match(format_id) else slug(format_id)


def extension(mime: str) -> str:
    try:
        return EXTENSIONS[mime.lower()]
    except KeyError:
        raise DeliveryError(
            f"cannot deliver files of type '{mime}'",
            hint=f"deliverable types: {', '.join(sorted(EXTENSIONS))}",
        ) from None


def file_name(brand: str, campaign: str, concept: str, segment: str, format_id: str, variant: int, revision: int,
              mime: str) -> str:
    """The delivered file name for one asset (see the module docstring)."""
    fields = [slug(brand), slug(campaign), slug(concept), slug(segment), slug(format_id),
              f"v{int(variant)}", f"r{int(revision)}"]
    return "_".join(fields) + "." + extension(mime)


def disambiguate(names: list[str], asset_ids: list[int]) -> list[str]:
    """Give every name that occurs more than once an ``_a<asset id>`` suffix; refuse what stays ambiguous."""
    counts: dict[str, int] = {}
    for n in names:
        counts[n] = counts.get(n, 0) + 1
    out = []
    for name, asset_id in zip(names, asset_ids, strict=True):
        if counts[name] > 1:
            stem, _, ext = name.rpartition(".")
            name = f"{stem}_a{asset_id}.{ext}"
        out.append(name)
    if len(set(out)) != len(out):
        dup = sorted({n for n in out if out.count(n) > 1})
        raise DeliveryError(
            f"two items would be delivered under the same name: {', '.join(dup)}",
            hint="each (asset id, revision) may appear in a bundle once",
        )
    return out
