"""The one place CLI errors are mapped: an AssetlineError prints one clear message and exits 2."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from rich.console import Console
from rich.markup import escape

from assetline.errors import AssetlineError, SpecError

F = TypeVar("F", bound=Callable[..., Any])
EXIT_BAD_INPUT = 2


def error_payload(exc: AssetlineError) -> dict[str, Any]:
    payload: dict[str, Any] = {"error": type(exc).__name__, "message": exc.message, "hint": exc.hint}
    if isinstance(exc, SpecError) and exc.location is not None:
        loc = exc.location
        payload["location"] = {"file": str(loc.path), "line": loc.line, "column": loc.column}
        payload["detail"] = exc.detail
    return payload


def handle_errors(func: F) -> F:
    """Wrap a command: user errors → message on stderr (JSON when --json) and exit code 2."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except AssetlineError as exc:
            if kwargs.get("as_json"):
                print(json.dumps(error_payload(exc), ensure_ascii=False), file=sys.stderr)
            else:
                console = Console(stderr=True, highlight=False)
                console.print(f"[bold red]error:[/] {escape(exc.message)}")
                if exc.hint:
                    console.print(f"  [dim]hint:[/] {escape(exc.hint)}")
            raise SystemExit(EXIT_BAD_INPUT) from None
        except KeyboardInterrupt:
            print("interrupted; run the same command again to continue where it stopped", file=sys.stderr)
            raise SystemExit(130) from None

    return wrapper  # type: ignore[return-value]
