"""Errors as RFC 9457 problem+json. Every AssetlineError maps to one status; bugs become a bare 500."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from assetline.errors import (
    AssetlineError,
    AuthError,
    ConflictError,
    InvalidRequestError,
    LicenceError,
    NotFoundError,
    PermissionDeniedError,
    SpecError,
)

log = logging.getLogger("assetline.web")
PROBLEM = "application/problem+json"
_STATUS: list[tuple[type[AssetlineError], int, str]] = [
    (AuthError, 401, "unauthorized"),
    (PermissionDeniedError, 403, "forbidden"),
    (NotFoundError, 404, "not-found"),
    (ConflictError, 409, "conflict"),
    (SpecError, 422, "invalid-spec"),
    (LicenceError, 422, "licence"),
    (InvalidRequestError, 422, "invalid-request"),
]


def status_for(exc: AssetlineError) -> tuple[int, str]:
    for cls, status, slug in _STATUS:
        if isinstance(exc, cls):
            return status, slug
    return 400, "bad-request"


def problem(status: int, title: str, detail: str = "", slug: str = "about:blank", instance: str = "",
            **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"type": f"/api/v1/problems/{slug}" if slug != "about:blank" else slug,
                            "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    body.update(extra)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _wants_page(request: Request) -> bool:
    path = request.url.path
    return (not path.startswith(("/api/", "/static/")) and "text/html" in request.headers.get("accept", "")
            and request.method in ("GET", "HEAD"))


def install(app: FastAPI) -> None:
    @app.exception_handler(AssetlineError)
    async def _assetline(request: Request, exc: AssetlineError) -> JSONResponse:
        status, slug = status_for(exc)
        extra = {"hint": exc.hint} if exc.hint else {}
        return problem(status, slug.replace("-", " "), exc.message, slug, request.url.path, **extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": [str(p) for p in e.get("loc", ())], "msg": e.get("msg", "")} for e in exc.errors()]
        detail = "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors[:5])
        return problem(422, "invalid request", detail, "validation", request.url.path, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if _wants_page(request):  # a person typed a wrong URL: answer with the app's error page, not JSON
            from assetline.web.pages.errors import error_page

            message = "page not found" if exc.status_code == 404 else str(exc.detail)
            return error_page(request, exc.status_code, message)
        return problem(exc.status_code, str(exc.detail), instance=request.url.path)

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", request.url.path)
        return problem(500, "internal error", "the server hit a bug; it was logged", instance=request.url.path)
