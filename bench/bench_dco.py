"""DCO decisions (POST /api/v1/decide) at 500 requests/s on loopback, and the events ingest rate.

A small delivered campaign (4 meta arms with counts past burn-in, so every decision is a real Thompson draw)
is served by uvicorn in its own process (one worker, as `assetline serve`). The load is open-loop: request i is
due at t0 + i/rate and its latency runs from that moment to the last byte of the answer, so a stall shows up in
every request it delays (no coordinated omission). Keep-alive connections from one uvloop client process on the
same machine; with two or more CPUs the client is pinned to the first and the server to the others, so they do
not take turns on one core (on a 2-core machine the figures are still an upper bound of the server's own).
Ingest: POST /api/v1/events batches of 1,000 events over HTTP, and ingest() in process.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from bench._common import show

RATE = 500
TARGET_P99_MS = 5.0
PASSWORD = "bench-password-1"


def _workspace(root: Path) -> tuple[str, str]:
    """A delivered 4-arm meta campaign with an experiment past burn-in; returns (token, campaign slug)."""
    from assetline import api
    from assetline.api import example_dir
    from assetline.provenance.keys import init_keys

    brief = root / "brief"
    shutil.copytree(example_dir(), brief, ignore=shutil.ignore_patterns("__pycache__", "make_*.py"))
    yaml = YAML()
    path = brief / "campaign.yaml"
    data = yaml.load(path.read_text(encoding="utf-8"))
    data["concepts"], data["segments"], data["formats"], data["variants"] = (
        data["concepts"][:2], data["segments"][:1], ["meta-feed-1x1"], 2)
    data["review"] = {"mode": "all"}
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh)
    slug = str(data["id"])
    api.run_campaign(path, root, executor="inline")
    api.add_user("reviewer@bench.example", "reviewer", password=PASSWORD, workspace=root)
    api.add_user("producer@bench.example", "producer", password=PASSWORD, workspace=root)
    waiting = [a["id"] for a in api.review_assets(slug, "reviewer@bench.example", status="in_review",
                                                  workspace=root)]
    api.review_decide(waiting, "approve", "reviewer@bench.example", note="bench", workspace=root)
    init_keys(root, "default", "Bench Studio")
    api.deliver(slug, "meta", root / "out", workspace=root)
    created = api.experiment_create(slug, {"slug": "bench", "channel": "meta", "burn_in_units": 100},
                                    workspace=root)
    from assetline.experiments.ingest import PerfEvent, ingest
    from assetline.store.db import Database

    db = Database(f"sqlite:///{(root / 'assetline.db').resolve()}")
    with db.session() as s:
        ingest(s, "default", [PerfEvent(f"seed-i{a}", a, "impression", count=2000) for a in created["arms"]]
               + [PerfEvent(f"seed-c{a}", a, "click", count=40 + 15 * i) for i, a in enumerate(created["arms"])])
    db.dispose()
    token = api.create_api_token("producer@bench.example", workspace=root)["token"]
    return token, slug


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cpus() -> tuple[set[int], set[int]] | None:
    """(server CPUs, load generator CPUs): split when there are at least two, so the two processes do not take
    turns on one core (the server keeps the rest); None where affinity cannot be set."""
    if not hasattr(os, "sched_getaffinity"):
        return None
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return None
    return set(cpus[1:]), {cpus[0]}


def _serve(root: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ASSETLINE_WORKSPACE": str(root)}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "bench._dco_server:app", "--host", "127.0.0.1",
                             "--port", str(port), "--log-level", "warning", "--no-access-log"],
                            env=env, cwd=Path(__file__).resolve().parent.parent)
    split = _cpus()
    if split is not None:
        os.sched_setaffinity(proc.pid, split[0])
    deadline = time.monotonic() + 60
    import socket

    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("the benchmark server exited") from None
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the benchmark server did not start")


def _request(path: str, token: str, body: dict[str, Any]) -> bytes:
    data = json.dumps(body, separators=(",", ":")).encode()
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n").encode() + data


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return status, await reader.readexactly(length)


def _load(port: int, token: str, slug: str, seconds: float, rate: int, connections: int) -> dict[str, Any]:
    """The open-loop load, with this process's garbage collector off: the bench process has the whole pipeline
    imported, and a full collection of its heap would stall the load generator, not the server. uvloop (a
dependency of the server too) keeps the generator's own overhead small."""
    import uvloop

    split = _cpus()
    before = os.sched_getaffinity(0) if split is not None else None
    if split is not None:
        os.sched_setaffinity(0, split[1])
    gc.collect()
    gc.disable()
    try:
        return uvloop.run(_open_loop(port, token, slug, seconds, rate, connections))
    finally:
        gc.enable()
        if before is not None:
            os.sched_setaffinity(0, before)


async def _open_loop(port: int, token: str, slug: str, seconds: float, rate: int,
                     connections: int) -> dict[str, Any]:
    total = int(seconds * rate)
    queue: asyncio.Queue[tuple[float, bytes] | None] = asyncio.Queue()
    latencies: list[float] = []
    errors: dict[int, int] = {}
    phases: dict[str, int] = {}

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while (item := await queue.get()) is not None:
            due, payload = item
            writer.write(payload)
            status, body = await _read_response(reader)
            latencies.append((time.perf_counter() - due) * 1000)
            if status != 200:
                errors[status] = errors.get(status, 0) + 1
            else:
                phase = json.loads(body)["phase"]
                phases[phase] = phases.get(phase, 0) + 1
        writer.close()

    workers = [asyncio.create_task(worker()) for _ in range(connections)]
    await asyncio.sleep(0.2)
    start = time.perf_counter()
    for i in range(total):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        body = {"campaign": slug, "experiment": "bench", "channel": "meta", "format": "meta-feed-1x1",
                "user_key": f"user-{i % 5000}", "country": "GB", "language": "en", "request_id": f"b{i}"}
        queue.put_nowait((due, _request("/api/v1/decide", token, body)))
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    elapsed = time.perf_counter() - start
    latencies.sort()

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(len(latencies) * p))], 3)

    return {"requests": total, "seconds": round(elapsed, 2), "achieved_rps": round(total / elapsed, 1),
            "p50_ms": pct(0.50), "p90_ms": pct(0.90), "p99_ms": pct(0.99), "p999_ms": pct(0.999),
            "max_ms": round(latencies[-1], 3), "mean_ms": round(statistics.fmean(latencies), 3),
            "errors": errors, "phases": phases}


def _ingest_http(port: int, token: str, arms: list[int], batches: int) -> dict[str, Any]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port)
    times = []
    for b in range(batches):
        events = [{"id": f"h{b}-{i}", "asset_id": arms[i % len(arms)], "kind": "impression" if i % 10 else "click",
                   "user_key": f"u{i}"} for i in range(1000)]
        data = json.dumps({"events": events})
        t = time.perf_counter()
        conn.request("POST", "/api/v1/events", body=data, headers={"Authorization": f"Bearer {token}",
                                                                   "Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        times.append(time.perf_counter() - t)
        assert response.status == 200, response.status
    conn.close()
    return {"batches": batches, "batch_size": 1000, "median_batch_ms": round(statistics.median(times) * 1000, 1),
            "events_per_second": round(1000 / statistics.median(times))}


def _ingest_direct(root: Path, arms: list[int], batches: int) -> dict[str, Any]:
    from assetline.experiments.ingest import PerfEvent, ingest
    from assetline.store.db import Database

    db = Database(f"sqlite:///{(root / 'assetline.db').resolve()}")
    times = []
    for b in range(batches):
        events = [PerfEvent(f"d{b}-{i}", arms[i % len(arms)], "impression" if i % 10 else "click")
                  for i in range(1000)]
        t = time.perf_counter()
        with db.session() as s:
            ingest(s, "default", events)
        times.append(time.perf_counter() - t)
    db.dispose()
    return {"batches": batches, "batch_size": 1000, "median_batch_ms": round(statistics.median(times) * 1000, 1),
            "events_per_second": round(1000 / statistics.median(times))}


def run(quick: bool) -> dict[str, Any]:
    from assetline import api

    seconds = 3.0 if quick else 12.0
    with tempfile.TemporaryDirectory(prefix="assetline-bench-dco-") as tmp:
        root = Path(tmp) / "ws"
        token, slug = _workspace(root)
        arms = api.experiment_list(slug, workspace=root)[0]["arms"]
        port = _free_port()
        server = _serve(root, port)
        try:
            _load(port, token, slug, 1.0, 200, 8)  # warm: snapshot, token cache, code paths
            decide = _load(port, token, slug, seconds, RATE, 16)
            http_ingest = _ingest_http(port, token, arms, 5 if quick else 20)
        finally:
            server.terminate()
            server.wait(timeout=20)
        direct = _ingest_direct(root, arms, 5 if quick else 20)
        report = api.experiment_results(slug, "bench", workspace=root)
        logged = sum(a["decisions_served"] for a in report["arms"])
    show(f"POST /api/v1/decide at {RATE} requests/s for {seconds:g} s (loopback, open loop, 16 connections)",
         ["figure", "value"],
         [["achieved requests/s", decide["achieved_rps"]], ["p50 ms", decide["p50_ms"]],
          ["p90 ms", decide["p90_ms"]], ["p99 ms", decide["p99_ms"]], ["p99.9 ms", decide["p999_ms"]],
          ["max ms", decide["max_ms"]], ["errors", sum(decide["errors"].values())],
          ["decisions logged (with propensity)", logged]], digits=2)
    show("Events ingest (batches of 1,000)", ["path", "median batch ms", "events/s"],
         [["POST /api/v1/events", http_ingest["median_batch_ms"], http_ingest["events_per_second"]],
          ["ingest() in process", direct["median_batch_ms"], direct["events_per_second"]]])
    print(f"p99 target {TARGET_P99_MS} ms: {'met' if decide['p99_ms'] <= TARGET_P99_MS else 'NOT met'}",
          flush=True)
    return {"decide": {**decide, "rate": RATE, "target_p99_ms": TARGET_P99_MS,
                       "target_met": decide["p99_ms"] <= TARGET_P99_MS,
                       "arms": len(report["arms"]), "decisions_logged": logged},
            "ingest_http": http_ingest, "ingest_direct": direct}
