"""Jinja2 for the review UI: the environment, its filters, and ``render`` — the one way a page handler answers.

``render`` adds what every template needs: the signed-in actor (set by ``deps.current_actor``), the CSRF token,
the flash messages of the session, ``can(permission)`` for hiding controls, and cache-busted static URLs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, select_autoescape

from assetline.access.roles import Actor, Permission, allowed
from assetline.web.context import csrf_token

SESSION_FLASH = "flash"

STATUS_LABELS: dict[str, str] = {
    "planned": "Planned", "rendering": "Rendering", "rendered": "Rendered", "passed": "Passed QC",
    "flagged": "Flagged", "failed": "Failed", "in_review": "In review", "approved": "Approved",
    "rejected": "Rejected", "changes_requested": "Changes requested", "delivered": "Delivered",
    "retired": "Retired",
}
STATUS_ORDER = ("in_review", "changes_requested", "approved", "rejected", "delivered", "flagged", "passed",
                "failed", "rendered", "rendering", "planned", "retired")
QC_LABELS: dict[str, str] = {"pass": "Pass", "warn": "Warning", "fail": "Fail", "na": "Not applicable",
                             "error": "Error"}


def status_label(status: str | None) -> str:
    if not status:
        return ""
    return STATUS_LABELS.get(status, status.replace("_", " ").capitalize())


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def when(value: datetime | None) -> str:
    """Absolute time, e.g. '23 Nov 2026, 13:16 UTC'."""
    if value is None:
        return ""
    moment = _aware(value).astimezone(UTC)
    return f"{moment.day} {moment:%b %Y, %H:%M} UTC"


def ago(value: datetime | None, now: datetime | None = None) -> str:
    """Relative time, e.g. 'just now', '5 min ago', '3 h ago', '2 days ago'."""
    if value is None:
        return "never"
    seconds = ((now or datetime.now(UTC)) - _aware(value)).total_seconds()
    if seconds < 45:
        return "just now"
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))} min ago"
    if seconds < 86400:
        return f"{round(seconds / 3600)} h ago"
    days = round(seconds / 86400)
    return f"{days} day{'s' if days != 1 else ''} ago" if days < 60 else when(value)


def query(params: Mapping[str, Any], **changes: Any) -> str:
    """``params`` with ``changes`` applied, as '?a=b' (empty values dropped; '' when nothing is left)."""
    merged = {**params, **changes}
    pairs = [(k, str(v)) for k, v in merged.items() if v not in (None, "", False)]
    return "?" + urlencode(pairs) if pairs else ""


def number(value: Any) -> str:
    """Measured values for people: 4 significant digits for floats, thousands separators for ints."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e6 else f"{value:,.0f}"
    return str(value)


@cache
def static_version(name: str) -> str:
    """A short hash of a static file, appended to its URL so browsers may cache it for a long time."""
    data = (resources.files("assetline.web") / "static" / name).read_bytes()
    return hashlib.sha256(data).hexdigest()[:10]


def static_url(name: str) -> str:
    return f"/static/{name}?v={static_version(name)}"


@cache
def templates() -> Jinja2Templates:
    """The template set (built once; it holds no per-request state)."""
    env = Environment(loader=PackageLoader("assetline.web", "templates"),
                      autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
    env.filters.update(status_label=status_label, when=when, ago=ago, number=number, is_motion=is_motion)
    env.globals.update(static_url=static_url, query=query, STATUS_LABELS=STATUS_LABELS, QC_LABELS=QC_LABELS)
    return Jinja2Templates(env=env)


def flash(request: Request, message: str, kind: str = "info") -> None:
    """Show ``message`` on the next page this session renders."""
    items = list(request.session.get(SESSION_FLASH) or [])
    items.append({"message": message, "kind": kind})
    request.session[SESSION_FLASH] = items[-5:]


def page_actor(request: Request) -> Actor | None:
    actor = getattr(request.state, "actor", None)
    return actor if isinstance(actor, Actor) else None


def is_motion(format_id: str) -> bool:
    """Is ``format_id`` a motion format (its assets are videos)?"""
    from assetline.spec.formats import get_format

    fmt = get_format(format_id)
    return fmt is not None and fmt.video is not None


def render(request: Request, name: str, context: Mapping[str, Any] | None = None, status: int = 200,
           headers: Mapping[str, str] | None = None) -> HTMLResponse:
    actor = page_actor(request)
    partial = name.rsplit("/", 1)[-1].startswith("_")
    flashes = [] if partial else request.session.pop(SESSION_FLASH, None) or []

    def can(permission: Permission) -> bool:
        return actor is not None and allowed(actor.role, permission)

    ctx: dict[str, Any] = {"actor": actor, "csrf": csrf_token(request), "flashes": flashes, "can": can,
                           "path": request.url.path, "now": datetime.now(UTC)}
    ctx.update(context or {})
    response = templates().TemplateResponse(request, name, ctx, status_code=status, headers=dict(headers or {}))
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers["Vary"] = "HX-Request, Cookie"
    return response
