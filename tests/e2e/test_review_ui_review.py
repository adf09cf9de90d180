"""Browser: reviewing — keyboard decisions, bulk approve, conflicts, comments, compare, change requests and runs.

The tests share one workspace copy and run in file order; each picks the assets it needs by their status.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from uikit import LiveServer, login, statuses

from assetline import api
from assetline.access.roles import Actor
from assetline.review.service import ReviewService
from assetline.store.db import Database

pytestmark = pytest.mark.timeout(180)


def _in_review(server: LiveServer) -> list[int]:
    return sorted(i for i, s in statuses(server.ws).items() if s == "in_review")


def test_keyboard_review_approves_and_moves_on(context: Any, server: LiveServer, shots: Path) -> None:
    page = login(context, server)
    first, second, third = _in_review(server)[:3]
    page.goto(f"{server.url}/assets/{first}?status=in_review")
    assert page.locator("h1").inner_text()
    page.screenshot(path=shots / "asset.png", full_page=True)
    page.keyboard.press("j")
    page.wait_for_url(f"{server.url}/assets/{second}?status=in_review")
    page.keyboard.press("k")
    page.wait_for_url(f"{server.url}/assets/{first}?status=in_review")
    page.keyboard.press("a")
    page.wait_for_url(f"{server.url}/assets/{second}?status=in_review")  # approved, and on to the next one
    assert f"Asset #{first} approved." in page.locator(".flashes").inner_text()
    assert statuses(server.ws)[first] == "approved"
    page.keyboard.press("r")
    page.wait_for_url(f"{server.url}/assets/{third}?status=in_review")
    assert statuses(server.ws)[second] == "rejected"


def test_bulk_select_with_shift_click_and_approve(context: Any, server: LiveServer) -> None:
    page = login(context, server)
    page.goto(server.url + "/campaigns/acme-launch?status=in_review")
    cards = page.locator("[data-card]")
    before = cards.count()
    assert before >= 5
    ids = [int(cards.nth(i).get_attribute("data-id") or 0) for i in range(4)]
    cards.nth(0).hover()
    cards.nth(0).locator("input[type=checkbox]").click()
    cards.nth(3).hover()
    cards.nth(3).locator("input[type=checkbox]").click(modifiers=["Shift"])  # a range: cards 1 to 4
    assert page.locator("[data-selected-count]").inner_text() == "4"
    page.click("[data-bulk-approve]")
    page.wait_for_function(f"document.querySelectorAll('[data-card]').length === {before - 4}")
    assert page.locator(".toast").first.inner_text().startswith("4 assets approved")
    assert page.locator("#bulk-form").is_hidden()
    now = statuses(server.ws)
    assert [now[i] for i in ids] == ["approved"] * 4
    assert "status=in_review" in page.url  # still the same view


def test_a_stale_decision_says_so_and_keeps_the_note(context: Any, server: LiveServer) -> None:
    page = login(context, server)
    target = _in_review(server)[0]
    page.goto(f"{server.url}/assets/{target}")
    page.fill("#decision-note", "the logo looks cramped")
    # meanwhile, someone else decides the same asset
    db = Database(server.ws.settings().db_url)
    with db.session() as s:
        admin = Actor(tenant_id="acme", user_id=None, email="admin@acme.example", role="admin")
        ReviewService(s, admin).decide(target, "approve", None, "looks fine to me")
    db.dispose()
    page.click('#decision-form [data-decision="reject"]')
    conflict = page.locator("[data-conflict]")
    conflict.wait_for()
    assert "Someone changed this asset" in conflict.inner_text()
    assert page.input_value("#decision-note") == "the logo looks cramped"
    assert statuses(server.ws)[target] == "approved"  # the stale reject changed nothing
    # reloading keeps the typed note (a draft in the browser) and the decision then goes through
    page.click("[data-reload]")
    page.wait_for_load_state()
    assert page.input_value("#decision-note") == "the logo looks cramped"
    with page.expect_navigation():
        page.click('#decision-form [data-decision="reject"]')
    assert statuses(server.ws)[target] == "rejected"


def test_comment_is_added_in_place(context: Any, server: LiveServer) -> None:
    page = login(context, server)
    target = _in_review(server)[0]
    page.goto(f"{server.url}/assets/{target}")
    page.keyboard.press("c")
    assert page.evaluate("document.activeElement.id") == "comment-box"
    page.keyboard.type("Warmer crop, please.\nSecond line.")
    page.click("#comments button[type=submit]")
    page.locator(".comment-body").first.wait_for()
    assert page.locator(".comment-body").first.inner_text() == "Warmer crop, please.\nSecond line."
    assert page.input_value("#comment-box") == ""
    assert page.url.endswith(f"/assets/{target}")  # no page load


def test_compare_shows_the_variants_and_approves_one(context: Any, server: LiveServer, shots: Path) -> None:
    page = login(context, server)
    target = _in_review(server)[-1]
    page.goto(f"{server.url}/assets/{target}")
    page.keyboard.press("v")
    page.wait_for_url(re.compile(rf"/assets/{target}/compare"))
    variants = page.locator(".variant")
    assert variants.count() == 2
    assert sorted(variants.nth(i).get_attribute("data-variant") for i in range(2)) == ["0", "1"]
    assert page.locator(".variant.is-origin").get_attribute("data-id") == str(target)
    page.screenshot(path=shots / "compare.png", full_page=True)
    page.locator(f'.variant[data-id="{target}"] [data-approve-variant]').click()
    page.wait_for_url(re.compile(rf"/assets/{target}/compare$"))
    assert statuses(server.ws)[target] == "approved"
    assert page.locator(f'.variant[data-id="{target}"] .chip').inner_text() == "Approved"


def test_request_changes_then_a_run_makes_a_new_revision(context: Any, server: LiveServer, shots: Path) -> None:
    page = login(context, server)
    target = _in_review(server)[0]
    page.goto(f"{server.url}/assets/{target}")
    assert page.locator("#revisions").count() == 0 or "r1" in page.locator("#revisions").inner_text()
    revision_before = int(page.locator("figcaption").inner_text().split()[1])
    page.fill("#decision-note", "a warmer, different image please")
    page.check("input[name=new_visual]")
    with page.expect_navigation():
        page.click('#decision-form [data-decision="request_changes"]')
    assert statuses(server.ws)[target] == "changes_requested"

    api.run_campaign(server.ws.root / "brief-acme" / "campaign.yaml", server.ws.root, tenant="acme",
                     executor="inline")

    page.goto(f"{server.url}/assets/{target}")
    assert statuses(server.ws)[target] == "in_review"
    caption = page.locator("figcaption").inner_text()
    assert caption.startswith(f"Revision {revision_before + 1}")
    revisions = page.locator("#revisions li")
    assert revisions.count() == revision_before + 1
    assert "a warmer, different image please" in page.locator("#decision").inner_text()  # the request, kept
    page.screenshot(path=shots / "asset-revised.png", full_page=True)
    # the earlier revision is one click away
    revisions.nth(1).locator("a").click()
    page.wait_for_url(re.compile(rf"/assets/{target}\?rev={revision_before}"))
    assert "not current" in page.locator("figcaption").inner_text()


def test_start_run_button_runs_the_campaign_and_reports_progress(context: Any, server: LiveServer) -> None:
    page = login(context, server, role="producer")
    page.goto(server.url + "/campaigns/acme-launch")
    panel = page.locator(".run-panel")
    last = int(re.search(r"#(\d+)", panel.inner_text()).group(1))  # type: ignore[union-attr]
    page.click("[data-start-run]")
    page.locator(".run-panel.is-running").wait_for()
    page.wait_for_function(
        f"(() => {{ const m = document.querySelector('.run-panel').innerText.match(/Last run #(\\d+)/);"
        f" return m && Number(m[1]) > {last}; }})()", timeout=120_000)
    assert "finished" in page.locator(".run-panel").inner_text()
    logs = list((server.ws.root / "logs" / "runs").glob("*.log"))  # the API's launcher, shared with the page
    assert len(logs) == 1 and '"status": "finished"' in logs[0].read_text(encoding="utf-8")
