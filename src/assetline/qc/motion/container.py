"""What a video file is, read from its bytes: the container, and where an MP4 keeps its index.

Both questions are answered from the first bytes and the top-level box headers alone, so channel.spec can
name the container without decoding a frame, and motion.spec can tell whether a player must download the
whole file before it can start (``moov`` after ``mdat``) without trusting the muxer's flags.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

EBML_MAGIC = b"\x1a\x45\xdf\xa3"
"""Matroska and WebM files start with an EBML header; its DocType says which of the two it is."""


def sniff_container(data: bytes) -> str | None:
    """'mp4', 'webm', 'mkv' or 'gif' from the magic bytes, or None when the bytes are none of these."""
    if len(data) >= 12 and data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in (b"qt  ",):
            return "mov"
        return "mp4"
    if data[:4] == EBML_MAGIC:
        return "webm" if b"webm" in data[:64] else "mkv"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    return None


@dataclass(frozen=True)
class BoxLayout:
    """Offsets of the top-level MP4 boxes that decide progressive playback (None when absent)."""

    moov: int | None
    mdat: int | None

    @property
    def faststart(self) -> bool | None:
        """True when the index (moov) comes before the media data; None when either box is missing."""
        if self.moov is None or self.mdat is None:
            return None
        return self.moov < self.mdat


def mp4_box_layout(data: bytes) -> BoxLayout:
    """Walk the top-level ISO-BMFF boxes (size, type[, 64-bit size]) and note the first moov and mdat.

    A box whose size runs past the end of the file ends the walk: the file is truncated, and whatever was
    found up to there is reported (the decoder reports the truncation itself).
    """
    offset, moov, mdat = 0, None, None
    while offset + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if size == 1:
            if offset + 16 > len(data):
                break
            (size,) = struct.unpack(">Q", data[offset + 8 : offset + 16])
        elif size == 0:
            size = len(data) - offset
        if kind == b"moov" and moov is None:
            moov = offset
        elif kind == b"mdat" and mdat is None:
            mdat = offset
        if size < 8:
            break
        offset += size
    return BoxLayout(moov=moov, mdat=mdat)
