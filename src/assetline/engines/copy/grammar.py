"""Copy-template grammar: dynamicprompts syntax, read as ad copy.

Templates are parsed with the real dynamicprompts parser, so the syntax is the one its users know::

    {Fuel|Power} your morning launch       alternatives
    {3::Fresh|1::Bold} coffee              weighted alternatives (weights are relative)
    {Hot|{Iced|Cold} brew} to go           nested alternatives
    Roasted in ${city}                     a variable (from the segment, see variables.py)
    Roasted in ${city:your city}           a variable with a default for segments that lack it
    ${bean={cocoa|cherry}}Notes of ${bean}  an assignment inside the template (dynamicprompts semantics)

Copy is text, not a prompt, so a few characters dynamicprompts gives meaning to are plain text here:
``#`` and ``/`` (comments there), ``%`` (wrap command), ``$`` when not followed by ``{`` (bounds such as
``{2$$a|b}``, so multi-select is not supported) and ``__`` (wildcards). "20% off", "$5", "#1" and URLs
therefore read as written. A stray ``}`` is an error (almost always a missing ``{``).

This module parses and checks; expand.py turns a parsed template into texts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pyparsing as pp
from dynamicprompts.commands import Command, LiteralCommand, SequenceCommand, VariantCommand
from dynamicprompts.commands.variable_commands import VariableAccessCommand, VariableAssignmentCommand
from dynamicprompts.parser.parse import parse

# Characters that are text in copy but syntax for dynamicprompts, mapped one-to-one to private-use code
# points before parsing (so error columns stay right) and back when a literal is rendered.
_ESCAPES = {"#": "\ue000", "%": "\ue001", "/": "\ue002", "$": "\ue003", "_": "\ue004"}
_UNESCAPES = str.maketrans({v: k for k, v in _ESCAPES.items()})
_SPECIAL = re.compile(r"\$\{\s*[A-Za-z0-9_-]*|[#%/$]|_{2,}")


class TemplateSyntaxError(Exception):
    """A template does not parse. ``column`` is 1-based (None when unknown)."""

    def __init__(self, template: str, reason: str, column: int | None = None) -> None:
        where = f" at column {column}" if column is not None else ""
        super().__init__(f"copy template {template!r} is not valid: {reason}{where}")
        self.template = template
        self.reason = reason
        self.column = column


class MissingVariableError(Exception):
    """A template reads ``${name}`` that has no value and no default."""

    def __init__(self, template: str, name: str) -> None:
        super().__init__(f"copy template {template!r} uses ${{{name}}}, which has no value")
        self.template = template
        self.name = name


@dataclass(frozen=True)
class ParsedTemplate:
    source: str
    command: Command


def escape(template: str) -> str:
    """Make copy-only characters plain text for the dynamicprompts parser (length-preserving)."""

    def sub(m: re.Match[str]) -> str:
        s = m.group(0)
        if s.startswith("${"):
            return s
        return "".join(_ESCAPES[c] for c in s)

    return _SPECIAL.sub(sub, template)


def unescape(text: str) -> str:
    return text.translate(_UNESCAPES)


def _check_braces(template: str, escaped: str) -> None:
    """Clearer messages than pyparsing's for the common mistakes: unmatched '{' or '}'."""
    opened: list[int] = []
    for i, ch in enumerate(escaped):
        if ch == "{":
            opened.append(i)
        elif ch == "}":
            if not opened:
                raise TemplateSyntaxError(template, "'}' without a matching '{'", i + 1)
            opened.pop()
    if opened:
        at = opened[-1]
        if at > 0 and escaped[at - 1] == "$":
            raise TemplateSyntaxError(template, "'${' is never closed with '}'", at)
        raise TemplateSyntaxError(template, "'{' is never closed with '}'", at + 1)


@lru_cache(maxsize=4096)
def parse_template(template: str) -> ParsedTemplate:
    """Parse ``template`` (cached: parsing is pure). Raises TemplateSyntaxError."""
    if not template.strip():
        raise TemplateSyntaxError(template, "the template is empty")
    escaped = escape(template)
    _check_braces(template, escaped)
    try:
        command = parse(escaped)
    except pp.ParseBaseException as exc:
        raise TemplateSyntaxError(template, unescape(exc.msg), exc.col) from exc
    except ValueError as exc:  # dynamicprompts' own "could not parse"
        raise TemplateSyntaxError(template, str(exc)) from exc
    _check_supported(template, command)
    return ParsedTemplate(source=template, command=command)


def _check_supported(template: str, command: Command) -> None:
    """Refuse constructs that cannot occur in copy (after escaping) or make no sense there."""
    for cmd in walk(command):
        if isinstance(cmd, VariantCommand):
            if cmd.min_bound != 1 or cmd.max_bound != 1:
                raise TemplateSyntaxError(template, "multi-select {N$$…} is not supported in copy")
            if cmd.variants and sum(v.weight for v in cmd.variants) <= 0:
                raise TemplateSyntaxError(template, "every alternative of a {…} has weight 0")
        elif not isinstance(cmd, LiteralCommand | SequenceCommand | VariableAccessCommand
                            | VariableAssignmentCommand):
            raise TemplateSyntaxError(template, f"{type(cmd).__name__} is not supported in copy templates")


def walk(command: Command) -> list[Command]:
    """Every command in the tree, depth first (the root first)."""
    out: list[Command] = [command]
    if isinstance(command, SequenceCommand):
        for tok in command.tokens:
            out += walk(tok)
    elif isinstance(command, VariantCommand):
        for opt in command.variants:
            out += walk(opt.value)
    elif isinstance(command, VariableAccessCommand) and command.default is not None:
        out += walk(command.default)
    elif isinstance(command, VariableAssignmentCommand):
        out += walk(command.value)
    return out


def required_variables(parsed: ParsedTemplate) -> set[str]:
    """Names read without a default and not assigned inside the template itself."""
    nodes = walk(parsed.command)
    assigned = {c.name for c in nodes if isinstance(c, VariableAssignmentCommand)}
    read = {c.name for c in nodes if isinstance(c, VariableAccessCommand) and c.default is None}
    return read - assigned
