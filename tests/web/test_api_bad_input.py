"""Bad input to every write endpoint (and the parameters of the reads) is a 422 problem, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from apikit import A, ApiEnv
from fastapi.testclient import TestClient

API = "/api/v1"
LONG = "x" * 5001
OK_DECISION = {"decision": "approve", "expected_version": 1}

# name → (method, path with {asset} and {slug} filled in per test, JSON body or None)
CASES: dict[str, tuple[str, str, Any]] = {
    "decision: unknown kind": ("POST", "/assets/{asset}/decisions", {"decision": "maybe", "expected_version": 1}),
    "decision: missing expected_version": ("POST", "/assets/{asset}/decisions", {"decision": "approve"}),
    "decision: expected_version 0": ("POST", "/assets/{asset}/decisions", {**OK_DECISION, "expected_version": 0}),
    "decision: expected_version text": ("POST", "/assets/{asset}/decisions",
                                        {**OK_DECISION, "expected_version": "five"}),
    "decision: expected_version huge": ("POST", "/assets/{asset}/decisions",
                                        {**OK_DECISION, "expected_version": 2**63}),
    "decision: note too long": ("POST", "/assets/{asset}/decisions", {**OK_DECISION, "note": LONG}),
    "decision: note with NUL": ("POST", "/assets/{asset}/decisions", {**OK_DECISION, "note": "a\x00b"}),
    "decision: note not text": ("POST", "/assets/{asset}/decisions", {**OK_DECISION, "note": ["a"]}),
    "decision: bad layout": ("POST", "/assets/{asset}/decisions",
                             {"decision": "request_changes", "expected_version": 1, "changes": {"layout": "diagonal"}}),
    "decision: unknown change": ("POST", "/assets/{asset}/decisions",
                                 {"decision": "request_changes", "expected_version": 1, "changes": {"colour": True}}),
    "decision: unknown field": ("POST", "/assets/{asset}/decisions", {**OK_DECISION, "force": True}),
    "decision: no body": ("POST", "/assets/{asset}/decisions", None),
    "decision: body is a list": ("POST", "/assets/{asset}/decisions", [OK_DECISION]),
    "decision: non-integer id": ("POST", "/assets/abc/decisions", OK_DECISION),
    "decision: fractional id": ("POST", "/assets/1.5/decisions", OK_DECISION),
    "decision: id 0": ("POST", "/assets/0/decisions", OK_DECISION),
    "decision: id beyond 32 bits": ("POST", "/assets/99999999999999999999/decisions", OK_DECISION),
    "comment: empty": ("POST", "/assets/{asset}/comments", {"body": ""}),
    "comment: blank": ("POST", "/assets/{asset}/comments", {"body": "   \n "}),
    "comment: too long": ("POST", "/assets/{asset}/comments", {"body": LONG}),
    "comment: missing body": ("POST", "/assets/{asset}/comments", {}),
    "comment: NUL": ("POST", "/assets/{asset}/comments", {"body": "\x00"}),
    "comment: non-integer id": ("POST", "/assets/x/comments", {"body": "hi"}),
    "bulk: no ids": ("POST", "/decisions/bulk", {"asset_ids": [], "decision": "approve"}),
    "bulk: 1001 ids": ("POST", "/decisions/bulk", {"asset_ids": list(range(1, 1002)), "decision": "approve"}),
    "bulk: non-integer ids": ("POST", "/decisions/bulk", {"asset_ids": ["a"], "decision": "approve"}),
    "bulk: id 0": ("POST", "/decisions/bulk", {"asset_ids": [0], "decision": "approve"}),
    "bulk: request_changes": ("POST", "/decisions/bulk", {"asset_ids": [1], "decision": "request_changes"}),
    "bulk: missing decision": ("POST", "/decisions/bulk", {"asset_ids": [1]}),
    "bulk: note too long": ("POST", "/decisions/bulk", {"asset_ids": [1], "decision": "reject", "note": LONG}),
    "run: bad slug": ("POST", "/campaigns/Not%20A%20Slug/runs", None),
    "board: page 0": ("GET", "/campaigns/{slug}/assets?page=0", None),
    "board: per_page 10000": ("GET", "/campaigns/{slug}/assets?per_page=10000", None),
    "board: per_page 0": ("GET", "/campaigns/{slug}/assets?per_page=0", None),
    "board: page not a number": ("GET", "/campaigns/{slug}/assets?page=two", None),
    "board: unknown status": ("GET", "/campaigns/{slug}/assets?status=lost", None),
    "board: bad concept id": ("GET", "/campaigns/{slug}/assets?concept=Not%20an%20id", None),
    "board: bad qc flag": ("GET", "/campaigns/{slug}/assets?qc_flag=%00", None),
    "runs: limit 0": ("GET", "/campaigns/{slug}/runs?limit=0", None),
    "asset: non-integer id": ("GET", "/assets/abc", None),
    "asset: negative id": ("GET", "/assets/-3", None),
    "file: revision 0": ("GET", "/assets/{asset}/file?revision=0", None),
    "file: revision text": ("GET", "/assets/{asset}/file?revision=latest", None),
    "lineage: revision huge": ("GET", "/assets/{asset}/lineage?revision=99999999999999999999", None),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_422_problem(env: ApiEnv, client: TestClient, case: str) -> None:
    method, path, body = CASES[case]
    url = API + path.format(asset=env.free[0], slug=env.ws.campaigns[A])
    before = env.version(env.free[0])
    r = client.request(method, url, json=body, headers=env.headers(A, "producer"))
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["status"] == 422 and problem["detail"]
    assert problem["type"].endswith(("/validation", "/invalid-request"))
    assert env.version(env.free[0]) == before


def test_malformed_json_is_422(env: ApiEnv, client: TestClient) -> None:
    r = client.post(f"{API}/assets/{env.free[0]}/decisions", content=b"{not json",
                    headers={**env.headers(), "Content-Type": "application/json"})
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")


def test_unknown_route_and_method_are_problems(client: TestClient, env: ApiEnv) -> None:
    missing = client.get(f"{API}/nothing-here", headers=env.headers())
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("application/problem+json")
    wrong = client.delete(f"{API}/assets/{env.free[0]}", headers=env.headers())
    assert wrong.status_code == 405 and wrong.headers["content-type"].startswith("application/problem+json")
