"""`assetline user …` and `assetline token …`: people, roles and API tokens of a tenant."""

from __future__ import annotations

import getpass
import os
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from assetline import api
from assetline.access.roles import ROLES
from assetline.cli.errors import handle_errors
from assetline.cli.options import Json, Tenant, Workspace, emit
from assetline.errors import InvalidRequestError

console = Console(highlight=False)
user_app = typer.Typer(help="Users of a tenant (roles: admin, producer, reviewer, client).", no_args_is_help=True)
token_app = typer.Typer(help="API tokens (shown once; stored hashed).", no_args_is_help=True)


@user_app.command("add")
@handle_errors
def user_add(
    email: Annotated[str, typer.Argument(help="Login e-mail (unique across the workspace).")],
    role: Annotated[str, typer.Option("--role", "-r", help=f"One of: {', '.join(ROLES)}.")],
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    password: Annotated[str | None, typer.Option(
        help="Password for the web UI; default: read ASSETLINE_PASSWORD or ask (omit with --no-password).")] = None,
    no_password: Annotated[bool, typer.Option("--no-password", help="Token-only user (no web login).")] = False,
    workspace: Workspace = None,
    tenant: Tenant = None,
    as_json: Json = False,
) -> None:
    """Add a user to the tenant (created on first use)."""
    if password is None and not no_password:
        password = os.environ.get("ASSETLINE_PASSWORD")
        if password is None:
            if not os.isatty(0):
                raise InvalidRequestError("no password given", hint="pass --password, set ASSETLINE_PASSWORD, "
                                                                    "or use --no-password for a token-only user")
            password = getpass.getpass(f"password for {email}: ")
    user = api.add_user(email, role, name=name, password=None if no_password else password, workspace=workspace,
                        tenant=tenant)
    if as_json:
        emit(user)
        return
    console.print(f"[green]user added:[/] {user['email']} ({user['role']}) in tenant {user['tenant']}")


@user_app.command("list")
@handle_errors
def user_list(workspace: Workspace = None, tenant: Tenant = None, as_json: Json = False) -> None:
    """List the tenant's users."""
    users = api.list_users(workspace=workspace, tenant=tenant)
    if as_json:
        emit(users)
        return
    table = Table("email", "name", "role", "web login", "created")
    for u in users:
        table.add_row(u["email"], u["name"], u["role"], "yes" if u["password"] else "no", u["created_at"][:16])
    console.print(table)


@token_app.command("create")
@handle_errors
def token_create(
    email: Annotated[str, typer.Argument(help="The user the token acts as.")],
    name: Annotated[str, typer.Option(help="What the token is for (shown in listings).")] = "",
    workspace: Workspace = None,
    as_json: Json = False,
) -> None:
    """Create an API token. It is printed once: store it now."""
    token = api.create_api_token(email, name=name, workspace=workspace)
    if as_json:
        emit(token)
        return
    console.print(f"token for {token['user']} (id {token['id']}), shown once:")
    print(token["token"])


@token_app.command("list")
@handle_errors
def token_list(workspace: Workspace = None, tenant: Tenant = None, as_json: Json = False) -> None:
    """List the tenant's tokens (prefixes only)."""
    tokens = api.list_api_tokens(workspace=workspace, tenant=tenant)
    if as_json:
        emit(tokens)
        return
    table = Table("id", "prefix", "user", "name", "created", "last used", "revoked")
    for t in tokens:
        table.add_row(str(t["id"]), t["prefix"] + "…", t["user"], t["name"], t["created_at"][:16],
                      (t["last_used_at"] or "")[:16], (t["revoked_at"] or "")[:16])
    console.print(table)


@token_app.command("revoke")
@handle_errors
def token_revoke(token_id: Annotated[int, typer.Argument(help="Token id (see `assetline token list`).")],
                 workspace: Workspace = None, tenant: Tenant = None) -> None:
    """Revoke a token: it stops working at once."""
    api.revoke_api_token(token_id, workspace=workspace, tenant=tenant)
    console.print(f"token {token_id} revoked")


@handle_errors
def audit(
    kind: Annotated[str | None, typer.Option(help="Only kinds starting with this (auth, review.decision, …).")] = None,
    actor: Annotated[str | None, typer.Option(help="Only this user's events.")] = None,
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 50,
    workspace: Workspace = None,
    tenant: Tenant = None,
    as_json: Json = False,
) -> None:
    """The tenant's audit log: logins (and failed ones), decisions, comments, runs, deliveries, state changes."""
    rows = api.audit_log(workspace=workspace, kind=kind, actor=actor, limit=limit, tenant=tenant)
    if as_json:
        emit(rows)
        return
    table = Table("when", "kind", "actor", "asset", "change", "reason")
    for r in rows:
        change = f"{r['from'] or ''} → {r['to']}" if r["to"] else ""
        table.add_row(r["at"][:19], r["kind"], r["actor"], str(r["asset_id"] or ""), change, (r["reason"] or "")[:60])
    console.print(table)
