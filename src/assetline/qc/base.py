"""QC check framework: what a check receives, what it returns, and the protocol it implements.

Checks return results instead of raising (like dagster's AssetCheckResult); the gate policy decides
what blocks. A check has an ``id`` and a ``version``; both enter the content key of the QC step, so a
changed check re-checks assets and an unchanged one is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Protocol, runtime_checkable

from PIL import Image

from assetline.engines.base import Element
from assetline.spec.brand import BrandKit
from assetline.spec.campaign import Segment
from assetline.spec.formats import ChannelFormat

Status = Literal["pass", "warn", "fail", "na"]
STATUS_ORDER: dict[str, int] = {"na": 0, "pass": 1, "warn": 2, "fail": 3}


@dataclass(frozen=True)
class CheckResult:
    check_id: str
    version: str
    status: Status
    message: str
    """One sentence a reviewer understands, e.g. 'Headline contrast 3.1:1 is below AA (4.5:1).'"""
    score: float | None = None
    """The measured quantity the verdict rests on (ΔE, contrast ratio, similarity …), when there is one."""
    evidence: dict[str, Any] = field(default_factory=dict)
    """Numbers, boxes, matched terms: JSON-serialisable."""

    def to_dict(self) -> dict[str, Any]:
        return {"check": self.check_id, "version": self.version, "status": self.status, "score": self.score,
                "message": self.message, "evidence": self.evidence}


@dataclass(frozen=True)
class MotionUnderCheck:
    """What the motion gates look at besides the poster frame: the video as delivered and how it was made."""

    data: bytes
    """The encoded video file (MP4/WebM) exactly as delivered; checks decode it themselves (qc/motion/decode.py)."""
    timeline: dict[str, Any]
    """The motion engine's timeline (engines/motion/base.py): element entrances, boxes over time, captions."""
    cues: tuple[dict[str, Any], ...] = ()
    """Captions as {'start', 'end', 'text'} (seconds), burned in or sidecar."""
    captions_mode: str = "none"
    """'burned', 'sidecar', 'both' or 'none'."""
    speech: tuple[tuple[float, float], ...] = ()
    """Intervals (seconds) where the voice-over speaks; empty for no voice-over."""
    target_duration: float | None = None
    """The length the campaign asked for (seconds)."""


@dataclass(frozen=True)
class AssetUnderCheck:
    """Everything a check may look at. Only ``image`` is always present."""

    image: Image.Image
    """Decoded RGB(A) pixels."""
    data: bytes | None = None
    """The encoded file as delivered (for size, type and colour-mode checks)."""
    file_type: str | None = None
    """'jpeg', 'png', 'gif' … as detected from the bytes, not the name."""
    brand: BrandKit | None = None
    format: ChannelFormat | None = None
    copy: dict[str, str] | None = None
    """'headline', 'body', 'cta', 'disclaimer' … as shown on the asset."""
    language: str | None = None
    segment: Segment | None = None
    elements: tuple[Element, ...] | None = None
    """Layout metadata from Assetline's composer; None for images made elsewhere."""
    asset_id: str | None = None
    motion: MotionUnderCheck | None = None
    """Set for motion formats (``image`` is then the poster frame, ``data`` the video); None for stills."""


@dataclass(frozen=True)
class CheckContext:
    """Shared, read-only resources for a run of checks (built once, passed to every check)."""

    settings: dict[str, Any] = field(default_factory=dict)
    """Per-check settings from the campaign's QC policy, keyed by check id."""
    resources: dict[str, Any] = field(default_factory=dict)
    """E.g. 'reference_index' (protected pHash index), 'logo_templates', 'batch' peers."""

    def for_check(self, check_id: str) -> dict[str, Any]:
        value = self.settings.get(check_id, {})
        return value if isinstance(value, dict) else {}


@runtime_checkable
class Check(Protocol):
    """A per-asset check."""

    id: ClassVar[str]
    version: ClassVar[str]
    description: ClassVar[str]

    def run(self, asset: AssetUnderCheck, context: CheckContext) -> CheckResult: ...


@runtime_checkable
class BatchCheck(Protocol):
    """A check over a whole batch (near-duplicates within a campaign, homogenisation)."""

    id: ClassVar[str]
    version: ClassVar[str]
    description: ClassVar[str]

    def run_batch(self, assets: list[AssetUnderCheck], context: CheckContext) -> list[CheckResult]: ...
    """One result per asset, in order."""


def worst(statuses: list[str]) -> Status:
    """The most severe status in ``statuses`` ('na' when empty)."""
    best: Status = "na"
    for s in statuses:
        if STATUS_ORDER[s] > STATUS_ORDER[best]:
            best = s  # type: ignore[assignment]
    return best
