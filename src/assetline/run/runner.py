"""The runner: executes a plan incrementally and durably.

1. Load and plan (spec errors surface before anything is written).
2. Open the store; look up which step keys already have an artifact whose blob exists: those are skipped.
   Engines with steps to run check they can run here (``check_ready``: a missing extra, a server down).
3. Record the campaign, the run and one asset row per cell (idempotent).
4. Submit ready steps to the executor; a step is ready when its upstream steps are done.
5. As results arrive, write their artifact rows, point assets at new renders and log events, committing
   in small batches. The QC gate (``run.gate``) judges each render's check results and plans a
   regeneration for blocking failures, rendered in a further round, up to the policy's retry budget.
   Blobs are on disk before the rows that name them are committed, so a crash at any
   point leaves at worst an unreferenced blob; the next run finishes the job, each asset exactly once.
6. Set each asset's gate status (passed, flagged, failed with reasons).
7. Finish the run with a summary; export the output tree and contact sheet.
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assetline.config import Settings
from assetline.engines.registry import EngineRegistry
from assetline.plan.planner import Plan, Step, build_plan
from assetline.qc.registry import CheckRegistry
from assetline.run.executors import Executor, InlineExecutor, LocalExecutor
from assetline.run.faults import CrashPlan
from assetline.run.gate import PRE_REVIEW, QCGate
from assetline.run.steps import StepOutput, batch_size
from assetline.spec.loader import LoadedCampaign, load_campaign
from assetline.store.blobs import BlobStore
from assetline.store.db import Database
from assetline.store.repositories import Repository

ProgressFn = Callable[[str, int, int], None]
"""progress(phase, done, total)"""

COMMIT_EVERY = 32
COMMIT_SECONDS = 0.5
PROGRESS_SECONDS = 0.25
"""How often the runner reports engines' own progress (denoising steps) while it waits for results."""


@dataclass
class RunSummary:
    campaign: str
    run_id: int
    status: str
    cells: int
    rendered: int
    """Final renders (compose steps) executed by this run."""
    reused: int
    """Cells whose render already existed (skipped)."""
    failed: int
    steps: dict[str, dict[str, int]]
    """Per step kind: executed, skipped, failed."""
    wall_seconds: float
    render_seconds: float
    """Sum of the time workers spent inside steps (engines + encode + blob write)."""
    workers: int
    failures: list[dict[str, str]] = field(default_factory=list)
    qc: dict[str, int] = field(default_factory=dict)
    """Gate statuses over the campaign's cells (passed, flagged, failed), cells regenerated (retried) and
    regenerations in all."""
    qc_failures: list[dict[str, Any]] = field(default_factory=list)
    """Cells that failed their blocking checks on every allowed attempt, with the reasons."""
    batch_qc: dict[str, Any] = field(default_factory=dict)
    """Per batch check: status counts; and how many assets it flagged for review."""
    output_dir: str = ""
    contact_sheet: str = ""
    review: dict[str, int] = field(default_factory=dict)
    """How the review policy routed the checked assets: to_review, sampled, auto_approved."""
    demo: dict[str, Any] = field(default_factory=dict)
    """`assetline demo` only: the scripted review, demo users and the delivered bundles."""

    @property
    def assets_per_second(self) -> float:
        return self.rendered / self.wall_seconds if self.wall_seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["assets_per_second"] = round(self.assets_per_second, 2)
        ideal = self.render_seconds / max(1, self.workers)
        data["overhead_ratio"] = round(self.wall_seconds / ideal, 3) if ideal > 0 else None
        data["wall_seconds"] = round(self.wall_seconds, 3)
        data["render_seconds"] = round(self.render_seconds, 3)
        return data


def spec_hash(loaded: LoadedCampaign) -> str:
    h = hashlib.sha256()
    for path in (loaded.path, loaded.brand.path):
        h.update(Path(path).read_bytes())
    return h.hexdigest()


class Runner:
    def __init__(self, settings: Settings, progress: ProgressFn | None = None) -> None:
        self.settings = settings
        self.progress = progress or (lambda phase, done, total: None)
        self.crash = CrashPlan.from_env()
        self.executed: set[str] = set()
        """Keys of the steps this runner executed (as opposed to found already done)."""
        self.batch_sizes: dict[str, int] = {}
        """Visual engine id → how many ready steps go to it in one call (engines with ``generate_batch``)."""

    def _executor(self, loaded: LoadedCampaign) -> Executor:
        if self.settings.executor == "inline":
            return InlineExecutor(loaded, self.settings.blob_dir)
        if self.settings.executor == "ray":
            from assetline.run.ray_executor import RayExecutor  # local: Ray is an optional extra

            return RayExecutor(loaded, self.settings.blob_dir, self.settings.worker_count, self.settings.ray_address)
        return LocalExecutor(loaded, self.settings.blob_dir, self.settings.worker_count)

    def run(self, campaign_path: Path | str) -> RunSummary:
        started = time.perf_counter()
        # 1. Load and plan.
        loaded = load_campaign(campaign_path)
        registry = EngineRegistry.discover()
        checks = CheckRegistry.discover()
        plan = build_plan(loaded, registry, self.settings.max_cells, checks.versions())  # bad input stops here
        engines = loaded.campaign.engines
        assert plan.cell_planner is not None
        validated = plan.cell_planner.settings  # the engines' settings, validated by the planner
        self.batch_sizes = {engines.visual: batch_size(registry.get(engines.visual), validated[engines.visual])}
        db = Database(self.settings.db_url)
        db.migrate()
        directions = self._directions(db, loaded.campaign.id)
        if directions:  # reviewers asked for changes: those cells get their own keys
            plan = build_plan(loaded, registry, self.settings.max_cells, checks.versions(), directions)

        # 2. What is already done; engines with work to do say whether they can run here (a missing extra, a
        # server that does not answer: one clear error before anything is written).
        blobs = BlobStore(self.settings.blob_dir)
        done = self._existing(db, blobs, plan.steps)
        todo = [step for key, step in plan.steps.items() if key not in done]
        for engine_id in sorted({step.engine_id for step in todo}):
            check_ready = getattr(registry.get(engine_id), "check_ready", None)
            if check_ready is not None:
                check_ready(validated[engine_id])

        # 3. Record campaign, run and cells.
        tenant = self.settings.tenant
        with db.session() as s:
            repo = Repository(s, tenant)
            repo.ensure_tenant()
            campaign = repo.upsert_campaign(loaded.campaign.id, loaded.campaign.name, str(loaded.path),
                                            spec_hash(loaded))
            run_id = repo.start_run(campaign).id
            campaign_db_id = campaign.id
            repo.create_assets(campaign, [pc.cell.as_row() for pc in plan.cells], run_id)
            planned_keys = {pc.cell.key for pc in plan.cells}
            for cell_key, asset in repo.assets_by_cell(campaign).items():
                if cell_key not in planned_keys:
                    repo.set_status(asset, "retired", "cell no longer in the brief", run_id)


        # 4–5. Execute and commit.
        stats: dict[str, dict[str, int]] = defaultdict(lambda: {"executed": 0, "skipped": 0, "failed": 0})
        for key, step in plan.steps.items():
            if key in done:
                stats[step.kind]["skipped"] += 1
        failures: list[dict[str, str]] = []
        render_seconds = 0.0
        executor = self._executor(loaded) if todo else None
        status = "finished"
        gate = QCGate(plan, loaded.campaign.qc)

        def execute(steps: list[Step]) -> None:
            nonlocal executor, render_seconds
            found = self._existing(db, blobs, [st.key for st in steps if st.key not in done])
            done.update(found)
            for st in steps:
                stats[st.kind]["skipped"] += st.key in found
            steps = [st for st in steps if st.key not in done]
            if not steps:
                return
            executor = executor or self._executor(loaded)
            render_seconds += self._execute(plan, steps, done, executor, db, blobs, run_id, campaign_db_id,
                                            stats, failures)

        try:
            gate.run(todo, done, execute, lambda keys: self._qc_results(db, keys))
        except BrokenProcessPool as exc:
            status = "crashed"
            failures.append({"cell": "*", "error": f"a worker process died: {exc}"})
        finally:
            if executor is not None:
                executor.close()

        # 6. Point every cell at its last attempt's render (covers renders made by earlier runs) and set
        # its gate status.
        with db.session() as s:
            repo = Repository(s, tenant)
            campaign = repo.get_campaign(loaded.campaign.id)
            assets = repo.assets_by_cell(campaign)
            final = list(gate.current.values())
            arts = repo.artifacts_by_keys({pc.compose_key for pc in final})
            failed_cells = {f["cell"]: f["error"] for f in failures}
            for pc in final:
                art = arts.get(pc.compose_key)
                asset = assets[pc.cell.key]
                if art is not None and asset.artifact_id != art.id:
                    repo.attach_render(asset, art, "render already existed", run_id)
                    repo.set_status(asset, "rendered", "render attached", run_id)
                elif art is None and pc.cell.key in failed_cells:
                    repo.set_status(asset, "failed", failed_cells[pc.cell.key][:500], run_id)
                decision = gate.decisions.get(pc.cell.key)
                if art is not None and decision is not None and asset.status in PRE_REVIEW:
                    reasons = decision.reasons
                    tries = f" after {pc.attempt + 1} attempts" if pc.attempt else ""
                    reason = f"QC {decision.status}{tries}" + (": " + "; ".join(reasons) if reasons else "")
                    asset.qc_status = decision.status
                    asset.qc_flags = " ".join(sorted({r["check"] for r in (*decision.flags, *decision.blocking)}))
                    repo.set_status(asset, decision.status, reason[:2000], run_id,
                                    data={"attempt": pc.attempt, "reasons": reasons,
                                          "regenerated_after": gate.history.get(pc.cell.key, [])})

        rendered = stats["compose"]["executed"]
        reused = sum(1 for pc in gate.current.values() if pc.compose_key not in self.executed)
        failed = len({f["cell"] for f in failures})
        summary = RunSummary(
            campaign=loaded.campaign.id, run_id=run_id, status="failed" if failures and status == "finished"
            else status, cells=len(plan.cells), rendered=rendered,
            reused=reused, failed=failed, steps={k: dict(v) for k, v in stats.items()},
            wall_seconds=time.perf_counter() - started, render_seconds=render_seconds,
            workers=executor.workers if executor else 0, failures=failures[:50], qc=gate.counts(),
            qc_failures=gate.failures()[:50])

        # Batch checks compare the campaign's current renders with each other (flag, never regenerate).
        from assetline.run.batch_qc import renders_digest, run_batch_checks

        previous = self._previous_batch_qc(db, loaded.campaign.id, run_id,
                                           renders_digest(db, self.settings, loaded.campaign.id))
        summary.batch_qc = previous if previous is not None else run_batch_checks(
            db, blobs, self.settings, loaded, checks, run_id)

        # 7. Export and finish.
        from assetline.run.export import export_outputs  # local import: export pulls in HTML templating

        out_dir, sheet = export_outputs(db, blobs, self.settings, loaded)
        summary.output_dir, summary.contact_sheet = str(out_dir), str(sheet)
        summary.wall_seconds = time.perf_counter() - started
        with db.session() as s:
            Repository(s, tenant).finish_run(run_id, summary.status, summary.to_dict())
        db.dispose()
        return summary

    def _directions(self, db: Database, campaign_slug: str) -> dict[str, dict[str, Any]]:
        """Cell key → reviewers' accumulated change requests (empty when the campaign is new)."""
        with db.session() as s:
            repo = Repository(s, self.settings.tenant)
            campaign = repo.find_campaign(campaign_slug)
            return {} if campaign is None else repo.cell_directions(campaign)

    def _previous_batch_qc(self, db: Database, campaign_slug: str, run_id: int,
                           digest: str) -> dict[str, Any] | None:
        """The batch report of an earlier run that checked exactly the same renders (nothing to redo)."""
        with db.session() as s:
            repo = Repository(s, self.settings.tenant)
            for run in repo.runs(repo.get_campaign(campaign_slug)):
                report = run.summary.get("batch_qc") or {}
                if run.id != run_id and report.get("renders") == digest:
                    return dict(report, reused_from_run=run.id)
        return None

    def _execute(self, plan: Plan, todo: list[Step], done: dict[str, tuple[int, str]],
                 executor: Executor | None, db: Database, blobs: BlobStore, run_id: int, campaign_db_id: int,
                 stats: dict[str, dict[str, int]], failures: list[dict[str, str]]) -> float:
        if not todo or executor is None:
            return 0.0
        cells_by_compose = plan.by_compose
        dependents: dict[str, list[str]] = defaultdict(list)
        for step in todo:
            for dep in step.deps:
                dependents[dep].append(step.key)
        waiting = {s.key: s for s in todo}
        failed_keys: set[str] = set()
        running: dict[Future[StepOutput], Step] = {}
        buffer: list[StepOutput] = []
        last_commit = time.perf_counter()
        total, finished, render_seconds = len(todo), 0, 0.0

        def submit_ready(keys: list[str]) -> None:
            batches: dict[str, list[Step]] = defaultdict(list)
            for key in keys:
                step = waiting.get(key)
                if step is None or not all(d in done for d in step.deps):
                    continue
                del waiting[key]
                if step.kind == "compose":
                    job = {**step.job, "copy_blob": done[step.job["copy_key"]][1],
                           "visual_blob": done[step.job["visual_key"]][1]}
                    step = dataclasses.replace(step, job=job)
                elif step.deps:  # e.g. a layout-aware visual reads its cell's copy
                    step = dataclasses.replace(step, job={**step.job, "blobs": {d: done[d][1] for d in step.deps}})
                if step.kind == "visual" and self.batch_sizes.get(step.engine_id, 1) > 1:
                    batches[step.engine_id].append(step)
                    continue
                running[executor.submit(step)] = step
            for engine_id, steps in batches.items():  # batching engines: one call per batch_size ready steps
                size = self.batch_sizes[engine_id]
                for i in range(0, len(steps), size):
                    chunk = steps[i:i + size]
                    for future, step in zip(executor.submit_batch(chunk), chunk, strict=True):
                        running[future] = step

        def fail_downstream(key: str, error: str) -> None:
            for dep_key in dependents.get(key, []):
                step = waiting.pop(dep_key, None)
                if step is None:
                    continue
                failed_keys.add(dep_key)
                stats[step.kind]["failed"] += 1
                if step.kind == "compose":
                    failures.append({"cell": cells_by_compose[dep_key].cell.key, "error": error})

        submit_ready(list(waiting))
        self.progress("render", 0, total)
        while running:
            completed, _ = wait(list(running), timeout=PROGRESS_SECONDS, return_when=FIRST_COMPLETED)
            for _key, step_done, step_total in executor.progress_events()[-1:]:
                self.progress(f"render (denoising {step_done}/{step_total})", finished, total)
            newly_done: list[str] = []
            for fut in completed:
                step = running.pop(fut)
                out = fut.result()
                finished += 1
                render_seconds += out.seconds
                if out.ok:
                    self.crash.hit("blob_written")
                    buffer.append(out)
                    newly_done.append(out.key)
                    done[out.key] = (0, out.blob_sha)
                    self.executed.add(out.key)
                    stats[step.kind]["executed"] += 1
                else:
                    failed_keys.add(out.key)
                    stats[step.kind]["failed"] += 1
                    buffer.append(out)
                    if step.kind == "compose":
                        failures.append({"cell": cells_by_compose[out.key].cell.key, "error": out.error})
                    fail_downstream(out.key, f"upstream {step.kind} step failed: {out.error}")
            if len(buffer) >= COMMIT_EVERY or time.perf_counter() - last_commit > COMMIT_SECONDS or not running:
                self._commit(buffer, plan, db, run_id, campaign_db_id, cells_by_compose)
                buffer.clear()
                last_commit = time.perf_counter()
            for key in newly_done:
                submit_ready(dependents.get(key, []))
            self.progress("render", finished, total)
        if buffer:
            self._commit(buffer, plan, db, run_id, campaign_db_id, cells_by_compose)
        return render_seconds

    def _existing(self, db: Database, blobs: BlobStore, keys: Iterable[str]) -> dict[str, tuple[int, str]]:
        """Step key → (artifact id, blob) for the keys whose artifact and blob both exist."""
        with db.session() as s:
            existing = Repository(s, self.settings.tenant).artifacts_by_keys(keys)
            return {k: (a.id, a.blob_sha) for k, a in existing.items() if blobs.exists(a.blob_sha)}

    def _qc_results(self, db: Database, keys: list[str]) -> dict[str, list[dict[str, Any]]]:
        """Compose key → the check results stored with its render (only keys that have one)."""
        with db.session() as s:
            arts = Repository(s, self.settings.tenant).artifacts_by_keys(keys)
            return {k: list(a.meta.get("qc") or []) for k, a in arts.items()}

    def _commit(self, outputs: list[StepOutput], plan: Plan, db: Database, run_id: int, campaign_db_id: int,
                cells_by_compose: dict[str, Any]) -> None:
        if not outputs:
            return
        with db.session() as s:
            repo = Repository(s, self.settings.tenant)
            campaign = repo.get_campaign(plan.campaign_id)
            assets = repo.assets_by_cell(campaign)
            for out in outputs:
                pc = cells_by_compose.get(out.key)
                if not out.ok:
                    if pc is not None:
                        repo.set_status(assets[pc.cell.key], "failed", out.error[:500], run_id)
                    continue
                step = plan.steps[out.key]
                meta = {**out.meta, "lineage": step.lineage, "seconds": round(out.seconds, 4)}
                artifact = repo.add_artifact(content_key=out.key, step=out.kind, engine_id=out.engine_id,
                                             engine_version=out.engine_version, blob_sha=out.blob_sha,
                                             media_type=out.media_type, size=out.size, meta=meta)
                if pc is not None:
                    asset = assets[pc.cell.key]
                    reason = (f"regenerated after a blocking QC failure (attempt {pc.attempt + 1})"
                              if pc.attempt else "rendered")
                    repo.attach_render(asset, artifact, reason, run_id)
                    repo.set_status(asset, "rendered", "render finished", run_id)
            s.flush()
            self.crash.hit("mid_commit")
        self.crash.hit("committed")


def run_campaign(campaign_path: Path | str, settings: Settings, progress: ProgressFn | None = None) -> RunSummary:
    """Run a campaign incrementally; see Runner."""
    return Runner(settings, progress).run(campaign_path)
