"""Settings, read once and passed down (never read at import time).

Sources, strongest first: explicit arguments, ``ASSETLINE_*`` environment variables, ``assetline.toml`` in
the workspace, defaults. See docs/configuration.md.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from assetline.errors import WorkspaceError

WORKSPACE_FILE = "assetline.toml"
DEFAULT_TENANT = "default"


class Settings(BaseSettings):
    """Everything configurable about one workspace."""

    model_config = SettingsConfigDict(env_prefix="ASSETLINE_", extra="ignore")

    workspace: Path = Field(default=Path("."), description="Folder holding the database, blobs and outputs.")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default is SQLite (WAL) at <workspace>/assetline.db."
    )
    executor: Literal["local", "inline", "ray"] = Field(
        default="local", description="'local' = process pool sized to the cores; 'inline' = this process; "
                                     "'ray' = Ray actors (a local Ray started by the runner, or ray_address)."
    )
    ray_address: str | None = Field(
        default=None, description="An existing Ray cluster for executor 'ray' (e.g. 'ray://head:10001' or "
                                  "'auto'); None starts a local Ray with `workers` CPUs and stops it after the run.")
    workers: int = Field(default=0, ge=0, description="Worker processes; 0 means one per core.")
    tenant: str = Field(default=DEFAULT_TENANT, description="Tenant used by the CLI.")
    max_cells: int = Field(default=20_000, ge=1, description="Refuse campaigns that expand to more cells.")

    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.workspace / 'assetline.db').resolve()}"

    @property
    def blob_dir(self) -> Path:
        return self.workspace / "blobs"

    @property
    def output_dir(self) -> Path:
        return self.workspace / "output"

    @property
    def worker_count(self) -> int:
        return self.workers or max(1, os.cpu_count() or 1)


def load_settings(workspace: Path | str | None = None, **overrides: Any) -> Settings:
    """Read settings for ``workspace``: its assetline.toml, then the environment, then ``overrides``."""
    ws = Path(workspace) if workspace is not None else Path(os.environ.get("ASSETLINE_WORKSPACE", "."))
    file_values: dict[str, Any] = {}
    toml_path = ws / WORKSPACE_FILE
    if toml_path.is_file():
        try:
            file_values = tomllib.loads(toml_path.read_text(encoding="utf-8")).get("assetline", {})
        except tomllib.TOMLDecodeError as exc:
            raise WorkspaceError(f"{toml_path}: not valid TOML ({exc})", hint="fix or delete the file") from exc
    env_values = Settings().model_dump(exclude_unset=True)
    merged = {**file_values, **env_values, **{k: v for k, v in overrides.items() if v is not None}}
    merged["workspace"] = ws
    return Settings(**merged)
