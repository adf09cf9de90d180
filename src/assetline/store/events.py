"""Typed events. Each becomes one row of the append-only ``events`` table via ``Repository.record``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar


@dataclass(frozen=True)
class AssetStateChanged:
    kind: ClassVar[str] = "asset.state"
    asset_id: int
    campaign_id: int
    from_status: str | None
    to_status: str
    reason: str = ""
    actor: str = "system"
    run_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AssetRevised:
    """The asset now points at a new artifact (a spec edit or a requested change)."""

    kind: ClassVar[str] = "asset.revised"
    asset_id: int
    campaign_id: int
    revision: int
    content_key: str
    reason: str = ""
    actor: str = "system"
    run_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RunStarted:
    kind: ClassVar[str] = "run.started"
    campaign_id: int
    run_id: int
    actor: str = "system"
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RunFinished:
    kind: ClassVar[str] = "run.finished"
    campaign_id: int
    run_id: int
    status: str
    actor: str = "system"
    data: dict[str, Any] = field(default_factory=dict)


AuditEvent = AssetStateChanged | AssetRevised | RunStarted | RunFinished
