"""The storyboard page in Debian Chromium: htmx decisions swap one frame and the board's summary in place (no
page load), a request for changes without a note shows the error in the frame, the page works by keyboard.
Skipped when Chromium or Playwright is missing."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from browserkit import live_server
from storykit import CONCEPT, SLUG, StoryWorkspace, service

from reviewkit import PASSWORD


def test_deciding_frames_in_the_browser(story: StoryWorkspace, browser: Any, tmp_path: Path) -> None:
    db = story.db()
    with db.session() as s:
        service(s, story).build(SLUG, CONCEPT)
    db.dispose()
    with live_server(story.ws) as url:
        ctx = browser.new_context(viewport={"width": 1440, "height": 1000}, reduced_motion="reduce")
        ctx.set_default_timeout(10_000)
        page = ctx.new_page()
        page.goto(url + "/login")
        page.fill("input[name=email]", "reviewer@acme.example")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(url + "/")
        page.goto(f"{url}/campaigns/{SLUG}/storyboards/{CONCEPT}")
        page.evaluate("window.__sameDocument = true")
        assert page.locator("li.sb-frame").count() == 3
        assert page.locator("#frame-1 img").evaluate("img => img.naturalWidth") == 192  # the still loaded
        # request changes without a note: the frame says why, the page stays
        page.click("#frame-2 button[value=request_changes]")
        page.wait_for_selector("#frame-2 .alert-error")
        assert "say what should change" in page.inner_text("#frame-2")
        # with a note, then approve the others: only the frame and the summary are swapped
        page.fill("#frame-2 textarea[name=note]", "hold the product shot longer")
        page.click("#frame-2 button[value=request_changes]")
        page.wait_for_selector('#frame-2[data-status="changes_requested"]')
        page.wait_for_selector('#board-summary[data-status="changes_requested"]')
        assert "Changes requested" in page.inner_text("#sb-tabs")  # the tab's status follows
        page.focus("#frame-1 button[value=approve]")
        page.keyboard.press("Enter")
        page.wait_for_selector('#frame-1[data-status="approved"]')
        assert page.evaluate("window.__sameDocument") is True
        assert "hold the product shot longer" in page.inner_text("#frame-2")
        assert page.locator("li.sb-frame").count() == 3 and page.locator("#board-summary").count() == 1
        page.screenshot(path=str(Path(os.environ.get("ASSETLINE_SCREENSHOTS") or tmp_path) / "storyboard.png"),
                        full_page=True)
        ctx.close()
