"""Turn a reviewer's change request into direction for the planner.

A direction is the accumulated change requests of one cell, stored on the asset and applied by the planner
on every later run (so the next run never undoes a revision):

    {"salt": 2,                       # new visual + compose seed, bumped per "new image" request
     "exclude": ["Old headline"],     # copy texts the copy engine must not pick again
     "layout": "split",               # layout switched
     "notes": ["warmer image", …]}    # the reviewers' words, passed to engines that read them

Options may be explicit (UI checkboxes, API fields) or read from the note ("layout: split", "new headline",
"different image"); a note that names nothing asks for a new image and new copy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from assetline.errors import InvalidRequestError

LAYOUTS = ("hero", "split", "typographic", "product", "quote", "banner")
_COPY_WORDS = re.compile(r"\b(copy|headline|head-line|text|wording|words|tagline|title|cta|slogan)\b", re.I)
_VISUAL_WORDS = re.compile(r"\b(image|photo|picture|visual|background|colou?rs?|crop|seed|look)\b", re.I)
_FIELD_WORDS = {"headline": re.compile(r"\b(headline|head-line|title|tagline|slogan)\b", re.I),
                "body": re.compile(r"\b(body|body copy|description)\b", re.I),
                "cta": re.compile(r"\b(cta|button|call to action)\b", re.I)}
_LAYOUT = re.compile(r"\blayout\s*[:=]?\s*(" + "|".join(LAYOUTS) + r")\b", re.I)


@dataclass(frozen=True)
class ChangeOptions:
    """What to change; None means "read it from the note"."""

    new_copy: bool | None = None
    new_visual: bool | None = None
    layout: str | None = None
    copy_fields: tuple[str, ...] = ()
    """Which copy fields to change (empty: every field that has another alternative)."""


def interpret(note: str, options: ChangeOptions) -> ChangeOptions:
    """Explicit options win; otherwise the note decides; a note naming nothing asks for both."""
    if options.layout is not None and options.layout not in LAYOUTS:
        raise InvalidRequestError(f"unknown layout '{options.layout}'", hint=f"choose one of: {', '.join(LAYOUTS)}")
    fields = tuple(f for f, rx in _FIELD_WORDS.items() if rx.search(note))
    if any(v is not None for v in (options.new_copy, options.new_visual, options.layout)):
        return ChangeOptions(bool(options.new_copy), bool(options.new_visual), options.layout,
                             options.copy_fields or fields)
    m = _LAYOUT.search(note)
    layout = m.group(1).lower() if m else None
    new_copy = bool(_COPY_WORDS.search(note)) or bool(fields)
    new_visual = bool(_VISUAL_WORDS.search(note))
    if not (new_copy or new_visual or layout):
        new_copy = new_visual = True
    return ChangeOptions(new_copy, new_visual, layout, fields)


def apply(direction: dict[str, Any], options: ChangeOptions, note: str, current_copy: dict[str, str],
          alternatives: dict[str, list[str]]) -> tuple[dict[str, Any], list[str]]:
    """The new direction, and what it changes in words (for the event log and the UI)."""
    out = {"salt": int(direction.get("salt", 0)), "exclude": list(direction.get("exclude", [])),
           "layout": direction.get("layout"), "notes": list(direction.get("notes", []))}
    changes: list[str] = []
    if options.new_visual:
        out["salt"] += 1
        changes.append(f"new image and seed (salt {out['salt']})")
    if options.new_copy:
        excluded_now = []
        for field in options.copy_fields or ("headline", "body", "cta"):
            text = current_copy.get(field)
            others = [t for t in alternatives.get(field, []) if t != text and t not in out["exclude"]]
            if text and others and text not in out["exclude"]:
                out["exclude"].append(text)
                excluded_now.append(field)
        if excluded_now:
            changes.append("copy alternative excluded: " + ", ".join(excluded_now))
        elif options.new_visual is False and not options.layout:
            raise InvalidRequestError("this cell has no other copy alternatives to switch to",
                                      hint="add copy options to the brief, or ask for a new image or layout")
        else:
            changes.append("no other copy alternatives: copy kept")
    if options.layout and options.layout != out["layout"]:
        out["layout"] = options.layout
        changes.append(f"layout switched to {options.layout}")
    if note.strip():
        out["notes"].append(note.strip()[:500])
    return {k: v for k, v in out.items() if v not in (None, [], 0)}, changes
