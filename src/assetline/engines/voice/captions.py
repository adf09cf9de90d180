"""Captions: the script cut into readable chunks, and SRT / WebVTT written and read back.

Usage::

    split_captions("Summer sale. Everything must go, while stocks last.")
    # -> ["Summer sale.", "Everything must go, while stocks last."]
    to_srt(cues); to_vtt(cues); parse_srt(text); parse_vtt(text)      # round-trip to the millisecond

A chunk is what one caption shows: at most ``MAX_LINES`` lines of at most ``MAX_LINE`` characters (the
broadcast subtitle norm, 42). The script breaks at every sentence end; a sentence too long for one caption
breaks at commas (clauses packed while they fit), and a clause still too long between words. A word is never
split: a single word longer than a line gets a line of its own. Lines inside a chunk are balanced (the break
that makes the longer line shortest), joined with '\\n'.

The voice engine speaks each chunk on its own, so each cue's times are exactly when its words are heard.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from assetline.engines.voice.base import Cue
from assetline.errors import EngineError

MAX_LINE = 42
MAX_LINES = 2

_SENTENCE_END = re.compile(r"(?<=[.!?…。؟।])[\"'”’»)]*\s+")
_CLAUSE_END = re.compile(r"(?<=[,;:،])\s+")
_SRT_TIME = re.compile(r"^(\d+):(\d{2}):(\d{2})[,.](\d{3})$")
_VTT_TIME = re.compile(r"^(?:(\d+):)?(\d{2}):(\d{2})\.(\d{3})$")
_VTT_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"))


# ---------------------------------------------------------------- chunking
def split_captions(text: str, max_line: int = MAX_LINE, max_lines: int = MAX_LINES) -> list[str]:
    """Caption chunks for ``text``, in order; each is its lines joined by '\\n'. Empty text: no chunks."""
    chunks: list[list[str]] = []
    for sentence in _pieces(" ".join(text.split()), _SENTENCE_END):
        if _fits(sentence.split(), max_line, max_lines):
            chunks.append(sentence.split())
            continue
        current: list[str] = []
        for clause in _pieces(sentence, _CLAUSE_END):
            words = clause.split()
            if _fits(current + words, max_line, max_lines):
                current += words
                continue
            if current:
                chunks.append(current)
                current = []
            for word in words:
                if current and not _fits([*current, word], max_line, max_lines):
                    chunks.append(current)
                    current = []
                current.append(word)
        if current:
            chunks.append(current)
    return ["\n".join(wrap(words, max_line)) for words in chunks]


def wrap(words: Sequence[str], max_line: int = MAX_LINE) -> list[str]:
    """One line when the words fit, else two balanced lines (the shortest longest line)."""
    line = " ".join(words)
    if len(line) <= max_line or len(words) < 2:
        return [line]
    best = min(range(1, len(words)), key=lambda i: (max(len(" ".join(words[:i])), len(" ".join(words[i:]))), i))
    return [" ".join(words[:best]), " ".join(words[best:])]


def _fits(words: Sequence[str], max_line: int, max_lines: int) -> bool:
    """Whether the words fill at most ``max_lines`` lines of ``max_line`` characters, breaking between words.

    A single word always fits: words are never split, so an over-long one makes a chunk of its own.
    """
    if len(words) <= 1:
        return True
    if any(len(word) > max_line for word in words):
        return False
    lines, width = 1, len(words[0])
    for word in words[1:]:
        if width + 1 + len(word) <= max_line:
            width += 1 + len(word)
        else:
            lines, width = lines + 1, len(word)
    return lines <= max_lines


def _pieces(text: str, boundary: re.Pattern[str]) -> list[str]:
    """Split at ``boundary``; a piece with nothing to say (only marks or emoji) joins the piece before it."""
    out: list[str] = []
    for piece in boundary.split(text):
        if not piece:
            continue
        if out and not any(ch.isalnum() for ch in piece):
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(piece)
    return out


# ---------------------------------------------------------------- writing
def to_srt(cues: Iterable[Cue]) -> str:
    """SubRip: numbered blocks, ``HH:MM:SS,mmm --> HH:MM:SS,mmm``, a blank line after each."""
    blocks = [
        f"{n}\n{_stamp(c.start, ',')} --> {_stamp(c.end, ',')}\n{_clean(c.text)}\n"
        for n, c in enumerate(_checked(cues), 1)
    ]
    return "\n".join(blocks)


def to_vtt(cues: Iterable[Cue]) -> str:
    """WebVTT: the ``WEBVTT`` header, then ``HH:MM:SS.mmm --> HH:MM:SS.mmm`` blocks; & < > escaped."""
    blocks = [f"{_stamp(c.start, '.')} --> {_stamp(c.end, '.')}\n{_escape(_clean(c.text))}\n" for c in _checked(cues)]
    return "WEBVTT\n\n" + "\n".join(blocks)


def milliseconds(seconds: float) -> int:
    """Seconds to whole milliseconds, half up (no float truncation: 1.0005 → 1001, 0.299999 → 300)."""
    return int(seconds * 1000 + 0.5 + 1e-9)


def _stamp(seconds: float, separator: str) -> str:
    ms = milliseconds(seconds)
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, ms = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{ms:03d}"


def _checked(cues: Iterable[Cue]) -> list[Cue]:
    out = list(cues)
    for cue in out:
        if cue.start < 0 or cue.end <= cue.start:
            raise EngineError(f"caption '{cue.text}' has times {cue.start}–{cue.end}: it must start at 0 or later "
                              "and end after it starts")
    return out


def _clean(text: str) -> str:
    """Caption text without blank lines (a blank line ends a cue in both formats) or '-->'."""
    lines = [" ".join(line.split()) for line in text.replace("-->", "->").splitlines()]
    return "\n".join(line for line in lines if line)


def _escape(text: str) -> str:
    for raw, entity in _VTT_ESCAPES:
        text = text.replace(raw, entity)
    return text


def _unescape(text: str) -> str:
    for raw, entity in reversed(_VTT_ESCAPES):
        text = text.replace(entity, raw)
    return text.replace("&nbsp;", "\u00a0")


# ---------------------------------------------------------------- reading
def parse_srt(text: str) -> tuple[Cue, ...]:
    """Cues from SubRip text (BOM and CRLF tolerated). EngineError names the line that is wrong."""
    cues: list[Cue] = []
    for first, block in _blocks(text):
        if "-->" not in block[0]:
            if not block[0].strip().isdigit():
                raise EngineError(f"SRT line {first}: expected a cue number, found '{block[0]}'")
            block, first = block[1:], first + 1
        if not block:
            raise EngineError(f"SRT line {first}: cue number without times")
        start, end = _times(block[0], _SRT_TIME, f"SRT line {first}")
        cues.append(Cue(start, end, "\n".join(block[1:])))
    return tuple(cues)


def parse_vtt(text: str) -> tuple[Cue, ...]:
    """Cues from WebVTT text; NOTE, STYLE and REGION blocks and cue settings are skipped."""
    blocks = _blocks(text)
    if not blocks or not re.match(r"^WEBVTT(?:[ \t].*)?$", blocks[0][1][0]):
        raise EngineError("WebVTT must start with the line 'WEBVTT'")
    cues: list[Cue] = []
    for first, block in blocks[1:]:
        if block[0].split(" ")[0] in ("NOTE", "STYLE", "REGION"):
            continue
        if "-->" not in block[0]:
            block, first = block[1:], first + 1  # a cue identifier
        if not block or "-->" not in block[0]:
            raise EngineError(f"WebVTT line {first}: expected 'start --> end'")
        start, end = _times(block[0], _VTT_TIME, f"WebVTT line {first}")
        cues.append(Cue(start, end, _unescape("\n".join(block[1:]))))
    return tuple(cues)


def _blocks(text: str) -> list[tuple[int, list[str]]]:
    """Blank-line separated blocks with the 1-based line number each starts on."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks: list[tuple[int, list[str]]] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        if blocks and blocks[-1][0] + len(blocks[-1][1]) == number:
            blocks[-1][1].append(line)
        else:
            blocks.append((number, [line]))
    return blocks


def _times(line: str, pattern: re.Pattern[str], where: str) -> tuple[float, float]:
    parts = line.split()
    if len(parts) < 3 or parts[1] != "-->":
        raise EngineError(f"{where}: expected 'start --> end', found '{line}'")
    start, end = (_seconds(p, pattern, where) for p in (parts[0], parts[2]))
    if end <= start:
        raise EngineError(f"{where}: the cue ends ({parts[2]}) before it starts ({parts[0]})")
    return start, end


def _seconds(stamp: str, pattern: re.Pattern[str], where: str) -> float:
    match = pattern.match(stamp)
    if not match:
        raise EngineError(f"{where}: '{stamp}' is not a timestamp")
    hours, minutes, secs, ms = (int(g) if g else 0 for g in match.groups())
    if minutes > 59 or secs > 59:
        raise EngineError(f"{where}: '{stamp}' has minutes or seconds past 59")
    return (((hours * 60 + minutes) * 60 + secs) * 1000 + ms) / 1000
