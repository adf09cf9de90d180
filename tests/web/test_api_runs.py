"""Runs through the API: request changes, start a run (a real subprocess), follow its progress, and find
the asset at revision + 1, back in review, with both revisions in its history and a different lineage."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from apikit import A, ApiEnv
from fastapi.testclient import TestClient

from assetline.errors import InvalidRequestError
from assetline.review.direction import LAYOUTS
from assetline.web.runs import RunLauncher, pid_alive

API = "/api/v1"
RUN_TIMEOUT = 240


def wait_for_run(client: TestClient, env: ApiEnv, slug: str) -> dict[str, Any]:
    deadline = time.monotonic() + RUN_TIMEOUT
    while time.monotonic() < deadline:
        progress: dict[str, Any] = client.get(f"{API}/campaigns/{slug}/progress", headers=env.headers()).json()
        launch = progress.get("launch") or {}
        # the process may already be gone (a zombie) a moment before its reaper records the exit code
        if not progress["process_alive"] and launch.get("exit_code") is not None:
            return progress
        time.sleep(0.5)
    raise AssertionError(f"the run of {slug} did not finish in {RUN_TIMEOUT} s")


def run_log(env: ApiEnv, launch_id: str) -> str:
    path = env.ws.root / "logs" / "runs" / f"{launch_id}.log"
    return path.read_text(encoding="utf-8", errors="replace")[-3000:] if path.exists() else "(no log)"


def test_request_changes_then_run_makes_a_new_revision(env: ApiEnv, client: TestClient) -> None:
    slug = env.ws.campaigns[A]
    (asset_id,) = env.take()
    before = client.get(f"{API}/assets/{asset_id}", headers=env.headers()).json()
    lineage_before = client.get(f"{API}/assets/{asset_id}/lineage", headers=env.headers()).json()
    runs_before = client.get(f"{API}/campaigns/{slug}/runs", headers=env.headers()).json()

    # 1. A reviewer asks for another layout.
    layout = next(name for name in LAYOUTS if name != before["layout"])
    r = client.post(f"{API}/assets/{asset_id}/decisions", headers=env.headers(A, "reviewer"),
                    json={"decision": "request_changes", "expected_version": before["version"],
                          "note": "try another arrangement", "changes": {"layout": layout}})
    assert r.status_code == 200 and r.json()["status"] == "changes_requested", r.text

    # 2. A producer starts a run; a second start while it runs is refused.
    started = client.post(f"{API}/campaigns/{slug}/runs", headers=env.headers(A, "producer"))
    assert started.status_code == 202, started.text
    handle = started.json()
    assert handle["launch"]["alive"] and handle["progress_url"] == f"{API}/campaigns/{slug}/progress"
    assert started.headers["location"] == handle["progress_url"]
    again = client.post(f"{API}/campaigns/{slug}/runs", headers=env.headers(A, "admin"))
    assert again.status_code == 409 and again.headers["content-type"].startswith("application/problem+json")
    assert "already in progress" in again.json()["detail"]

    # 3. Progress while it runs, then the outcome.
    done = wait_for_run(client, env, slug)
    launch_id = handle["launch"]["launch_id"]
    assert done["launch"]["launch_id"] == launch_id
    assert done["launch"]["exit_code"] == 0, run_log(env, launch_id)
    assert done["latest_run"]["status"] == "finished" and done["latest_run"]["summary"]["rendered"] >= 1
    runs = client.get(f"{API}/campaigns/{slug}/runs", headers=env.headers()).json()
    assert len(runs) == len(runs_before) + 1

    # 4. The asset is back in review at the next revision, with its history and a new lineage.
    after = client.get(f"{API}/assets/{asset_id}", headers=env.headers(A, "client")).json()
    assert after["revision"] == before["revision"] + 1 and after["status"] == "in_review"
    assert after["layout"] == after["direction"]["layout"] == layout and after["sha256"] != before["sha256"]
    revisions = client.get(f"{API}/assets/{asset_id}/revisions", headers=env.headers(A, "client")).json()
    assert [(x["revision"], x["current"]) for x in revisions][-2:] == [
        (before["revision"], False), (after["revision"], True)]
    history = client.get(f"{API}/assets/{asset_id}/history", headers=env.headers(A, "client")).json()
    revised = [e["data"]["revision"] for e in history if e["kind"] == "asset.revised"]
    assert revised[-2:] == [before["revision"], after["revision"]]
    assert any(e["kind"] == "review.decision" and e["to_status"] == "changes_requested" for e in history)
    lineage_after = client.get(f"{API}/assets/{asset_id}/lineage", headers=env.headers()).json()
    old = client.get(f"{API}/assets/{asset_id}/lineage?revision={before['revision']}", headers=env.headers()).json()
    def stable(lineage: dict) -> dict:  # the record also says the asset's current status and revision count
        return {k: v for k, v in lineage.items() if k != "record"}

    assert stable(old) == stable(lineage_before)
    assert old["record"]["content_key"] == lineage_before["record"]["content_key"] == old["content_key"]
    assert lineage_after["record"]["inputs"] and all(i["licence"] for i in lineage_after["record"]["inputs"])
    assert lineage_after["content_key"] != lineage_before["content_key"]
    assert (lineage_before["params"]["layout"], lineage_after["params"]["layout"]) == (before["layout"], layout)
    old_file = client.get(f"{API}/assets/{asset_id}/file?revision={before['revision']}", headers=env.headers())
    new_file = client.get(f"{API}/assets/{asset_id}/file", headers=env.headers())
    assert old_file.headers["etag"] == f'"{before["sha256"]}"' and new_file.headers["etag"] == f'"{after["sha256"]}"'
    assert old_file.content != new_file.content


def test_file_answers_if_none_match(env: ApiEnv, client: TestClient) -> None:
    asset_id = env.free[0]
    first = client.get(f"{API}/assets/{asset_id}/file", headers=env.headers(A, "client"))
    assert first.status_code == 200 and first.headers["content-type"] in ("image/jpeg", "image/png")
    again = client.get(f"{API}/assets/{asset_id}/file",
                       headers={**env.headers(A, "client"), "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_progress_for_clients_hides_run_counts(env: ApiEnv, client: TestClient) -> None:
    body = client.get(f"{API}/campaigns/{env.ws.campaigns[A]}/progress", headers=env.headers(A, "client")).json()
    assert body["latest_run"]["summary"] is None and set(body["by_status"]) <= {
        "in_review", "approved", "rejected", "changes_requested", "delivered"}


def test_launcher_refuses_a_missing_brief(env: ApiEnv, tmp_path: Path) -> None:
    with pytest.raises(InvalidRequestError, match="no longer where it was run from"):
        RunLauncher(env.settings()).start(A, 1, "x", str(tmp_path / "gone.yaml"), "someone")


def test_launcher_environment_carries_tenant_and_store(env: ApiEnv) -> None:
    launcher = RunLauncher(env.settings("globex"))
    run_env = launcher.environment("globex")
    assert run_env["ASSETLINE_TENANT"] == "globex" and run_env["ASSETLINE_EXECUTOR"] == "inline"
    assert run_env.get("ASSETLINE_DATABASE_URL") == env.db_url
    command = launcher.command(Path("brief.yaml"))
    assert command[:4] == [sys.executable, "-m", "assetline.cli.main", "run"]
    assert command[command.index("--workspace") + 1] == str(env.ws.root.resolve())


def test_pid_alive() -> None:
    assert not pid_alive(2**22 + 12345)
    assert pid_alive(os.getpid()) == (b"assetline" in Path(f"/proc/{os.getpid()}/cmdline").read_bytes()
                                      if Path("/proc").is_dir() else True)
