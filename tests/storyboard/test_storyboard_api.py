"""The storyboard API with bearer tokens: roles, tenants, per-frame decisions with versions, files with ETags, and
every mistake as a problem+json 4xx."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from storykit import CONCEPT, SLUG, STILLS_ONLY, StoryWorkspace

from assetline.web.app import create_app

API = "/api/v1"
BOARDS = f"{API}/campaigns/{SLUG}/storyboards"
BOARD = f"{BOARDS}/{CONCEPT}"


@pytest.fixture
def client(story: StoryWorkspace) -> Iterator[TestClient]:
    app = create_app(story.ws.settings(), session_secret="test-secret")
    try:
        with TestClient(app) as c:
            yield c
    finally:
        app.state.assetline.db.dispose()


def auth(story: StoryWorkspace, role: str = "producer", tenant: str = "acme") -> dict[str, str]:
    return {"Authorization": f"Bearer {story.ws.tokens[(tenant, role)]}"}


def problem(r: object, status: int) -> dict[str, object]:
    response = r  # httpx.Response
    assert response.status_code == status, (response.status_code, response.text[:400])  # type: ignore[attr-defined]
    assert response.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    body: dict[str, object] = response.json()  # type: ignore[attr-defined]
    assert body["status"] == status and "Traceback" not in str(body)
    return body


def built(client: TestClient, story: StoryWorkspace) -> dict[str, object]:
    r = client.post(BOARD, headers=auth(story))
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def test_build_list_read_and_decide(client: TestClient, story: StoryWorkspace) -> None:
    assert client.get(BOARDS, headers=auth(story, "reviewer")).json() == []
    board = built(client, story)
    assert board["created"] and board["reset"] == [1, 2, 3] and board["status"] == "in_review"
    assert board["asset_id"] == story.ids["first"]
    frames = board["frames"]
    assert [(f["index"], f["timing"], f["status"]) for f in frames] == [  # type: ignore[index]
        (1, "0.0–1.5 s", "pending"), (2, "1.5–3.0 s", "pending"), (3, "3.0–4.5 s", "pending")]
    assert frames[0]["caption"] == "Every great day starts with a launch."  # type: ignore[index]
    assert frames[1]["note"] == "pan left to the product"  # type: ignore[index]
    listed = client.get(BOARDS, headers=auth(story, "client")).json()
    assert [(b["concept"], b["frames_total"], b["counts"]["pending"]) for b in listed] == [(CONCEPT, 3, 3)]
    # decide: approve frame 1, send frame 2 back
    f1 = client.post(f"{BOARD}/frames/1/decision", headers=auth(story, "reviewer"),
                     json={"decision": "approve", "expected_version": frames[0]["version"]}).json()  # type: ignore[index]
    assert f1["frames"][0]["status"] == "approved" and f1["status"] == "in_review"
    r = client.post(f"{BOARD}/frames/2/decision", headers=auth(story, "client"),
                    json={"decision": "request_changes", "note": "hold the product longer",
                          "expected_version": frames[1]["version"]})  # type: ignore[index]
    assert r.status_code == 200 and r.json()["status"] == "changes_requested"
    second = r.json()["frames"][1]
    assert (second["decision_note"], second["decided_by"]) == ("hold the product longer", "client@acme.example")
    assert second["decided_at"].endswith(("Z", "+00:00"))
    again = client.get(BOARD, headers=auth(story, "reviewer")).json()
    assert again["counts"] == {"approved": 1, "changes_requested": 1, "pending": 1}
    # a refresh of the unchanged video changes nothing
    same = client.post(BOARD, headers=auth(story)).json()
    assert not same["changed"] and same["version"] == again["version"]


def test_a_stale_version_is_409_and_a_missing_note_422(client: TestClient, story: StoryWorkspace) -> None:
    board = built(client, story)
    version = board["frames"][0]["version"]  # type: ignore[index]
    ok = client.post(f"{BOARD}/frames/1/decision", headers=auth(story, "reviewer"),
                     json={"decision": "approve", "expected_version": version})
    assert ok.status_code == 200
    body = problem(client.post(f"{BOARD}/frames/1/decision", headers=auth(story, "client"),
                               json={"decision": "request_changes", "note": "x", "expected_version": version}), 409)
    assert "changed since you loaded it" in str(body["detail"]) and body["hint"]
    body = problem(client.post(f"{BOARD}/frames/2/decision", headers=auth(story, "reviewer"),
                               json={"decision": "request_changes", "note": "  ", "expected_version": 1}), 422)
    assert "say what should change" in str(body["detail"])
    assert client.get(BOARD, headers=auth(story)).json()["frames"][1]["status"] == "pending"


@pytest.mark.parametrize(("method", "path", "json", "status", "text"), [
    ("get", f"{API}/campaigns/nope/storyboards", None, 404, "no campaign"),
    ("get", f"{BOARDS}/nope", None, 404, "no concept 'nope'"),
    ("get", f"{BOARDS}/{STILLS_ONLY}", None, 404, "no storyboard yet"),
    ("get", f"{BOARDS}/Not_An_Id", None, 422, None),
    ("post", f"{BOARDS}/{STILLS_ONLY}", None, 422, "no motion asset"),
    ("post", f"{BOARD}/frames/9/decision", {"decision": "approve", "expected_version": 1}, 404, "no frame 9"),
    ("post", f"{BOARD}/frames/0/decision", {"decision": "approve", "expected_version": 1}, 422, None),
    ("post", f"{BOARD}/frames/1/decision", {"decision": "reject", "expected_version": 1}, 422, None),
    ("post", f"{BOARD}/frames/1/decision", {"decision": "approve"}, 422, None),
    ("post", f"{BOARD}/frames/1/decision", {"decision": "approve", "expected_version": 1, "x": 1}, 422, None),
    ("post", f"{BOARD}/frames/1/decision", {"decision": "approve", "expected_version": 1, "note": "a\x00"}, 422,
     None),
    ("get", f"{BOARD}/frames/7/image", None, 404, "no frame 7"),
])
def test_bad_requests_are_problems(client: TestClient, story: StoryWorkspace, method: str, path: str,
                                   json: dict[str, object] | None, status: int, text: str | None) -> None:
    built(client, story)
    kwargs = {"json": json} if json is not None else {}
    body = problem(getattr(client, method)(path, headers=auth(story, "producer"), **kwargs), status)
    if text:
        assert text in str(body["detail"]), body


def test_unreadable_body_is_400(client: TestClient, story: StoryWorkspace) -> None:
    built(client, story)
    r = client.post(f"{BOARD}/frames/1/decision", content=b"\xff\xfe{", headers={
        **auth(story, "reviewer"), "Content-Type": "application/json"})
    assert r.status_code in (400, 422) and r.headers["content-type"] == "application/problem+json"


def test_tokens_roles_and_tenants(client: TestClient, story: StoryWorkspace) -> None:
    problem(client.get(BOARDS), 401)
    problem(client.get(BOARDS, headers={"Authorization": "Bearer al_nope"}), 401)
    for role in ("reviewer", "client"):
        problem(client.post(BOARD, headers=auth(story, role)), 403)
    built(client, story)
    # another tenant sees neither the campaign nor its board
    problem(client.get(BOARD, headers=auth(story, "admin", "globex")), 404)
    problem(client.post(f"{BOARD}/frames/1/decision", headers=auth(story, "admin", "globex"),
                        json={"decision": "approve", "expected_version": 1}), 404)
    problem(client.get(f"{BOARD}/pdf", headers=auth(story, "admin", "globex")), 404)
    problem(client.get(f"{BOARD}/frames/1/image", headers=auth(story, "admin", "globex")), 404)


def test_files_pdf_sheet_and_stills_with_etags(client: TestClient, story: StoryWorkspace) -> None:
    built(client, story)
    headers = auth(story, "client")
    pdf = client.get(f"{BOARD}/pdf", headers=headers)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-") and b"/Count 1" in pdf.content
    assert "storyboard.pdf" in pdf.headers["content-disposition"]
    assert client.get(f"{BOARD}/pdf", headers={**headers, "If-None-Match": pdf.headers["etag"]}).status_code == 304
    sheet = client.get(f"{BOARD}/sheet", headers=headers)
    assert sheet.status_code == 200 and Image.open(io.BytesIO(sheet.content)).format == "PNG"
    still = client.get(f"{BOARD}/frames/2/image", headers=headers)
    assert still.status_code == 200 and still.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(still.content)).size == (192, 192)
    assert client.get(f"{BOARD}/frames/2/image", headers={**headers, "If-None-Match": still.headers["etag"]}
                      ).status_code == 304
    # a decision changes the board, so the PDF's ETag moves on
    client.post(f"{BOARD}/frames/1/decision", headers=auth(story, "reviewer"),
                json={"decision": "approve", "expected_version": 1})
    fresh = client.get(f"{BOARD}/pdf", headers={**headers, "If-None-Match": pdf.headers["etag"]})
    assert fresh.status_code == 200 and fresh.headers["etag"] != pdf.headers["etag"]


def test_openapi_documents_the_routes(client: TestClient, story: StoryWorkspace) -> None:
    doc = client.get(f"{API}/openapi.json").json()
    decision = doc["paths"][f"{API}/campaigns/{{slug}}/storyboards/{{concept}}/frames/{{index}}/decision"]["post"]
    assert {"400", "401", "403", "404", "409", "422"} <= set(decision["responses"])
    build = doc["paths"][f"{API}/campaigns/{{slug}}/storyboards/{{concept}}"]["post"]
    assert "400" not in build["responses"] and "422" in build["responses"]
    assert "application/pdf" in doc["paths"][f"{API}/campaigns/{{slug}}/storyboards/{{concept}}/pdf"]["get"][
        "responses"]["200"]["content"]
