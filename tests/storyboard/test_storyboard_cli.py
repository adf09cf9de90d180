"""`assetline storyboard …`: build, list, show, export, approve and request changes once each, and every bad input
→ one message, exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image
from storykit import CONCEPT, SLUG, STILLS_ONLY, StoryWorkspace
from typer.testing import CliRunner

from assetline.cli.main import app

runner = CliRunner()


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_the_whole_round(story: StoryWorkspace, tmp_path: Path) -> None:
    ws = ["-w", str(story.ws.root)]
    code, out = cli("storyboard", "build", SLUG, "--tenant", "acme", *ws, "--json")
    [board] = json.loads(out)
    assert code == 0 and board["created"] and board["concept"] == CONCEPT and board["frames_total"] == 3
    code, out = cli("storyboard", "build", SLUG, "--concept", CONCEPT, "--tenant", "acme", *ws)
    assert code == 0 and "unchanged" in out
    code, out = cli("storyboard", "approve", SLUG, CONCEPT, "1", "--as", "reviewer@acme.example", *ws)
    assert code == 0 and "frame 1: approved" in out
    code, out = cli("storyboard", "request-changes", SLUG, CONCEPT, "2", "--note", "warmer light", "--as",
                    "client@acme.example", *ws, "--json")
    assert code == 0 and json.loads(out)["status"] == "changes_requested"
    code, out = cli("storyboard", "list", SLUG, "--tenant", "acme", *ws, "--json")
    [listed] = json.loads(out)
    assert listed["counts"] == {"approved": 1, "changes_requested": 1, "pending": 1} and "frames" not in listed
    code, out = cli("storyboard", "show", SLUG, CONCEPT, "--tenant", "acme", *ws, "--json")
    frames = json.loads(out)["frames"]
    assert [(f["index"], f["status"], f["decision_note"]) for f in frames] == [
        (1, "approved", ""), (2, "changes_requested", "warmer light"), (3, "pending", "")]
    code, out = cli("storyboard", "show", SLUG, CONCEPT, "--tenant", "acme", *ws)
    assert code == 0 and "0.0–1.5 s" in out and "warmer light" in out
    pdf, sheet = tmp_path / "board.pdf", tmp_path / "board.png"
    code, out = cli("storyboard", "export", SLUG, CONCEPT, "--out", str(pdf), "--sheet", str(sheet), "--tenant",
                    "acme", *ws, "--json")
    assert code == 0 and json.loads(out)["frames"] == 3
    assert pdf.read_bytes().startswith(b"%PDF-") and Image.open(sheet).format == "PNG"


@pytest.mark.parametrize(("args", "message"), [
    (["build", "nope", "--tenant", "acme"], "no campaign"),
    (["build", SLUG, "--concept", STILLS_ONLY, "--tenant", "acme"], "no motion asset"),
    (["build", SLUG, "--concept", "nope", "--tenant", "acme"], "no concept"),
    (["show", SLUG, STILLS_ONLY, "--tenant", "acme"], "no storyboard yet"),
    (["approve", SLUG, CONCEPT, "1", "--as", "nobody@acme.example"], "no user"),
    (["approve", SLUG, CONCEPT, "9", "--as", "reviewer@acme.example"], "no frame 9"),
    (["request-changes", SLUG, CONCEPT, "1", "--note", "  ", "--as", "reviewer@acme.example"], "say what should"),
    (["approve", SLUG, CONCEPT, "1", "--as", "reviewer@globex.example"], "no campaign"),
    (["export", SLUG, CONCEPT, "--out", "board.txt", "--tenant", "acme"], "should end in .pdf"),
    (["export", SLUG, CONCEPT, "--out", "/no/such/folder/b.pdf", "--tenant", "acme"], "does not exist"),
])
def test_bad_input_is_one_message_and_exit_2(story: StoryWorkspace, args: list[str], message: str) -> None:
    assert cli("storyboard", "build", SLUG, "--tenant", "acme", "-w", str(story.ws.root))[0] == 0
    code, out = cli("storyboard", *args, "-w", str(story.ws.root))
    assert code == 2, out
    assert message in " ".join(out.split())


def test_json_errors_go_to_stderr_as_json(story: StoryWorkspace) -> None:
    result = runner.invoke(app, ["storyboard", "list", "nope", "--tenant", "acme", "-w", str(story.ws.root),
                                 "--json"])
    assert result.exit_code == 2
    assert json.loads(result.stderr)["error"] == "NotFoundError"
