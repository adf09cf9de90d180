"""Browser: signing in, the campaign list, filtering the board, help, roles and tenants (nothing is decided here)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from uikit import LiveServer, login

from reviewkit import PASSWORD

pytestmark = pytest.mark.timeout(120)


def test_wrong_password_shows_an_error_and_the_right_one_lands_on_campaigns(context: Any, server: LiveServer,
                                                                            shots: Path) -> None:
    page = context.new_page()
    page.goto(server.url + "/campaigns/acme-launch")
    assert "/login?next=/campaigns/acme-launch" in page.url
    page.fill("input[name=email]", "reviewer@acme.example")
    page.fill("input[name=password]", "not-the-password")
    page.click("button[type=submit]")
    assert page.locator(".alert-error").inner_text().strip() == "That e-mail and password do not match an account."
    assert page.input_value("input[name=email]") == "reviewer@acme.example"
    page.screenshot(path=shots / "login.png")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(server.url + "/campaigns/acme-launch")  # back where the visitor wanted to go
    page.goto(server.url + "/")
    card = page.locator(".campaign-card")
    assert card.count() == 1
    assert "Acme launch" in card.inner_text()
    assert card.locator(".chip-in_review").inner_text().split()[-1] == "16"
    assert "Globex" not in page.content()
    page.screenshot(path=shots / "campaigns.png", full_page=True)


def test_filters_narrow_the_grid_and_stay_in_the_url(context: Any, server: LiveServer, shots: Path) -> None:
    page = login(context, server)
    page.click("text=Open board")
    page.wait_for_url(re.compile(r"/campaigns/acme-launch$"))
    assert page.locator("[data-card]").count() == 16
    page.screenshot(path=shots / "board.png", full_page=True)

    page.select_option("select[name=format]", "iab-300x250")
    page.wait_for_url(re.compile(r"format=iab-300x250"))
    assert page.locator("[data-card]").count() == 8
    page.select_option("select[name=segment]", "dubai-professionals")
    page.wait_for_url(re.compile(r"segment=dubai-professionals"))
    assert page.locator("[data-card]").count() == 4
    assert "format=iab-300x250" in page.url
    page.select_option("select[name=status]", "in_review")
    page.wait_for_url(re.compile(r"status=in_review"))
    assert page.locator("[data-card]").count() == 4
    assert page.locator(".results-count").inner_text().startswith("1–4 of 4")
    filtered = page.url
    assert "=&" not in filtered and not filtered.endswith("=")  # empty filters stay out of the URL

    # Back goes to the previous view
    page.go_back()
    page.wait_for_url(lambda url: "segment=dubai-professionals" in url and "status" not in url)
    page.locator("[data-card]").nth(3).wait_for()
    assert page.locator("[data-card]").count() == 4
    page.go_back()
    page.wait_for_url(lambda url: url.endswith("?format=iab-300x250"))
    page.locator("[data-card]").nth(7).wait_for()
    assert page.locator("[data-card]").count() == 8
    # the URL alone reproduces the view, and the menus show it
    page.goto(filtered)
    assert page.locator("[data-card]").count() == 4
    assert page.input_value("select[name=format]") == "iab-300x250"
    # every card links to its asset page carrying the filters (j/k on the asset page follow them)
    href = page.locator("[data-card] .card-link").first.get_attribute("href") or ""
    assert re.match(r"^/assets/\d+\?", href) and "segment=dubai-professionals" in href
    # a thumbnail is a small cached JPEG
    src = page.locator("[data-card] img").first.get_attribute("src") or ""
    response = page.request.get(server.url + src)
    assert response.status == 200 and response.headers["content-type"] == "image/jpeg"
    assert "immutable" in response.headers["cache-control"]
    assert list((server.ws.root / "cache" / "thumbs").glob("*-480.jpg"))


def test_keyboard_focus_and_help_overlay(context: Any, server: LiveServer, shots: Path) -> None:
    page = login(context, server)
    page.goto(server.url + "/campaigns/acme-launch")
    page.keyboard.press("j")
    page.keyboard.press("j")
    focused = page.evaluate("document.activeElement.closest('[data-card]').dataset.id")
    assert focused == page.locator("[data-card]").nth(1).get_attribute("data-id")
    page.keyboard.press("x")
    assert page.locator("[data-card].is-selected").count() == 1
    assert page.locator("#bulk-form").is_visible()
    page.keyboard.press("k")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/assets/\d+$"))

    help_box = page.locator("#help")
    assert help_box.is_hidden()
    page.keyboard.press("?")
    assert help_box.is_visible()
    assert "Approve" in help_box.inner_text() and "Reject" in help_box.inner_text()
    page.screenshot(path=shots / "help.png")
    page.keyboard.press("?")
    assert help_box.is_hidden()
    # typing a "?" in a text field is text, not a shortcut
    page.click("#comment-box")
    page.keyboard.type("why?")
    assert help_box.is_hidden()
    assert page.input_value("#comment-box") == "why?"


def test_a_client_sees_no_bulk_bar_and_no_start_run(context: Any, server: LiveServer) -> None:
    page = login(context, server, role="client")
    page.goto(server.url + "/campaigns/acme-launch")
    assert page.locator("[data-card]").count() == 16
    assert page.locator("#bulk-form").count() == 0
    assert page.locator("[data-card] input[type=checkbox]").count() == 0
    assert page.locator("[data-start-run]").count() == 0
    page.keyboard.press("j")
    page.keyboard.press("x")  # nothing to select, nothing breaks
    assert page.locator("[data-card].is-selected").count() == 0
    # a client still decides one asset at a time
    page.locator("[data-card] .card-link").first.click()
    assert page.locator('#decision-form [data-decision="approve"]').is_visible()


def test_a_producer_sees_start_run_and_bulk_bar(context: Any, server: LiveServer) -> None:
    page = login(context, server, role="producer")
    page.goto(server.url + "/campaigns/acme-launch")
    assert page.locator("[data-start-run]").is_visible()
    assert page.locator("#bulk-form").count() == 1


def test_another_tenant_gets_not_found_on_acme_urls(context: Any, server: LiveServer) -> None:
    page = login(context, server, tenant="globex")
    assert "Globex launch" in page.locator(".campaign-list").inner_text()
    for path in ("/assets/1", "/assets/1/compare", "/campaigns/acme-launch"):
        response = page.goto(server.url + path)
        assert response is not None and response.status == 404, path
        assert page.locator(".error-code").inner_text() == "404"
    response = page.request.get(server.url + "/assets/1/thumb?r=1")
    assert response.status == 404


def test_logout_ends_the_session(context: Any, server: LiveServer) -> None:
    page = login(context, server)
    page.click("text=Sign out")
    page.wait_for_url(re.compile(r"/login$"))
    page.goto(server.url + "/")
    assert "/login?next=/" in page.url
