"""`assetline user|token|review|keys`: the happy path once, and every bad input → one message, exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assetline import api
from assetline.cli.main import app
from reviewkit import ReviewWorkspace

runner = CliRunner()


@pytest.fixture
def ws(review_base: ReviewWorkspace, tmp_path: Path) -> ReviewWorkspace:
    return review_base.copy_to(tmp_path / "ws")


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_user_and_token_lifecycle(tmp_path: Path) -> None:
    ws = tmp_path / "fresh"
    assert cli("init", str(ws))[0] == 0
    code, out = cli("user", "add", "Ana@Studio.example", "--role", "reviewer", "--password", "long-enough",
                    "-w", str(ws), "--tenant", "acme")
    assert code == 0 and "ana@studio.example" in out
    code, out = cli("token", "create", "ana@studio.example", "--name", "ci", "-w", str(ws), "--json")
    token = json.loads(out)
    assert code == 0 and token["token"].startswith("al_")
    code, out = cli("token", "list", "-w", str(ws), "--tenant", "acme", "--json")
    listed = json.loads(out)
    assert [t["prefix"] for t in listed] == [token["prefix"]] and token["token"] not in out  # never shown again
    code, out = cli("user", "list", "-w", str(ws), "--tenant", "acme", "--json")
    assert [u["email"] for u in json.loads(out)] == ["ana@studio.example"]
    assert cli("token", "revoke", str(token["id"]), "-w", str(ws), "--tenant", "acme")[0] == 0
    assert json.loads(cli("token", "list", "-w", str(ws), "--tenant", "acme", "--json")[1])[0]["revoked_at"]


@pytest.mark.parametrize(("args", "message"), [
    (["user", "add", "not-an-email", "--role", "reviewer", "--password", "long-enough"], "not an e-mail"),
    (["user", "add", "a@b.example", "--role", "overlord", "--password", "long-enough"], "unknown role"),
    (["user", "add", "a@b.example", "--role", "client", "--password", "short"], "too short"),
    (["user", "add", "admin@acme.example", "--role", "client", "--password", "long-enough"], "already exists"),
    (["token", "create", "nobody@acme.example"], "no user"),
    (["token", "revoke", "99999", "--tenant", "acme"], "no token"),
    (["review", "list", "acme-launch", "--as", "nobody@acme.example"], "no user"),
    (["review", "list", "globex-launch", "--as", "reviewer@acme.example"], "no campaign"),
    (["review", "approve", "99999", "--as", "reviewer@acme.example"], "no asset"),
    (["review", "request-changes", "1", "--note", "  ", "--as", "reviewer@acme.example"], "say what should change"),
    (["keys", "import", "missing-chain.pem", "missing-key.pem", "--tenant", "acme"], "cannot read"),
])
def test_bad_input_is_one_message_and_exit_2(ws: ReviewWorkspace, args: list[str], message: str) -> None:
    code, out = cli(*args, "-w", str(ws.root))
    assert code == 2, out
    assert message in out.lower() or message in out


def test_no_password_without_a_terminal_is_refused(ws: ReviewWorkspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSETLINE_PASSWORD", raising=False)
    code, out = cli("user", "add", "new@acme.example", "--role", "client", "-w", str(ws.root), "--tenant", "acme")
    assert code == 2 and "no password" in out


def test_review_from_the_terminal(ws: ReviewWorkspace) -> None:
    code, out = cli("review", "list", "acme-launch", "--as", "client@acme.example", "--status", "in_review",
                    "-w", str(ws.root), "--json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 16
    ids = [str(r["id"]) for r in rows[:3]]
    code, out = cli("review", "approve", *ids, "--as", "reviewer@acme.example", "--note", "fine", "-w", str(ws.root))
    assert code == 0 and "3 decided" in out
    code, out = cli("review", "approve", ids[0], "--as", "client@acme.example", "-w", str(ws.root))
    assert code == 0  # a client may approve one asset…
    code, out = cli("review", "approve", *ids, "--as", "client@acme.example", "-w", str(ws.root))
    assert code == 2 and "may not bulk decide" in out  # …but not in bulk
    code, out = cli("review", "request-changes", str(rows[3]["id"]), "--note", "a warmer image please",
                    "--as", "reviewer@acme.example", "-w", str(ws.root))
    assert code == 0
    after = {r["id"]: r["status"] for r in api.review_assets("acme-launch", "reviewer@acme.example",
                                                             workspace=ws.root)}
    assert after[rows[3]["id"]] == "changes_requested" and after[rows[0]["id"]] == "approved"


def test_keys_init_then_refuses_to_overwrite(ws: ReviewWorkspace) -> None:
    code, out = cli("keys", "init", "--org", "Acme Studio", "-w", str(ws.root), "--tenant", "acme", "--json")
    info = json.loads(out)
    assert code == 0 and info["anchored"] and "Acme Studio" in info["subject"]
    code, out = cli("keys", "init", "--org", "Acme Studio", "-w", str(ws.root), "--tenant", "acme")
    assert code == 2 and "already has signing keys" in out
    code, out = cli("keys", "init", "--org", "Acme Studio", "--force", "-w", str(ws.root), "--tenant", "acme")
    assert code == 0


def test_audit_log_records_logins_and_decisions(ws: ReviewWorkspace) -> None:
    from assetline.access.users import authenticate_password
    from assetline.store.db import Database

    db = Database(ws.settings("acme").db_url)
    with db.session() as s:
        assert authenticate_password(s, "reviewer@acme.example", "wrong", source="test") is None
        assert authenticate_password(s, "reviewer@acme.example", "correct-horse-battery", source="test") is not None
    db.dispose()
    first = api.review_assets("acme-launch", "reviewer@acme.example", workspace=ws.root)[0]["id"]
    api.review_decide([first], "reject", "reviewer@acme.example", note="off brand", workspace=ws.root)
    code, out = cli("audit", "-w", str(ws.root), "--tenant", "acme", "--json")
    rows = json.loads(out)
    kinds = [r["kind"] for r in rows]
    assert code == 0 and kinds[:3] == ["review.decision", "auth.login", "auth.login_failed"]
    assert rows[0]["actor"] == "reviewer@acme.example" and rows[0]["reason"] == "off brand"
    code, out = cli("audit", "-w", str(ws.root), "--tenant", "globex", "--kind", "review", "--json")
    assert code == 0 and json.loads(out) == []  # globex sees none of acme's trail
    assert cli("audit", "-w", str(ws.root), "--limit", "0")[0] == 2
