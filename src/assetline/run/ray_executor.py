"""Ray executor: the same step functions as the local pool, run by a pool of Ray actors.

Each actor builds its WorkerContext once (specs, engine registry, blob store) and keeps it, so engines that load a
model (diffusion, ControlNet, LoRA) keep it warm across every step the actor runs — on a GPU when the actors are
given one (``gpus_per_worker``). Steps go to the actor with the fewest in flight; a visual batch goes to one actor
(one engine call). Outputs are the same bytes as the local executor's: the step functions are the same and
engines are deterministic (tests/run/test_run_ray.py compares them).

With ``address`` None the executor starts a local Ray with ``workers`` CPUs (no dashboard, no usage stats, its
files in a temporary folder) and stops it on close; with an address it joins that cluster and leaves it running.
The blob store is a folder: on a cluster of several machines it must be shared storage mounted at the same path.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from assetline.errors import EngineError
from assetline.plan.planner import Step
from assetline.run.executors import ProgressEvent, split_batch
from assetline.run.steps import StepOutput, WorkerContext, execute, execute_batch
from assetline.spec.loader import LoadedCampaign
from assetline.store.blobs import BlobStore


class _StepWorker:
    """One Ray actor: a warm WorkerContext."""

    def __init__(self, loaded: LoadedCampaign, blob_root: str) -> None:
        self.ctx = WorkerContext(loaded, BlobStore(Path(blob_root)))

    def run(self, step: Step) -> StepOutput:
        return execute(step, self.ctx)

    def run_batch(self, steps: list[Step]) -> list[StepOutput]:
        return execute_batch(steps, self.ctx)

    def pid(self) -> int:
        return os.getpid()


def _check_reachable(address: str, timeout: float = 3.0) -> None:
    """Fail fast on a cluster address nothing listens at (Ray itself retries for minutes)."""
    if address == "auto":
        return
    host_port = address.removeprefix("ray://").rsplit("/", 1)[0]
    host, _, port = host_port.rpartition(":")
    try:
        with socket.create_connection((host or "127.0.0.1", int(port)), timeout=timeout):
            return
    except (OSError, ValueError) as exc:
        raise EngineError(f"no Ray cluster answers at {address}: {exc}",
                          hint="check ray_address (ASSETLINE_RAY_ADDRESS), e.g. 'ray://head:10001', or leave it "
                               "unset to start a local Ray") from None


def _ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise EngineError("executor 'ray' needs Ray: pip install 'assetline[ray]'",
                          hint="or use executor 'local' (the default)") from exc
    return ray


class RayExecutor:
    def __init__(self, loaded: LoadedCampaign, blob_root: Path, workers: int, address: str | None = None,
                 gpus_per_worker: float = 0.0) -> None:
        ray = _ray()
        self.workers = workers
        self._temp: str | None = None
        self._owns_ray = False
        if not ray.is_initialized():
            os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
            if address:
                _check_reachable(address)
                ray.init(address=address, include_dashboard=False, log_to_driver=False,
                         configure_logging=False)
            else:
                self._temp = tempfile.mkdtemp(prefix="al-ray-")  # short: Ray's socket paths must fit 107 bytes
                ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False, configure_logging=False,
                         _temp_dir=self._temp)
            self._owns_ray = not address
        actor = ray.remote(num_cpus=1, num_gpus=gpus_per_worker)(_StepWorker)
        self._actors = [actor.remote(loaded, str(Path(blob_root).resolve())) for _ in range(workers)]
        self._load = [0] * workers

    def _pick(self) -> int:
        index = min(range(len(self._actors)), key=lambda i: self._load[i])
        self._load[index] += 1
        return index

    def _future(self, ref: Any, index: int) -> Future[Any]:
        future: Future[Any] = ref.future()

        def release(_: Future[Any]) -> None:
            self._load[index] -= 1

        future.add_done_callback(release)
        return future

    def submit(self, step: Step) -> Future[StepOutput]:
        index = self._pick()
        return self._future(self._actors[index].run.remote(step), index)

    def submit_batch(self, steps: list[Step]) -> list[Future[StepOutput]]:
        index = self._pick()
        return split_batch(self._future(self._actors[index].run_batch.remote(steps), index), len(steps))

    def progress_events(self) -> list[ProgressEvent]:
        """Per-step engine progress is not relayed from Ray actors (the run's step counts still are)."""
        return []

    def close(self) -> None:
        ray = _ray()
        for actor in self._actors:
            ray.kill(actor)
        self._actors = []
        if self._owns_ray:
            ray.shutdown()
            if self._temp:
                shutil.rmtree(self._temp, ignore_errors=True)
