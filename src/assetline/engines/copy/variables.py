"""Template variables a segment provides."""

from __future__ import annotations

from collections.abc import Sequence

from assetline.spec.campaign import Segment

BUILTIN_VARIABLES = ("name", "city", "country", "language", "audience", "age_band", "interests")
"""Always-known names, filled from the segment's own fields (``interests`` joined with ', ')."""


def segment_variables(segment: Segment) -> dict[str, str]:
    """Name → value for ``${name}`` in copy templates. Empty fields are left out (so they count as missing).

    ``segment.vars`` add names and may override the built-in ones.
    """
    values = {
        "name": segment.name,
        "city": segment.city,
        "country": segment.country,
        "language": segment.language,
        "audience": segment.audience,
        "age_band": segment.age_band,
        "interests": ", ".join(i for i in segment.interests if i),
        **segment.vars,
    }
    return {k: v for k, v in values.items() if v}


def describe_missing(name: str, segments: Sequence[Segment]) -> tuple[str, str]:
    """(message, hint) for ``${name}`` that ``segments`` (one or more) cannot fill."""
    who = (f"segment '{segments[0].id}'" if len(segments) == 1
           else "segments " + ", ".join(f"'{s.id}'" for s in segments))
    if name in BUILTIN_VARIABLES:
        message = f"uses ${{{name}}}, but {who} {'has' if len(segments) == 1 else 'have'} no {name}"
        hint = f"set '{name}' on the segment, or give a default: ${{{name}:…}}"
    else:
        message = f"uses ${{{name}}}, which {who} {'does' if len(segments) == 1 else 'do'} not define"
        known = ", ".join(sorted(segment_variables(segments[0]))) or "(none)"
        hint = (f"add '{name}' under the segment's 'vars', or give a default: ${{{name}:…}}; "
                f"'{segments[0].id}' defines: {known}")
    return message, hint
