"""Page routes without a browser (TestClient): sessions, CSRF, tenants, roles, and bad input of every kind.

Every mistake must come back as an HTML page with the right 4xx status — never a 500, never JSON.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from assetline.store.db import Database
from assetline.store.models import Asset, Campaign, Event
from assetline.web import create_app
from reviewkit import PASSWORD, ReviewWorkspace

CAMPAIGN = "/campaigns/acme-launch"


@pytest.fixture(scope="module")
def app(module_ws: ReviewWorkspace) -> Iterator[Any]:
    application = create_app(module_ws.settings())
    yield application
    application.state.assetline.db.dispose()


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "no CSRF field on the page"
    return match.group(1)


class Browser:
    """A TestClient with a signed-in session and its CSRF token."""

    def __init__(self, app: Any, email: str | None) -> None:
        self.client = TestClient(app, follow_redirects=False)
        self.csrf = _csrf(self.client.get("/login").text)
        if email:
            r = self.client.post("/login", data={"email": email, "password": PASSWORD, "csrf": self.csrf})
            assert r.status_code == 303, r.text
            self.csrf = _csrf(self.client.get("/").text)

    def get(self, url: str, **kw: Any) -> Any:
        return self.client.get(url, **kw)

    def post(self, url: str, data: dict[str, Any] | None = None, csrf: bool = True, **kw: Any) -> Any:
        body = dict(data or {})
        if csrf:
            body["csrf"] = self.csrf
        return self.client.post(url, data=body, **kw)


@pytest.fixture(scope="module")
def reviewer(app: Any) -> Browser:
    return Browser(app, "reviewer@acme.example")


@pytest.fixture(scope="module")
def client_user(app: Any) -> Browser:
    return Browser(app, "client@acme.example")


def _db(ws: ReviewWorkspace) -> Database:
    return Database(ws.settings().db_url)


def _asset(ws: ReviewWorkspace, tenant: str = "acme", status: str = "in_review") -> Asset:
    db = _db(ws)
    with db.session() as s:
        asset = s.scalars(select(Asset).where(Asset.tenant_id == tenant, Asset.status == status)
                          .order_by(Asset.id.desc())).first()
        assert asset is not None
    db.dispose()
    return asset


def _is_page(r: Any, status: int, error_page: bool = True) -> None:
    assert r.status_code == status, (r.status_code, r.text[:500])
    assert r.headers["content-type"].startswith("text/html"), r.headers["content-type"]
    if status >= 400 and error_page:
        assert f'<p class="error-code">{status}</p>' in r.text


# ------------------------------------------------------------------ sessions and sign-in
@pytest.mark.parametrize("url", ["/", CAMPAIGN, "/assets/1", "/assets/1/compare", "/assets/1/thumb?r=1",
                                 f"{CAMPAIGN}/progress"])
def test_pages_without_a_session_redirect_to_login(app: Any, url: str) -> None:
    r = Browser(app, None).get(url)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login?next=/")


def test_htmx_requests_without_a_session_are_told_to_redirect(app: Any) -> None:
    r = Browser(app, None).get(CAMPAIGN, headers={"HX-Request": "true", "HX-Target": "board-results"})
    assert r.status_code == 401
    assert r.headers["HX-Redirect"].startswith("/login?next=")


def test_wrong_password_is_a_401_page_and_is_audited(app: Any, module_ws: ReviewWorkspace) -> None:
    b = Browser(app, None)
    r = b.post("/login", {"email": "reviewer@acme.example", "password": "nope", "next": "/"})
    _is_page(r, 401, error_page=False)
    assert "do not match" in r.text
    db = _db(module_ws)
    with db.session() as s:
        failed = s.scalar(select(func.count()).select_from(Event).where(Event.kind == "auth.login_failed"))
    db.dispose()
    assert failed and failed >= 1


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:x"])
def test_login_never_redirects_off_site(app: Any, target: str) -> None:
    b = Browser(app, None)
    r = b.post("/login", {"email": "reviewer@acme.example", "password": PASSWORD, "next": target})
    assert r.status_code == 303
    assert r.headers["location"] == "/"


def test_login_and_logout_need_the_csrf_token(app: Any) -> None:
    b = Browser(app, None)
    r = b.post("/login", {"email": "reviewer@acme.example", "password": PASSWORD}, csrf=False)
    _is_page(r, 403)
    signed_in = Browser(app, "reviewer@acme.example")
    _is_page(signed_in.post("/logout", csrf=False), 403)
    _is_page(signed_in.post("/logout", {"csrf": "forged"}, csrf=False), 403)
    assert signed_in.get("/").status_code == 200  # still signed in
    assert signed_in.post("/logout").status_code == 303
    assert signed_in.get("/").status_code == 303


# ------------------------------------------------------------------ the board
@pytest.mark.parametrize(("query", "status"), [
    ("page=0", 400), ("page=-1", 400), ("page=abc", 400), ("page=99", 404), ("page=99999999999", 400),
    ("per_page=0", 400), ("per_page=500", 400), ("per_page=x", 400),
    ("status=bogus", 422), ("format=zzz", 422), ("concept=nope", 422), ("segment=mars", 422),
    ("qc_flag=made.up", 422), ("status=" + "x" * 300, 400),
])
def test_board_bad_input_is_a_4xx_page(reviewer: Browser, query: str, status: int) -> None:
    _is_page(reviewer.get(f"{CAMPAIGN}?{query}"), status)


@pytest.mark.parametrize("query", ["", "status=in_review", "status=approved", "qc_flag=*",
                                   "format=iab-300x250&segment=london-commuters", "status=", "unknown=1",
                                   "per_page=5&page=4"])
def test_board_good_input(reviewer: Browser, query: str) -> None:
    _is_page(reviewer.get(f"{CAMPAIGN}?{query}"), 200)


def test_board_partial_for_htmx_and_full_page_for_history_restore(reviewer: Browser) -> None:
    hx = {"HX-Request": "true", "HX-Target": "board-results"}
    partial = reviewer.get(f"{CAMPAIGN}?format=iab-300x250", headers=hx)
    assert partial.status_code == 200
    assert partial.text.lstrip().startswith('<section id="board-results"')
    assert partial.text.count("data-card ") == 8
    full = reviewer.get(f"{CAMPAIGN}?format=iab-300x250", headers={**hx, "HX-History-Restore-Request": "true"})
    assert "<!doctype html>" in full.text


def test_unknown_and_other_tenants_campaigns_are_404(reviewer: Browser) -> None:
    _is_page(reviewer.get("/campaigns/globex-launch"), 404)
    _is_page(reviewer.get("/campaigns/nope"), 404)
    _is_page(reviewer.get("/campaigns/globex-launch/progress"), 404)


def test_progress_bad_input(reviewer: Browser) -> None:
    _is_page(reviewer.get(f"{CAMPAIGN}/progress?after=-1"), 400)
    _is_page(reviewer.get(f"{CAMPAIGN}/progress?after=x"), 400)
    r = reviewer.get(f"{CAMPAIGN}/progress?after=0", headers={"HX-Request": "true"})
    assert r.status_code == 200 and "Last run" in r.text
    assert r.headers["HX-Trigger"] == "al-run-finished"  # a run newer than the page knew finished


# ------------------------------------------------------------------ asset pages and media
@pytest.mark.parametrize(("url", "status"), [
    ("/assets/abc", 404), ("/assets/0", 404), ("/assets/-3", 404), ("/assets/99999999999", 404),
    ("/assets/999999", 404), ("/assets/1?rev=abc", 400), ("/assets/1?rev=0", 400), ("/assets/1?rev=99", 404),
    ("/assets/1?page=abc", 400), ("/assets/1?status=bogus", 200), ("/assets/abc/compare", 404),
    ("/assets/999999/compare", 404), ("/assets/1/thumb?s=123", 422), ("/assets/1/thumb?s=abc", 400),
    ("/assets/1/thumb?r=99", 404), ("/assets/999999/thumb", 404), ("/assets/x/image", 404),
    ("/assets/1/image?r=-1", 400), ("/fonts/nope.ttf", 404),
])
def test_asset_bad_input_is_a_4xx_page(reviewer: Browser, url: str, status: int) -> None:
    r = reviewer.get(url)
    assert r.status_code == status, (url, r.status_code, r.text[:300])
    if status >= 400:
        assert r.headers["content-type"].startswith("text/html")


def test_font_paths_cannot_leave_the_font_folder(reviewer: Browser) -> None:
    for url in ("/fonts/..%2f..%2fetc%2fpasswd", "/fonts/../../etc/passwd", "/fonts/%2e%2e/pages.py"):
        assert reviewer.get(url).status_code == 404


def test_other_tenants_assets_are_404(reviewer: Browser, module_ws: ReviewWorkspace) -> None:
    theirs = _asset(module_ws, tenant="globex").id
    for url in (f"/assets/{theirs}", f"/assets/{theirs}/compare", f"/assets/{theirs}/thumb",
                f"/assets/{theirs}/image"):
        _is_page(reviewer.get(url), 404)
    r = reviewer.post(f"/assets/{theirs}/decision", {"decision": "approve", "version": "1"})
    _is_page(r, 404)
    _is_page(reviewer.post(f"/assets/{theirs}/comments", {"body": "hi"}), 404)


def test_media_is_cached_per_revision(reviewer: Browser) -> None:
    thumb = reviewer.get("/assets/1/thumb?r=1&s=240")
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    assert "immutable" in thumb.headers["cache-control"] and "private" in thumb.headers["cache-control"]
    current = reviewer.get("/assets/1/image")
    assert current.status_code == 200 and "no-cache" in current.headers["cache-control"]
    font = reviewer.get("/fonts/inter.ttf")
    assert font.status_code == 200 and font.headers["content-type"] == "font/ttf"


# ------------------------------------------------------------------ decisions, comments, bulk, runs
def test_posts_without_csrf_are_403(reviewer: Browser) -> None:
    for url, data in (("/assets/1/decision", {"decision": "approve", "version": "1"}),
                      ("/assets/1/comments", {"body": "hello"}),
                      (f"{CAMPAIGN}/bulk", {"ids": ["1"], "decision": "approve"}),
                      (f"{CAMPAIGN}/runs", {})):
        _is_page(reviewer.post(url, data, csrf=False), 403)
        _is_page(reviewer.post(url, {**data, "csrf": "forged"}, csrf=False), 403)


def test_htmx_errors_leave_the_page_and_raise_a_toast(reviewer: Browser) -> None:
    r = reviewer.post("/assets/1/comments", {"body": "   "}, headers={"HX-Request": "true"})
    assert r.status_code == 422
    assert r.headers["HX-Reswap"] == "none"
    assert "al-toast" in r.headers["HX-Trigger"]


@pytest.mark.parametrize(("data", "status", "text"), [
    ({"decision": "maybe", "version": "1"}, 422, "unknown decision"),
    ({"decision": "approve"}, 422, "version"),
    ({"decision": "approve", "version": "abc"}, 422, "whole number"),
    ({"decision": "request_changes", "version": "{v}", "note": " "}, 422, "say what should change"),
    ({"decision": "request_changes", "version": "{v}", "note": "", "layout": "zigzag"}, 422, "unknown layout"),
    ({"decision": "approve", "version": "{v}", "note": "x" * 6000}, 422, "too long"),
    ({"decision": "reject", "version": "1"}, 409, "Someone changed this asset"),
])
def test_decision_bad_input(reviewer: Browser, module_ws: ReviewWorkspace, data: dict[str, str], status: int,
                            text: str) -> None:
    asset = _asset(module_ws)
    body = {k: v.replace("{v}", str(asset.version)) for k, v in data.items()}
    r = reviewer.post(f"/assets/{asset.id}/decision", {"note": "kept note", **body})
    assert r.status_code == status and r.headers["content-type"].startswith("text/html")
    assert text in r.text
    assert _asset_status(module_ws, asset.id) == "in_review"


def test_a_conflict_keeps_the_typed_note(reviewer: Browser, module_ws: ReviewWorkspace) -> None:
    asset = _asset(module_ws)
    note = "crop tighter on the cup <b>now</b>"
    r = reviewer.post(f"/assets/{asset.id}/decision", {"decision": "reject", "version": str(asset.version - 1),
                                                        "note": note}, headers={"HX-Request": "true"})
    assert r.status_code == 409
    assert "crop tighter on the cup &lt;b&gt;now&lt;/b&gt;</textarea>" in r.text
    assert "data-conflict" in r.text


def test_decision_moves_on_to_the_next_asset(reviewer: Browser, module_ws: ReviewWorkspace) -> None:
    asset = _asset(module_ws)
    r = reviewer.post(f"/assets/{asset.id}/decision", {"decision": "approve", "version": str(asset.version),
                                                        "status": "in_review"}, headers={"HX-Request": "true"})
    assert r.status_code == 204
    assert r.headers["HX-Redirect"].startswith(("/assets/", f"{CAMPAIGN}?status=in_review"))
    assert _asset_status(module_ws, asset.id) == "approved"


def _asset_status(ws: ReviewWorkspace, asset_id: int) -> str:
    db = _db(ws)
    with db.session() as s:
        status = s.scalar(select(Asset.status).where(Asset.id == asset_id))
    db.dispose()
    return str(status)


def test_comment_bad_input(reviewer: Browser) -> None:
    _is_page(reviewer.post("/assets/1/comments", {"body": ""}), 422)
    _is_page(reviewer.post("/assets/1/comments", {"body": "x" * 6000}), 422)
    r = reviewer.post("/assets/1/comments", {"body": "<script>alert(1)</script>"}, headers={"HX-Request": "true"})
    assert r.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text and "<script>alert" not in r.text


@pytest.mark.parametrize(("data", "status"), [
    ({"ids": ["abc"], "decision": "approve"}, 422),
    ({"decision": "approve"}, 422),
    ({"ids": ["1"], "decision": "request_changes"}, 422),
    ({"ids": ["1"], "decision": "delete"}, 422),
    ({"ids": [str(i) for i in range(1, 1100)], "decision": "approve"}, 422),
])
def test_bulk_bad_input(reviewer: Browser, data: dict[str, Any], status: int) -> None:
    _is_page(reviewer.post(f"{CAMPAIGN}/bulk", data), status)


def test_bulk_skips_other_tenants_assets(reviewer: Browser, module_ws: ReviewWorkspace) -> None:
    theirs = _asset(module_ws, tenant="globex").id
    r = reviewer.post(f"{CAMPAIGN}/bulk", {"ids": [str(theirs)], "decision": "approve"})
    assert r.status_code == 303
    assert _asset_status(module_ws, theirs) == "in_review"


def test_roles_are_checked_by_the_server_too(client_user: Browser, reviewer: Browser) -> None:
    _is_page(client_user.post(f"{CAMPAIGN}/bulk", {"ids": ["1"], "decision": "approve"}), 403)
    _is_page(client_user.post(f"{CAMPAIGN}/runs"), 403)
    _is_page(reviewer.post(f"{CAMPAIGN}/runs"), 403)
    board = client_user.get(CAMPAIGN).text
    assert 'id="bulk-form"' not in board and "data-start-run" not in board


def test_board_pages_through_ten_thousand_assets(app: Any, module_ws: ReviewWorkspace) -> None:
    db = _db(module_ws)
    with db.session() as s:
        campaign = s.scalar(select(Campaign).where(Campaign.tenant_id == "acme"))
        assert campaign is not None
        s.add_all(Asset(tenant_id="acme", campaign_id=campaign.id, cell_key=f"bulk/{i}", concept="bulk",
                        segment="london-commuters", format="iab-300x250", variant=i, status="in_review",
                        revision=0, qc_flags="") for i in range(10_000))
    db.dispose()
    b = Browser(app, "reviewer@acme.example")
    first = b.get(f"{CAMPAIGN}?concept=bulk")
    assert first.status_code == 200
    assert first.text.count("data-card ") == 60
    assert "of <strong>10,000</strong>" in first.text
    last = b.get(f"{CAMPAIGN}?concept=bulk&page=167")
    assert last.status_code == 200 and last.text.count("data-card ") == 40
    assert "No render yet" in last.text
    _is_page(b.get(f"{CAMPAIGN}?concept=bulk&page=168"), 404)


def test_unknown_page_is_an_html_404_for_browsers_and_problem_json_for_the_api(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from assetline import api as assetline_api
    from assetline.config import load_settings
    from assetline.web import create_app

    assetline_api.init_workspace(tmp_path / "ws")
    client = TestClient(create_app(load_settings(tmp_path / "ws")))
    page = client.get("/no/such/page", headers={"accept": "text/html,application/xhtml+xml"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "not found" in page.text.lower()
    api_miss = client.get("/api/v1/no/such", headers={"accept": "text/html"})
    assert api_miss.status_code == 404 and api_miss.headers["content-type"] == "application/problem+json"
