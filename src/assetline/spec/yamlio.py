"""YAML loading that keeps line/column positions, and translation of pydantic errors into SpecErrors.

ruamel.yaml's round-trip loader remembers where every key and item came from; ``locate`` walks a
pydantic error path (``("concepts", 2, "copy", "headline")``) through that tree to the closest position.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from assetline.errors import Location, SpecError

M = TypeVar("M", bound=BaseModel)


def read_yaml(path: Path) -> Any:
    """Parse ``path`` keeping positions. Raises SpecError for a missing file or bad YAML syntax."""
    if not path.exists():
        raise SpecError(
            "file not found",
            location=Location(path),
            hint="check the path (relative paths start at the file that names them)",
        )
    if not path.is_file():
        raise SpecError("not a file", location=Location(path), hint="name a YAML file, not a folder")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError("not UTF-8 text", location=Location(path), hint="save the file as UTF-8") from exc
    yaml = YAML(typ="rt")
    try:
        data = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        col = mark.column + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise SpecError(
            f"YAML syntax error: {problem}",
            location=Location(path, line, col),
            hint="check indentation, colons and quotes around this position",
        ) from exc
    except Exception as exc:  # ruamel raises a few unmarked errors (e.g. duplicate keys)
        raise SpecError(f"YAML error: {exc}", location=Location(path)) from exc
    if data is None:
        raise SpecError("the file is empty", location=Location(path), hint="see examples/ for a complete file")
    if not isinstance(data, CommentedMap):
        raise SpecError("expected a mapping (key: value) at the top level", location=Location(path, 1, 1))
    return data


def locate(path: Path, data: Any, loc: tuple[int | str, ...]) -> Location:
    """The position in ``data`` (a ruamel tree from ``path``) closest to the error path ``loc``."""
    line: int | None = 1
    col: int | None = 1
    node = data
    for part in loc:
        if isinstance(node, CommentedMap) and part in node:
            ln, cl = node.lc.key(part)
            line, col = ln + 1, cl + 1
            child = node[part]
            if not isinstance(child, CommentedMap | CommentedSeq):
                vln, vcl = node.lc.value(part)
                line, col = vln + 1, vcl + 1
            node = child
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            ln, cl = node.lc.item(part)
            line, col = ln + 1, cl + 1
            node = node[part]
        else:
            break
    return Location(path, line, col)


def _field_hint(model: type[BaseModel], loc: tuple[int | str, ...], bad_key: str) -> str | None:
    """For an unknown key, suggest the closest allowed field name of the model that owns it."""
    owner: Any = model
    for part in loc[:-1]:
        if isinstance(part, int) or owner is None:
            continue
        field = getattr(owner, "model_fields", {}).get(part)
        if field is None:
            return None
        owner = _inner_model(field.annotation)
    if owner is None or not hasattr(owner, "model_fields"):
        return None
    names = list(owner.model_fields)
    close = difflib.get_close_matches(bad_key, names, n=1)
    allowed = ", ".join(names)
    return f"did you mean '{close[0]}'? allowed keys: {allowed}" if close else f"allowed keys: {allowed}"


def _inner_model(annotation: Any) -> Any:
    """The BaseModel inside list[X], dict[str, X], X | None … (or None)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def validate(model: type[M], path: Path, data: Any) -> M:
    """Validate a ruamel tree against ``model``; the first error becomes a SpecError with its position."""
    try:
        return model.model_validate(data, context={"path": path})
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        loc = tuple(err["loc"])
        where = ".".join(str(p) for p in loc) or "(top level)"
        hint = None
        if err["type"] == "extra_forbidden" and loc:
            hint = _field_hint(model, loc, str(loc[-1]))
            msg = f"unknown key '{loc[-1]}'"
        elif err["type"] == "missing":
            msg = f"'{where}' is required"
            hint = "add it (see examples/ or run `assetline schema` for every key)"
        else:
            msg = f"{where}: {err['msg']}"
            bad = err.get("input")
            if isinstance(bad, str | int | float) and not isinstance(bad, bool):
                msg += f" (got {bad!r})"
        extra = err.get("ctx", {}).get("hint") if isinstance(err.get("ctx"), dict) else None
        raise SpecError(msg, location=locate(path, data, loc), hint=hint or extra) from None
