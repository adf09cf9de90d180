"""Schemathesis over /api/v1/openapi.json, in process: generated requests for every operation, with a
producer's token and with a client's. No 5xx; status codes, content types, headers and bodies conform to
the schema; invalid requests (negative mode) are refused with a 4xx. Bounded to stay well under a minute."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from apikit import A, ApiEnv
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

POSITIVE_CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
                   response_headers_conformance, response_schema_conformance]
NEGATIVE_CHECKS = [not_a_server_error, negative_data_rejection, status_code_conformance, content_type_conformance]
POSITIVE, NEGATIVE = schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE
EXAMPLES = {POSITIVE: 12, NEGATIVE: 6}
NOT_PINNED = {"POST /api/v1/campaigns/{slug}/runs"}
"""Pinned to the real campaign it would start real runs; test_api_runs covers it."""


def fuzz(schema: Any, headers: dict[str, str], mode: schemathesis.GenerationMode,
         real: dict[str, Any]) -> list[str]:
    """Every operation with generated parameters, then (positive mode) with the path pinned to real objects
    so that successful answers are checked too. Returns all failures instead of stopping at the first."""
    failures: list[str] = []
    checks = POSITIVE_CHECKS if mode == POSITIVE else NEGATIVE_CHECKS
    for result in schema.get_all_operations():
        operation = result.ok()
        variants: list[dict[str, Any] | None] = [None]
        pinned = {k: v for k, v in real.items() if "{" + k + "}" in operation.path}
        if mode == POSITIVE and pinned and operation.label not in NOT_PINNED:
            variants.append(pinned)
        for path_parameters in variants:

            @settings(max_examples=EXAMPLES[mode], deadline=None, database=None, derandomize=True,
                      suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
            def run(case: Any) -> None:
                case.call_and_validate(headers=headers, checks=checks)

            try:
                run()
            except Exception as exc:  # collect every operation's failure, report them together
                failures.append(f"{mode.value} {operation.label} {path_parameters or ''}: {str(exc)[:1500]}")
    return failures


@pytest.mark.parametrize("role", ["producer", "client"])
def test_schema_conformance(sqlite_env: ApiEnv, role: str) -> None:
    real = {"slug": sqlite_env.ws.campaigns[A], "asset_id": sqlite_env.free[0]}
    with sqlite_env.client() as client:
        schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", client.app)
        headers = sqlite_env.headers(A, role)
        failures = [f for mode in EXAMPLES for f in fuzz(schema, headers, mode, real)]
    assert not failures, "\n\n".join(failures)


def test_schema_documents_every_error_as_problem_json(sqlite_env: ApiEnv) -> None:
    with sqlite_env.client() as client:
        doc = client.get("/api/v1/openapi.json").json()
    assert doc["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            assert op["security"] == [{"HTTPBearer": []}], (method, path)
            codes = set(op["responses"])
            assert "401" in codes, (method, path)
            assert ("422" in codes) == bool(op.get("parameters") or op.get("requestBody")), (method, path)
            json_body = "application/json" in (op.get("requestBody") or {}).get("content", {})
            assert ("400" in codes) == json_body, (method, path)  # a CSV upload's problems are 413/415/422
            for code, response in op["responses"].items():
                if code.startswith(("4", "5")):
                    assert list(response["content"]) == ["application/problem+json"], (method, path, code)
                elif code.startswith("2"):
                    assert response["content"] and "schema" in next(iter(response["content"].values()))
