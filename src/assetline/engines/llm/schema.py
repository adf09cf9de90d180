"""The JSON the engine asks for, and how a reply is read and checked against it.

The reply is one object with an array of strings per copy field::

    {"headline": ["Fuel your morning launch", "Launch your morning"], "body": ["…"], "cta": ["Order now"]}

``response_schema`` builds the JSON Schema (``maxLength`` per item from the format's limits), ``response_format``
the request's ``response_format`` for the chosen setting, ``parse_reply`` reads the message content (```json
fences, a ``<think>`` block and prose around the object are tolerated), and ``schema_problems`` checks the
subset of JSON Schema used here (type, properties, required, additionalProperties, items, minItems, maxItems).
``maxLength`` is not a schema problem: a too-long option is dropped by the rules (rules.py) with its reason,
so one long option does not cost the whole reply.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SCHEMA_NAME = "ad_copy"
_FENCE = re.compile(r"^```[A-Za-z0-9_-]*\s*\n?(.*?)\n?```$", re.DOTALL)
_THINK = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)
_TYPES: dict[str, tuple[type, ...]] = {"object": (dict,), "array": (list,), "string": (str,)}


@dataclass(frozen=True)
class FieldSpec:
    """One field of the reply: how many strings, and at most how many characters each."""

    limit: int | None
    min_items: int = 1
    max_items: int | None = None


def response_schema(fields: Mapping[str, FieldSpec]) -> dict[str, Any]:
    """The JSON Schema of the reply (strict-mode compatible: every property required, no extras)."""
    props: dict[str, Any] = {}
    for name, spec in fields.items():
        item: dict[str, Any] = {"type": "string"}
        if spec.limit is not None:
            item["maxLength"] = spec.limit
        prop: dict[str, Any] = {"type": "array", "items": item, "minItems": spec.min_items}
        if spec.max_items is not None:
            prop["maxItems"] = spec.max_items
        props[name] = prop
    return {"type": "object", "properties": props, "required": list(fields), "additionalProperties": False}


def response_format(kind: str, schema: dict[str, Any]) -> dict[str, Any] | None:
    """The ``response_format`` request field for the setting ``kind`` (None: not sent)."""
    if kind == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": SCHEMA_NAME, "strict": True, "schema": schema}}
    if kind == "json_object":
        return {"type": "json_object"}
    return None


class ReplyProblem(Exception):
    """The reply is not usable JSON; the message says what was wrong (it is sent back to the model)."""


@dataclass(frozen=True)
class ParsedReply:
    data: Any
    notes: tuple[str, ...] = ()
    """What was tolerated: 'fenced', 'prose around the JSON ignored'."""


def parse_reply(content: str) -> ParsedReply:
    """The JSON value in a message's content. Raises ReplyProblem for content that holds no JSON object."""
    notes: list[str] = []
    text = _THINK.sub("", content).strip()
    if not text:
        raise ReplyProblem("the reply was empty")
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1).strip()
        notes.append("fenced")
    try:
        return ParsedReply(json.loads(text), tuple(notes))
    except json.JSONDecodeError as exc:
        first, last = text.find("{"), text.rfind("}")
        if 0 <= first < last:
            try:
                data = json.loads(text[first:last + 1])
            except json.JSONDecodeError:
                pass
            else:
                return ParsedReply(data, (*notes, "prose around the JSON ignored"))
        raise ReplyProblem(f"the reply is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None


def schema_problems(value: Any, schema: Mapping[str, Any], where: str = "the reply") -> list[str]:
    """What in ``value`` does not match ``schema`` (empty: it matches). ``maxLength`` is left to the rules."""
    kind = schema.get("type")
    if kind in _TYPES and not isinstance(value, _TYPES[kind]):
        return [f"{where} must be {_article(kind)}, not {_describe(value)}"]
    out: list[str] = []
    if kind == "object":
        props: Mapping[str, Any] = schema.get("properties", {})
        out += [f"{where} lacks the field '{k}'" for k in schema.get("required", []) if k not in value]
        if schema.get("additionalProperties") is False:
            out += [f"{where} has a field '{k}' the schema does not allow" for k in value if k not in props]
        for key, sub in props.items():
            if key in value:
                out += schema_problems(value[key], sub, f"'{key}'")
    elif kind == "array":
        lo, hi = schema.get("minItems"), schema.get("maxItems")
        if lo is not None and len(value) < lo:
            out.append(f"{where} has {len(value)} item(s), at least {lo} required")
        if hi is not None and len(value) > hi:
            out.append(f"{where} has {len(value)} items, at most {hi} allowed")
        item = schema.get("items")
        if item is not None:
            for i, v in enumerate(value):
                out += schema_problems(v, item, f"{where}[{i}]")
    return out


def _article(kind: str) -> str:
    return {"object": "a JSON object", "array": "an array of strings", "string": "a string"}[kind]


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "an array",
            dict: "an object"}.get(type(value), type(value).__name__)
