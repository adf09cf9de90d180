"""Options shared by every command module."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

Workspace = Annotated[
    Path | None, typer.Option("--workspace", "-w", help="Workspace folder (default: . or ASSETLINE_WORKSPACE).")
]
Tenant = Annotated[str | None, typer.Option("--tenant", help="Tenant (default: ASSETLINE_TENANT or 'default').")]
Json = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def emit(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False, default=str))
