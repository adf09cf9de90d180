"""Errors on pages become HTML, in one place.

    LoginRequired          no session          → 303 to /login?next=…  (htmx: HX-Redirect)
    CsrfRejected           POST without token  → 403 page
    AssetlineError         user mistakes       → its status (web/problems.status_for) as a page
    RequestValidationError bad path/query/form → 404 for a malformed path (/assets/abc), else 400
    HTTPException          framework errors    → its status as a page
    anything else          a bug               → logged, 500 page

Every page route uses ``PageRoute``, so handlers simply raise. For htmx requests the error comes back with
``HX-Reswap: none`` and an ``al-toast`` trigger: the page stays as it was and shows the message.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from assetline.errors import AssetlineError
from assetline.web.pages.templating import render
from assetline.web.problems import status_for

log = logging.getLogger("assetline.web.pages")

TITLES = {400: "Bad request", 401: "Sign in needed", 403: "Not allowed", 404: "Not found", 405: "Not allowed",
          409: "Someone else changed this", 422: "That cannot be done", 500: "Something broke"}


class LoginRequired(Exception):
    """The page needs a signed-in user."""


class CsrfRejected(Exception):
    """A form was posted without this session's CSRF token."""


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true" and "HX-History-Restore-Request" not in request.headers


def login_redirect(request: Request) -> Response:
    """To the sign-in page, then back: to this page, or for a form post to the page the form was on."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET":
        came_from = urlsplit(request.headers.get("HX-Current-URL") or request.headers.get("Referer") or "/")
        target = (came_from.path or "/") + (f"?{came_from.query}" if came_from.query else "")
    url = "/login?next=" + quote(target, safe="/")
    if is_htmx(request):
        return Response(status_code=401, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def error_page(request: Request, status: int, message: str, hint: str | None = None) -> Response:
    title = TITLES.get(status, "Error")
    if is_htmx(request):
        trigger = {"al-toast": {"message": message + (f" — {hint}" if hint else ""), "kind": "error"}}
        return Response(message, status_code=status, media_type="text/plain",
                        headers={"HX-Reswap": "none", "HX-Trigger": json.dumps(trigger)})
    return render(request, "error.html", {"status": status, "title": title, "message": message, "hint": hint},
                  status=status)


def _validation_message(exc: RequestValidationError) -> tuple[int, str]:
    errors = exc.errors()
    if any(e.get("loc", ("",))[0] == "path" for e in errors):
        return 404, "There is no such page."
    parts = []
    for e in errors[:3]:
        loc = [str(p) for p in e.get("loc", ()) if p not in ("query", "body")]
        parts.append(f"{'.'.join(loc) or 'input'}: {e.get('msg', 'invalid')}")
    return 400, "Invalid input — " + "; ".join(parts)


class PageRoute(APIRoute):
    """An APIRoute whose errors are answered as HTML pages (see the module docstring)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except LoginRequired:
                return login_redirect(request)
            except CsrfRejected:
                return error_page(request, 403, "This form has expired or did not come from this site.",
                                  "reload the page and try again")
            except AssetlineError as exc:
                status, _ = status_for(exc)
                return error_page(request, status, exc.message, exc.hint)
            except RequestValidationError as exc:
                status, message = _validation_message(exc)
                return error_page(request, status, message)
            except StarletteHTTPException as exc:
                return error_page(request, exc.status_code, str(exc.detail))
            except Exception:
                log.exception("unhandled error on page %s", request.url.path)
                return error_page(request, 500, "The server hit a bug; it was logged.")

        return route_handler
