"""Sign in and out. Passwords are checked (and every attempt audited) by access.users.authenticate_password."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse

from assetline.access.users import authenticate_password
from assetline.web.context import SESSION_USER, csrf_token, session_actor
from assetline.web.pages.deps import FormDep, PageSession, text
from assetline.web.pages.errors import PageRoute
from assetline.web.pages.templating import render

router = APIRouter(route_class=PageRoute)


def safe_next(target: str | None) -> str:
    """Only same-site paths: '/campaigns/x' yes; 'https://evil', '//evil', '/\\evil' no."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")) or len(target) > 2000:
        return "/"
    return target


@router.get("/login")
def login_form(request: Request, session: PageSession,
               next: Annotated[str | None, Query(max_length=2000)] = None) -> Response:
    if session_actor(request, session) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", {"next": safe_next(next), "email": "", "error": None})


@router.post("/login")
def login(request: Request, session: PageSession, form: FormDep) -> Response:
    email = text(form, "email", 254).strip()
    password = text(form, "password", 1000)
    target = safe_next(text(form, "next", 2000))
    actor = authenticate_password(session, email, password, source="web") if email and password else None
    if actor is None:
        return render(request, "login.html", {"next": target, "email": email,
                                              "error": "That e-mail and password do not match an account."},
                      status=401)
    request.session.clear()  # a fresh session (and CSRF token) for the signed-in user
    request.session[SESSION_USER] = actor.user_id
    csrf_token(request)
    return RedirectResponse(target, status_code=303)


@router.post("/logout")
def logout(request: Request, form: FormDep) -> Response:
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
