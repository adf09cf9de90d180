"""The QC gate: the campaign's policy applied to each render's check results, and regeneration on failure.

The per-asset checks run inside the compose step (``run.steps``) and their results are stored in the
render's artifact meta under ``"qc"``; this module only decides:

    passed   no check warned or failed
    flagged  a check warned, or a check listed in ``qc.warn`` (or left out of a non-empty ``qc.block``) failed
    failed   a blocking check failed on the last allowed attempt

A blocking failure with retries left plans the cell again as attempt n + 1 (``Plan.add_cell``: new compose
seed, shifted copy draw, so new keys) and renders it in another round; after ``qc.retries`` regenerations
the cell stops as failed, with the failing checks' messages as reasons.

Re-runs stay incremental: every attempt has its own content keys, so a re-run walks the same chain of
attempts 0, 1, … finding each artifact already made, and renders nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from assetline.plan.planner import Plan, PlannedCell, Step
from assetline.spec.campaign import QCPolicy

GateStatus = Literal["passed", "flagged", "failed"]
GATE_STATUSES = ("passed", "flagged", "failed")
PRE_REVIEW = ("planned", "rendering", "rendered", "passed", "flagged", "failed")
"""Statuses the gate may overwrite; later ones (in review, approved …) belong to people."""


def blocks(check_id: str, policy: QCPolicy) -> bool:
    """Whether a 'fail' of ``check_id`` blocks: ``warn`` ids never do; a non-empty ``block`` lists those
    that do; an empty ``block`` means every check blocks."""
    if check_id in policy.warn:
        return False
    return check_id in policy.block if policy.block else True


@dataclass(frozen=True)
class GateDecision:
    status: GateStatus
    blocking: tuple[dict[str, Any], ...] = ()
    """Results whose failure blocks."""
    flags: tuple[dict[str, Any], ...] = ()
    """Warnings, and failures of checks that only warn."""

    @property
    def reasons(self) -> list[str]:
        return [f"{r['check']}: {r['message']}" for r in (self.blocking or self.flags)]


def decide(results: Iterable[dict[str, Any]], policy: QCPolicy) -> GateDecision:
    """The gate status of one render from its stored check results (``CheckResult.to_dict()`` rows)."""
    blocking, flags = [], []
    for r in results:
        if r.get("status") == "fail" and blocks(str(r.get("check")), policy):
            blocking.append(r)
        elif r.get("status") in ("warn", "fail"):
            flags.append(r)
    status: GateStatus = "failed" if blocking else "flagged" if flags else "passed"
    return GateDecision(status, tuple(blocking), tuple(flags))


@dataclass
class QCGate:
    """Drives rounds of rendering until every cell passes, is flagged, or has used its retries."""

    plan: Plan
    policy: QCPolicy
    current: dict[str, PlannedCell] = field(default_factory=dict)
    """Cell key → the attempt that is (or will be) the cell's render."""
    decisions: dict[str, GateDecision] = field(default_factory=dict)
    history: dict[str, list[list[str]]] = field(default_factory=dict)
    """Cell key → the blocking reasons of each regenerated attempt, in order."""

    def __post_init__(self) -> None:
        self.current = {pc.cell.key: pc for pc in self.plan.cells}

    def run(self, todo: list[Step], done: dict[str, Any], execute: Callable[[list[Step]], None],
            qc_results: Callable[[list[str]], dict[str, list[dict[str, Any]]]]) -> None:
        """Render ``todo``, judge the cells, plan retries, repeat. ``execute`` renders and commits steps
        (adding their keys to ``done``); ``qc_results`` maps compose keys to their stored check results
        (keys without a render are left out)."""
        open_cells = list(self.current)
        while open_cells:
            if todo:
                execute(todo)
            results = qc_results([self.current[k].compose_key for k in open_cells])
            retry: list[str] = []
            for key in open_cells:
                pc = self.current[key]
                if pc.compose_key not in results:  # the render itself failed: no verdict
                    self.decisions.pop(key, None)
                    continue
                decision = decide(results[pc.compose_key], self.policy)
                self.decisions[key] = decision
                if decision.status == "failed" and pc.attempt < self.policy.retries:
                    self.history.setdefault(key, []).append(decision.reasons)
                    self.current[key] = self.plan.add_cell(pc.cell, pc.attempt + 1)
                    retry.append(key)
            queued: dict[str, Step] = {}
            for key in retry:
                pc = self.current[key]
                for step_key in (pc.copy_key, pc.visual_key, pc.compose_key):
                    if step_key not in done:
                        queued[step_key] = self.plan.steps[step_key]
            todo, open_cells = list(queued.values()), retry

    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in GATE_STATUSES}
        for d in self.decisions.values():
            out[d.status] += 1
        out["retried"] = sum(1 for pc in self.current.values() if pc.attempt > 0)
        out["regenerations"] = sum(pc.attempt for pc in self.current.values())
        return out

    def failures(self) -> list[dict[str, Any]]:
        return [{"cell": key, "attempts": self.current[key].attempt + 1, "reasons": d.reasons}
                for key, d in sorted(self.decisions.items()) if d.status == "failed"]
