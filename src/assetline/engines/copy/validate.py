"""Check a concept's copy templates at spec time, with positions the spec loader can point at.

Usage from the spec loader (``data`` is the ruamel tree, ``path`` the campaign file)::

    for i, concept in enumerate(campaign.concepts):
        for problem in validate_templates(concept, campaign.segments):
            if problem.severity == "error":
                raise SpecError(problem.message, hint=problem.hint,
                                location=locate(path, data, ("concepts", i, *problem.loc)))
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from assetline.engines.copy.expand import DEFAULT_CAP, expand_field
from assetline.engines.copy.grammar import TemplateSyntaxError, parse_template, required_variables
from assetline.engines.copy.language import resolve_copy
from assetline.engines.copy.template import FIELDS, SYNTAX_HINT
from assetline.engines.copy.variables import describe_missing, segment_variables
from assetline.spec.campaign import Concept, CopyOptions, Segment


@dataclass(frozen=True)
class TemplateProblem:
    loc: tuple[str | int, ...]
    """Path inside the concept, as in the YAML: ('copy', 'headline', 0), ('translations', 'ar', 'cta', 1)."""
    message: str
    hint: str | None = None
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        path = ".".join(str(p) for p in self.loc)
        return f"{path}: {self.message}" + (f" (hint: {self.hint})" if self.hint else "")


def _copies(concept: Concept) -> list[tuple[tuple[str, ...], CopyOptions, str | None]]:
    out: list[tuple[tuple[str, ...], CopyOptions, str | None]] = [(("copy",), concept.copy_, None)]
    out += [(("translations", lang), opts, lang) for lang, opts in concept.translations.items()]
    return out


def validate_templates(
    concept: Concept, segments: Sequence[Segment] = (), cap: int = DEFAULT_CAP
) -> list[TemplateProblem]:
    """Every problem in ``concept``'s copy templates (default copy and translations), in file order.

    Errors (the engine would refuse the template):
    - a syntax error (unclosed ``{``, stray ``}``, malformed ``${…}``, all weights 0), with its column;
    - a template that renders only empty text;
    - with ``segments``: a ``${name}`` without default that a segment reading this copy cannot fill
      (not a built-in name and not in its ``vars``, or a built-in field left empty). Without segments,
      variables are not checked.
    Warnings: a template that renders more than ``cap`` texts (the engine considers only the first ones).

    ``loc`` is relative to the concept; prefix it with ('concepts', index) to locate it in the campaign.
    """
    problems: list[TemplateProblem] = []
    for prefix, options, key in _copies(concept):
        readers = [s for s in segments if resolve_copy(concept, s.language)[1] == key]
        for field in FIELDS:
            for i, template in enumerate(getattr(options, field)):
                problems += _check_one(template, (*prefix, field, i), readers, cap)
    return problems


def _check_one(template: str, loc: tuple[str | int, ...], readers: Sequence[Segment],
               cap: int) -> list[TemplateProblem]:
    try:
        parsed = parse_template(template)
    except TemplateSyntaxError as exc:
        return [TemplateProblem(loc, str(exc), hint=SYNTAX_HINT)]
    problems: list[TemplateProblem] = []
    try:
        expansion = expand_field([template], {}, cap=cap, lenient=True)
    except TemplateSyntaxError as exc:  # e.g. a variable defined in terms of itself
        return [TemplateProblem(loc, str(exc), hint=SYNTAX_HINT)]
    if not expansion.candidates:
        problems.append(TemplateProblem(loc, f"copy template {template!r} renders only empty text"))
    if expansion.truncated:
        problems.append(TemplateProblem(
            loc, f"copy template {template!r} renders more than {cap} texts; only the first {cap} are used",
            hint="split it into several shorter templates", severity="warning"))
    for name in sorted(required_variables(parsed)):
        missing = [s for s in readers if name not in segment_variables(s)]
        if missing:
            message, hint = describe_missing(name, missing)
            problems.append(TemplateProblem(loc, f"copy template {template!r} {message}", hint=hint))
    return problems
