"""motion.readability's measurements: can a viewer read each line, and is it ever under platform UI?

A still is read at leisure; a video decides how long each text is there. A line counts as readable for the
time it is fully settled (from ``settled`` to ``exit`` in the timeline) — the entrance animation is not
reading time. The default 0.3 s per word is a deliberately brisk pace (≈ 200 words a minute, typical
silent-reading speed for short ad copy).

The safe zone is checked over time, not only on the end card: every keyframe box of an element that is
visible (opacity above ``min_opacity``) must stay out of the margins platform UI covers, since a headline
that slides up through the caption bar is covered there while the viewer reads it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from assetline.qc.motion.spec import sub
from assetline.qc.motion.timeline import Timeline, margins_hit
from assetline.spec.formats import ChannelFormat

TEXT_KINDS = ("headline", "body", "cta", "legal")
SAFE_ZONE_KINDS = ("headline", "body", "cta", "legal", "logo", "button")


def assess_reading_time(timeline: Timeline, seconds_per_word: float) -> dict[str, Any]:
    """Each text element's settled time against seconds_per_word × its words."""
    rows, short = [], []
    for el in timeline.elements:
        words = len(el.text.split())
        if el.kind not in TEXT_KINDS or not words:
            continue
        shown = max(0.0, min(el.exit, timeline.duration) - el.settled)
        needed = seconds_per_word * words
        row = {"element": el.kind, "words": words, "settled_s": round(shown, 3), "needed_s": round(needed, 3)}
        rows.append(row)
        if shown + 1e-6 < needed:
            short.append(row)
    if not rows:
        return sub("na", "no text elements in the timeline")
    if short:
        first = short[0]
        return sub("fail", f"the {first['element']} is readable for {first['settled_s']:.2f} s but its "
                           f"{first['words']} words need {first['needed_s']:.2f} s"
                   + (f" (+{len(short) - 1} more)" if len(short) > 1 else ""),
                   elements=rows, short=short, seconds_per_word=seconds_per_word)
    return sub("pass", f"{len(rows)} text element(s) stay settled long enough to read", elements=rows,
               seconds_per_word=seconds_per_word)


def assess_safe_zone_over_time(
    timeline: Timeline, fmt: ChannelFormat | None, min_opacity: float, kinds: Sequence[str] = SAFE_ZONE_KINDS
) -> dict[str, Any]:
    """Keyframe boxes of visible elements that reach into a safe-zone margin."""
    if fmt is None:
        return sub("na", "no channel format given")
    zone = fmt.safe_zone
    margins = {"top": zone.top, "bottom": zone.bottom, "left": zone.left, "right": zone.right}
    if not any(margins.values()):
        return sub("pass", "the format has no safe-zone margins", zone=margins)
    hits: dict[tuple[str, str], dict[str, Any]] = {}
    checked = 0
    for index, el in enumerate(timeline.elements):
        if el.kind not in kinds:
            continue
        for t, box, opacity in el.visible_boxes():
            if opacity <= min_opacity:
                continue
            checked += 1
            for side in margins_hit(box, fmt):
                hits.setdefault((f"{el.kind}#{index}", side), {
                    "element": el.kind, "margin": side, "first_s": round(t, 3), "opacity": round(opacity, 3),
                    "box": [round(v, 1) for v in box]})
    found = list(hits.values())
    if found:
        where = ", ".join(f"{h['element']} in the {h['margin']} margin at {h['first_s']:.2f} s" for h in found[:3])
        return sub("fail", f"{where} (covered by platform UI)", hits=found, zone=margins)
    return sub("pass", f"{checked} visible keyframe box(es) clear of the platform UI", zone=margins)
