"""How far the campaign's latest run has got, from what the store already holds.

While a run renders, each cell it works on waits as ``planned`` (new cells) or ``changes_requested`` (cells a
reviewer sent back) until its render lands and it becomes ``rendered``; the QC gate moves every ``rendered``
asset on at the end. So, during a run, ``rendered / (rendered + planned + rendering + changes_requested)`` is
the share of this run's renders that are done. No extra bookkeeping is needed from the runner.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from assetline.review.service import ReviewService
from assetline.store.models import Campaign

WAITING = ("planned", "rendering", "changes_requested")


@dataclass(frozen=True)
class RunProgress:
    run_id: int | None
    status: str
    """'running', 'finished', 'failed', 'crashed', or 'none' when the campaign never ran."""
    started_at: datetime | None = None
    finished_at: datetime | None = None
    done: int = 0
    waiting: int = 0
    summary: dict[str, object] | None = None

    @property
    def running(self) -> bool:
        return self.status == "running"

    @property
    def percent(self) -> int | None:
        """0–100, or None while nothing is known yet (planning)."""
        total = self.done + self.waiting
        return None if total == 0 else round(100 * self.done / total)

    @property
    def phase(self) -> str:
        if not self.running:
            return self.status
        if self.done + self.waiting == 0:
            return "in progress"
        return "rendering" if self.waiting else "checking and exporting"


def run_progress(svc: ReviewService, campaign: Campaign) -> RunProgress:
    last = svc.repo.last_run(campaign)
    if last is None:
        return RunProgress(run_id=None, status="none")
    if last.status != "running":
        return RunProgress(run_id=last.id, status=last.status, started_at=last.started_at,
                           finished_at=last.finished_at, summary=dict(last.summary or {}))
    if not svc.sees_all:  # clients are not told about assets that have not reached review
        return RunProgress(run_id=last.id, status="running", started_at=last.started_at)
    counts = svc.repo.status_counts(campaign)
    return RunProgress(run_id=last.id, status="running", started_at=last.started_at,
                       done=counts.get("rendered", 0), waiting=sum(counts.get(s, 0) for s in WAITING))
