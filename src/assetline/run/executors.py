"""Executors run steps. The runner only uses this interface, so a Ray executor can slot in later.

    Executor.submit(step) -> concurrent.futures.Future[StepOutput]
    Executor.close()

``LocalExecutor`` is a process pool sized to the cores; each worker builds its WorkerContext once (specs,
engine registry, blob store) in the pool initializer. ``InlineExecutor`` runs steps in the calling process
(debugging, tiny campaigns, tests that need one process).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Protocol

from assetline.plan.planner import Step
from assetline.run.steps import StepOutput, WorkerContext, execute
from assetline.spec.loader import LoadedCampaign
from assetline.store.blobs import BlobStore


class Executor(Protocol):
    workers: int

    def submit(self, step: Step) -> Future[StepOutput]: ...

    def close(self) -> None: ...


class InlineExecutor:
    def __init__(self, loaded: LoadedCampaign, blob_root: Path) -> None:
        self.workers = 1
        self._ctx = WorkerContext(loaded, BlobStore(blob_root))

    def submit(self, step: Step) -> Future[StepOutput]:
        future: Future[StepOutput] = Future()
        future.set_result(execute(step, self._ctx))
        return future

    def close(self) -> None:
        pass


# One context per worker process, set by the pool initializer (the standard process-pool pattern).
_worker_ctx: WorkerContext | None = None


def _die_with_parent() -> None:
    """Linux: have the kernel SIGKILL this worker when the runner dies (e.g. kill -9), so no orphan
    keeps rendering into the blob store or holding the runner's stdout open."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        return
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(1)


def _init_worker(loaded: LoadedCampaign, blob_root: str) -> None:
    global _worker_ctx
    _die_with_parent()
    _worker_ctx = WorkerContext(loaded, BlobStore(Path(blob_root)))


def _execute_in_worker(step: Step) -> StepOutput:
    assert _worker_ctx is not None, "worker not initialised"
    return execute(step, _worker_ctx)


class LocalExecutor:
    def __init__(self, loaded: LoadedCampaign, blob_root: Path, workers: int) -> None:
        self.workers = workers
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker,
                                         initargs=(loaded, str(blob_root)))

    def submit(self, step: Step) -> Future[StepOutput]:
        return self._pool.submit(_execute_in_worker, step)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
