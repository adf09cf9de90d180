"""Start campaign runs in a background subprocess, one per campaign at a time, and tell whether one is alive.

A run is ``python -m assetline.cli.main run SPEC --workspace WS --json`` with the actor's tenant and the
server's store settings in its environment; the server process is never forked. Each launch is recorded in
``<workspace>/.assetline/launches/<tenant>--<campaign id>.json`` (launch id, pid, who, when, exit code),
read and written under an exclusive ``flock`` of a sibling lock file. That makes "one run per campaign"
hold across request threads, server worker processes and server restarts: a second start while the
recorded process is alive raises ConflictError (HTTP 409). The process's output goes to
``<workspace>/logs/runs/<launch id>.log``.

A thread per launch waits for the process (so it never lingers as a zombie) and records its exit code.
If the server stops first, the pid check still tells that the process has ended.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from assetline.config import Settings
from assetline.errors import ConflictError, InvalidRequestError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: one server process only
    fcntl = None  # type: ignore[assignment]

LAUNCH_DIR = Path(".assetline") / "launches"
LOG_DIR = Path("logs") / "runs"
_SAFE = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(frozen=True)
class Launch:
    launch_id: str
    pid: int
    started_at: datetime
    started_by: str
    exit_code: int | None = None
    finished_at: datetime | None = None
    alive: bool = False

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data.pop("alive")
        data["started_at"] = self.started_at.isoformat()
        data["finished_at"] = self.finished_at.isoformat() if self.finished_at else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Launch:
        finished = data.get("finished_at")
        exit_code = data.get("exit_code")
        return cls(launch_id=str(data["launch_id"]), pid=int(str(data["pid"])),
                   started_at=datetime.fromisoformat(str(data["started_at"])), started_by=str(data["started_by"]),
                   exit_code=exit_code if isinstance(exit_code, int) else None,
                   finished_at=datetime.fromisoformat(str(finished)) if finished else None)


def pid_alive(pid: int) -> bool:
    """Whether ``pid`` is an Assetline run that has not been reaped. A zombie counts as alive: it is a child of this
    server whose reaper thread is about to record its exit code, and "gone, exit unknown" must never be reported."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    proc = Path(f"/proc/{pid}")
    if proc.is_dir():  # Linux: rule out zombies and a reused pid
        try:
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
            cmdline = (proc / "cmdline").read_bytes()
        except (OSError, IndexError):
            return False
        return state != "X" and (state == "Z" or b"assetline" in cmdline)
    return True


class RunLauncher:
    """Starts and inspects run processes for one workspace (cheap to create per request)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.workspace = settings.workspace.resolve()

    def _paths(self, tenant: str, campaign_id: int) -> tuple[Path, Path]:
        folder = self.workspace / LAUNCH_DIR
        stem = f"{_SAFE.sub('_', tenant)}--{campaign_id}"
        return folder / f"{stem}.json", folder / f"{stem}.lock"

    @contextmanager
    def _locked(self, tenant: str, campaign_id: int) -> Iterator[Path]:
        state, lock = self._paths(tenant, campaign_id)
        lock.parent.mkdir(parents=True, exist_ok=True)
        with lock.open("a") as fh:
            if fcntl is not None:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield state
            finally:
                if fcntl is not None:
                    fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    @staticmethod
    def _read(state: Path) -> Launch | None:
        try:
            launch = Launch.from_json(json.loads(state.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return replace(launch, alive=launch.exit_code is None and pid_alive(launch.pid))

    @staticmethod
    def _write(state: Path, launch: Launch) -> None:
        tmp = state.with_suffix(".tmp")
        tmp.write_text(json.dumps(launch.to_json()), encoding="utf-8")
        os.replace(tmp, state)

    def current(self, tenant: str, campaign_id: int) -> Launch | None:
        """The latest launch of the campaign (alive or not), or None when none was started here."""
        with self._locked(tenant, campaign_id) as state:
            return self._read(state)

    def command(self, spec_path: Path) -> list[str]:
        return [sys.executable, "-m", "assetline.cli.main", "run", str(spec_path), "--workspace",
                str(self.workspace), "--json"]

    def environment(self, tenant: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ASSETLINE_")}
        env.update({"ASSETLINE_TENANT": tenant, "ASSETLINE_EXECUTOR": self.settings.executor,
                    "ASSETLINE_WORKERS": str(self.settings.workers),
                    "ASSETLINE_MAX_CELLS": str(self.settings.max_cells)})
        if self.settings.database_url:
            env["ASSETLINE_DATABASE_URL"] = self.settings.database_url
        return env

    def start(self, tenant: str, campaign_id: int, slug: str, spec_path: str, actor: str) -> Launch:
        """Start a run of ``spec_path``; ConflictError while the campaign's last launch is alive."""
        # 1. Check inputs.
        spec = Path(spec_path)
        if not spec.is_file():
            raise InvalidRequestError(f"the brief of campaign '{slug}' is no longer where it was run from",
                                      hint="run it once from the command line: assetline run CAMPAIGN.yaml")
        with self._locked(tenant, campaign_id) as state:
            # 2. Refuse a second concurrent run of the campaign.
            previous = self._read(state)
            if previous is not None and previous.alive:
                raise ConflictError(f"a run of '{slug}' is already in progress (started by {previous.started_by} "
                                    f"at {previous.started_at:%Y-%m-%d %H:%M:%S} UTC)",
                                    hint=f"wait for it to finish: GET /api/v1/campaigns/{slug}/progress")
            # 3. Start the process, its output going to a log file.
            launch_id = uuid.uuid4().hex
            log = self.workspace / LOG_DIR / f"{launch_id}.log"
            log.parent.mkdir(parents=True, exist_ok=True)
            with log.open("wb") as out:
                proc = subprocess.Popen(self.command(spec), cwd=self.workspace, env=self.environment(tenant),
                                        stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                        start_new_session=True)
            launch = Launch(launch_id=launch_id, pid=proc.pid, started_at=datetime.now(UTC), started_by=actor,
                            alive=True)
            self._write(state, launch)
        # 4. Reap it when it ends and record how it ended.
        threading.Thread(target=self._wait, args=(proc, tenant, campaign_id, launch), daemon=True,
                         name=f"assetline-run-{launch_id[:8]}").start()
        return launch

    def _wait(self, proc: subprocess.Popen[bytes], tenant: str, campaign_id: int, launch: Launch) -> None:
        code = proc.wait()
        with self._locked(tenant, campaign_id) as state:
            current = self._read(state)
            if current is not None and current.launch_id == launch.launch_id:
                self._write(state, replace(launch, exit_code=code, finished_at=datetime.now(UTC), alive=False))
