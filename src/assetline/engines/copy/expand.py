"""Expand parsed copy templates into every text they can render, each with its probability.

dynamicprompts' CombinatorialSampler lists every text but ignores weights, and its RandomSampler honours
weights but cannot be asked "which texts fit in 30 characters?". A copy engine needs both, so this
module walks the parsed command tree itself: a variant multiplies each option's probability by
``weight / sum(weights)``, a sequence multiplies its parts. The walk is lazy, so a field is capped at
``cap`` texts without building the full product.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from dynamicprompts.commands import Command, LiteralCommand, SequenceCommand, VariantCommand
from dynamicprompts.commands.variable_commands import VariableAccessCommand, VariableAssignmentCommand

from assetline.engines.copy.grammar import (
    MissingVariableError,
    ParsedTemplate,
    TemplateSyntaxError,
    parse_template,
    unescape,
)

DEFAULT_CAP = 200
"""Most texts one field expands to; later combinations are not considered (``truncated`` says so)."""

_Env = Mapping[str, "str | Command"]
_SPACES = re.compile(r"[ \t\u00a0]+")


@dataclass(frozen=True)
class Candidate:
    """One rendered text of a field."""

    text: str
    probability: float
    """Share of the field's probability mass (templates share it equally; weights split it further)."""
    template_index: int
    """Index of the (first) template that renders this text."""
    template: str


@dataclass(frozen=True)
class Expansion:
    candidates: tuple[Candidate, ...]
    truncated: bool
    """True when the templates render more than ``cap`` texts."""


def tidy(text: str) -> str:
    """NFC, runs of spaces squashed, lines stripped: '{Fresh|} coffee' → 'coffee', not ' coffee'."""
    text = unicodedata.normalize("NFC", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return "\n".join(lines).strip()


def expand_command(
    command: Command, env: _Env, template: str, lenient: bool = False, _active: frozenset[str] = frozenset()
) -> Iterator[tuple[str, float]]:
    """(raw text, probability) for every rendering of ``command``, depth first.

    ``env`` maps variable names to literal values (from the segment) or commands (assigned in the
    template). With ``lenient``, a missing variable renders as ``${name}`` instead of raising.
    """
    if isinstance(command, LiteralCommand):
        yield unescape(command.literal), 1.0
    elif isinstance(command, SequenceCommand):
        tokens, env = _assign(command.tokens, env, template, lenient, _active)
        yield from _product(tokens, env, template, lenient, _active)
    elif isinstance(command, VariantCommand):
        total = sum(opt.weight for opt in command.variants)
        for opt in command.variants:
            if opt.weight <= 0:
                continue
            share = opt.weight / total
            for text, p in expand_command(opt.value, env, template, lenient, _active):
                yield text, p * share
    elif isinstance(command, VariableAccessCommand):
        yield from _access(command, env, template, lenient, _active)
    else:  # grammar.parse_template refuses everything else
        raise TemplateSyntaxError(template, f"{type(command).__name__} is not supported in copy templates")


def _access(
    command: VariableAccessCommand, env: _Env, template: str, lenient: bool, active: frozenset[str]
) -> Iterator[tuple[str, float]]:
    name = command.name
    value = env.get(name)
    if isinstance(value, str) and value:
        yield value, 1.0
        return
    if isinstance(value, Command):
        if name in active:
            raise TemplateSyntaxError(template, f"variable '{name}' is defined in terms of itself")
        yield from expand_command(value, env, template, lenient, active | {name})
        return
    if command.default is not None:
        yield from expand_command(command.default, env, template, lenient, active)
        return
    if lenient:
        yield f"${{{name}}}", 1.0
        return
    raise MissingVariableError(template, name)


def _assign(
    tokens: Sequence[Command], env: _Env, template: str, lenient: bool, active: frozenset[str]
) -> tuple[list[Command], _Env]:
    """Apply a sequence's ``${x=…}`` assignments (to the whole sequence, as dynamicprompts does)."""
    rest: list[Command] = []
    new: dict[str, str | Command] = {}
    for tok in tokens:
        if not isinstance(tok, VariableAssignmentCommand):
            rest.append(tok)
            continue
        if not tok.overwrite and tok.name in env:
            continue
        if tok.immediate:  # '${x=!{a|b}}': sampled once; combinatorially that is the first rendering
            first = next(expand_command(tok.value, env, template, lenient, active), ("", 1.0))
            new[tok.name] = first[0]
        else:
            new[tok.name] = tok.value
    return rest, ({**env, **new} if new else env)


def _product(
    tokens: Sequence[Command], env: _Env, template: str, lenient: bool, active: frozenset[str]
) -> Iterator[tuple[str, float]]:
    if not tokens:
        yield "", 1.0
        return
    for head, p in expand_command(tokens[0], env, template, lenient, active):
        for tail, q in _product(tokens[1:], env, template, lenient, active):
            yield head + tail, p * q


def expand_field(
    templates: Sequence[str], env: Mapping[str, str], cap: int = DEFAULT_CAP, lenient: bool = False
) -> Expansion:
    """Every distinct non-empty text the templates of one field render (at most ``cap``).

    Templates are interleaved round-robin, so a huge first template cannot crowd out the others.
    Raises TemplateSyntaxError or MissingVariableError.
    """
    parsed: list[ParsedTemplate] = [parse_template(t) for t in templates]
    share = 1.0 / len(parsed) if parsed else 0.0
    gens: list[tuple[int, str, Iterator[tuple[str, float]]]]
    gens = [(i, p.source, expand_command(p.command, env, p.source, lenient)) for i, p in enumerate(parsed)]
    mass: dict[str, float] = {}
    origin: dict[str, tuple[int, str]] = {}
    raw = 0
    truncated = False
    while gens:
        alive: list[tuple[int, str, Iterator[tuple[str, float]]]] = []
        for i, source, gen in gens:
            item = next(gen, None)
            if item is None:
                continue
            if raw >= cap:
                truncated = True
                alive = []
                break
            raw += 1
            alive.append((i, source, gen))
            text = tidy(item[0])
            if text:
                mass[text] = mass.get(text, 0.0) + item[1] * share
                origin.setdefault(text, (i, source))
        gens = alive
    cands = tuple(Candidate(text=t, probability=m, template_index=origin[t][0], template=origin[t][1])
                  for t, m in mass.items())
    return Expansion(candidates=cands, truncated=truncated)
