"""Executors run steps. The runner only uses this interface, so a Ray executor can slot in later.

    Executor.submit(step) -> concurrent.futures.Future[StepOutput]
    Executor.submit_batch(steps) -> list[Future[StepOutput]]   one engine call for several visual steps
    Executor.progress_events() -> list[(step key, done, total)] engine progress (denoising steps) since last call
    Executor.close()

``LocalExecutor`` is a process pool sized to the cores; each worker builds its WorkerContext once (specs,
engine registry, blob store) in the pool initializer. ``InlineExecutor`` runs steps in the calling process
(debugging, tiny campaigns, tests that need one process).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import queue
import signal
import sys
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any, Protocol

from assetline.plan.planner import Step
from assetline.run.steps import StepOutput, WorkerContext, execute, execute_batch
from assetline.spec.loader import LoadedCampaign
from assetline.store.blobs import BlobStore

ProgressEvent = tuple[str, int, int]
"""(step key, done, total)"""


class Executor(Protocol):
    workers: int

    def submit(self, step: Step) -> Future[StepOutput]: ...

    def submit_batch(self, steps: list[Step]) -> list[Future[StepOutput]]: ...

    def progress_events(self) -> list[ProgressEvent]: ...

    def close(self) -> None: ...


class InlineExecutor:
    def __init__(self, loaded: LoadedCampaign, blob_root: Path) -> None:
        self.workers = 1
        self._events: list[ProgressEvent] = []
        self._ctx = WorkerContext(loaded, BlobStore(blob_root),
                                  progress=lambda key, done, total: self._events.append((key, done, total)))

    def submit(self, step: Step) -> Future[StepOutput]:
        future: Future[StepOutput] = Future()
        future.set_result(execute(step, self._ctx))
        return future

    def submit_batch(self, steps: list[Step]) -> list[Future[StepOutput]]:
        futures: list[Future[StepOutput]] = []
        for out in execute_batch(steps, self._ctx):
            future: Future[StepOutput] = Future()
            future.set_result(out)
            futures.append(future)
        return futures

    def progress_events(self) -> list[ProgressEvent]:
        events, self._events = self._events, []
        return events

    def close(self) -> None:
        pass


def split_batch(batch: Future[list[StepOutput]], size: int) -> list[Future[StepOutput]]:
    """One future per step of a batch run as one call: each gets its step's output (or the batch's error)."""
    futures: list[Future[StepOutput]] = [Future() for _ in range(size)]

    def split(done: Future[list[StepOutput]]) -> None:
        exc = done.exception()
        for i, future in enumerate(futures):
            if exc is not None:
                future.set_exception(exc)
            else:
                future.set_result(done.result()[i])

    batch.add_done_callback(split)
    return futures


def start_method() -> str:
    """'fork' (fast: workers inherit the loaded specs and imports) unless this process has imported torch:
    forking after torch started its thread pools deadlocks the children in their first convolution, so
    workers are then spawned fresh (they import torch themselves)."""
    if "torch" in sys.modules or "fork" not in multiprocessing.get_all_start_methods():
        return "spawn"
    return "fork"


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


def _init_worker(loaded: LoadedCampaign, blob_root: str, events: Any = None) -> None:
    global _worker_ctx
    _die_with_parent()
    report = None if events is None else (lambda key, done, total: events.put((key, done, total)))
    _worker_ctx = WorkerContext(loaded, BlobStore(Path(blob_root)), progress=report)


def _execute_in_worker(step: Step) -> StepOutput:
    assert _worker_ctx is not None, "worker not initialised"
    return execute(step, _worker_ctx)


def _execute_batch_in_worker(steps: list[Step]) -> list[StepOutput]:
    assert _worker_ctx is not None, "worker not initialised"
    return execute_batch(steps, _worker_ctx)


class LocalExecutor:
    def __init__(self, loaded: LoadedCampaign, blob_root: Path, workers: int) -> None:
        self.workers = workers
        ctx = multiprocessing.get_context(start_method())
        self._events: Any = ctx.Queue()
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker,
                                         initargs=(loaded, str(blob_root), self._events))

    def submit(self, step: Step) -> Future[StepOutput]:
        return self._pool.submit(_execute_in_worker, step)

    def submit_batch(self, steps: list[Step]) -> list[Future[StepOutput]]:
        """One worker runs the whole batch (one engine call); each step gets its own future."""
        return split_batch(self._pool.submit(_execute_batch_in_worker, steps), len(steps))

    def progress_events(self) -> list[ProgressEvent]:
        events: list[ProgressEvent] = []
        while True:
            try:
                events.append(self._events.get_nowait())
            except (queue.Empty, OSError, ValueError):
                return events

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
