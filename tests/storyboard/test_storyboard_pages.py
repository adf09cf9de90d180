"""The storyboard page without a browser (TestClient, signed in by password): the grid shows each frame's still,
timing, caption, camera note and status; the forms decide (plain posts and htmx); mistakes are HTML 4xx pages."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import update
from storykit import CONCEPT, SLUG, STILLS_ONLY, StoryWorkspace, service

from assetline.store.models import Asset
from assetline.web.app import create_app
from reviewkit import PASSWORD

PAGE = f"/campaigns/{SLUG}/storyboards/{CONCEPT}"


@pytest.fixture
def app(story: StoryWorkspace) -> Iterator[FastAPI]:
    db = story.db()
    with db.session() as s:
        service(s, story).build(SLUG, CONCEPT)
    db.dispose()
    application = create_app(story.ws.settings(), session_secret="test-secret")
    yield application
    application.state.assetline.db.dispose()


def signed_in(app: FastAPI, role: str, tenant: str = "acme") -> TestClient:
    client = TestClient(app, follow_redirects=False)
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
    assert csrf, "no CSRF field on the sign-in page"
    r = client.post("/login", data={"email": f"{role}@{tenant}.example", "password": PASSWORD, "csrf": csrf.group(1)})
    assert r.status_code == 303, r.text
    return client


def page(r: object, status: int) -> str:
    response = r
    assert response.status_code == status, (response.status_code, response.text[:600])  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith("text/html")  # type: ignore[attr-defined]
    text = str(response.text)  # type: ignore[attr-defined]
    assert "Traceback" not in text
    return text


def csrf_of(text: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', text)
    assert match
    return match.group(1)


def frame_html(text: str, number: int) -> str:
    match = re.search(rf'<li class="sb-frame[^"]*" id="frame-{number}".*?</li>', text, re.S)
    assert match, f"no frame {number}"
    return match.group(0)


def test_the_grid_shows_every_frame(app: FastAPI) -> None:
    text = page(signed_in(app, "reviewer").get(PAGE), 200)
    assert text.count('class="sb-frame') == 3
    first = html.unescape(frame_html(text, 1))
    assert "Shot 1" in first and "0.0–1.5 s" in first and "Every great day starts with a launch." in first
    assert "push-in on the subject; headline slides up" in first and 'data-status="pending"' in first
    assert 'value="approve"' in first and 'value="request_changes"' in first and 'hx-post=' in first
    assert 'id="board-summary"' in text and 'data-status="in_review"' in text
    assert f'href="/campaigns/{SLUG}/storyboards/{CONCEPT}/pdf"' in text


def test_the_still_is_served_to_a_signed_in_user(app: FastAPI) -> None:
    client = signed_in(app, "client")
    text = page(client.get(PAGE), 200)
    src = re.search(r'<img src="([^"]+/frames/2/image\?v=[0-9a-f]+)"', text)
    assert src
    r = client.get(html.unescape(src.group(1)))
    assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
    assert Image.open(__import__("io").BytesIO(r.content)).size == (192, 192)
    pdf = client.get(f"{PAGE}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert TestClient(app, follow_redirects=False).get(f"{PAGE}/frames/2/image").status_code == 303  # sign in first


def test_deciding_with_plain_forms(app: FastAPI) -> None:
    client = signed_in(app, "reviewer")
    token = csrf_of(page(client.get(PAGE), 200))
    r = client.post(f"{PAGE}/frames/1/decision", data={"csrf": token, "version": "1", "decision": "approve"})
    assert r.status_code == 303 and r.headers["location"].endswith("#frame-1")
    text = page(client.get(PAGE), 200)
    assert "Frame 1 approved." in text and 'data-status="approved"' in frame_html(text, 1)
    # request changes without a note: 422, the frame says why and nothing changed
    r = client.post(f"{PAGE}/frames/2/decision", data={"csrf": token, "version": "1", "decision": "request_changes",
                                                       "note": "   "})
    second = frame_html(page(r, 422), 2)
    assert "say what should change" in second and 'data-status="pending"' in second
    r = client.post(f"{PAGE}/frames/2/decision", data={"csrf": token, "version": "1", "decision": "request_changes",
                                                       "note": "warmer light"})
    assert r.status_code == 303
    text = html.unescape(page(client.get(PAGE), 200))
    assert "warmer light" in frame_html(text, 2) and 'data-status="changes_requested"' in text


def test_htmx_decisions_swap_the_frame_and_summary(app: FastAPI) -> None:
    client = signed_in(app, "client")
    token = csrf_of(page(client.get(PAGE), 200))
    headers = {"HX-Request": "true", "X-CSRF-Token": token}
    for number in (1, 2, 3):
        r = client.post(f"{PAGE}/frames/{number}/decision", headers=headers,
                        data={"version": "1", "decision": "approve"})
        assert 'data-status="approved"' in frame_html(page(r, 200), number)
    assert re.search(r'id="board-summary"[^>]*data-status="approved"', r.text)
    # a stale version: 409 with the typed note kept in the frame's form
    r = client.post(f"{PAGE}/frames/3/decision", headers=headers,
                    data={"version": "1", "decision": "request_changes", "note": "my careful note"})
    third = frame_html(page(r, 409), 3)
    assert "Someone changed this frame" in third and "my careful note" in third


def test_mistakes_are_pages_with_the_right_status(app: FastAPI, story: StoryWorkspace) -> None:
    client = signed_in(app, "reviewer")
    token = csrf_of(page(client.get(PAGE), 200))
    assert "no storyboard yet" in page(client.get(f"/campaigns/{SLUG}/storyboards/{STILLS_ONLY}"), 404)
    assert "no concept" in page(client.get(f"/campaigns/{SLUG}/storyboards/nope"), 404)
    page(client.get("/campaigns/nope/storyboards"), 404)
    page(client.get(f"{PAGE}/frames/99/image"), 404)
    page(client.get(f"{PAGE}/frames/abc/image"), 404)
    page(client.post(f"{PAGE}/frames/1/decision", data={"version": "1", "decision": "approve"}), 403)  # no CSRF
    page(client.post(f"{PAGE}/frames/1/decision", data={"csrf": token, "version": "x", "decision": "approve"}), 422)
    page(client.post(f"{PAGE}/frames/1/decision", data={"csrf": token, "version": "1", "decision": "reject"}), 422)
    page(client.post(f"{PAGE}/build", data={"csrf": token}), 403)  # reviewers do not build
    other = signed_in(app, "admin", "globex")
    page(other.get(PAGE), 404)


def test_producers_build_and_clients_see_only_reviewed_videos(app: FastAPI, story: StoryWorkspace) -> None:
    producer = signed_in(app, "producer")
    text = page(producer.get(f"/campaigns/{SLUG}/storyboards"), 200)
    assert f'href="/campaigns/{SLUG}/storyboards/{CONCEPT}"' in text
    r = producer.post(f"{PAGE}/build", data={"csrf": csrf_of(text)})
    assert r.status_code == 303
    assert "up to date" in page(producer.get(PAGE), 200)
    r = producer.post(f"/campaigns/{SLUG}/storyboards/{STILLS_ONLY}/build", data={"csrf": csrf_of(text)})
    assert "no motion asset" in page(r, 422)
    db = story.db()
    with db.session() as s:
        s.execute(update(Asset).where(Asset.id == story.ids["first"]).values(status="flagged",
                                                                            version=Asset.version + 1))
    db.dispose()
    client = signed_in(app, "client")
    page(client.get(PAGE), 404)
    assert "No storyboards yet" in page(client.get(f"/campaigns/{SLUG}/storyboards"), 200)
