"""`assetline check`: verdict table or JSON; exit 0 pass/warn, 1 when a check fails, 2 for bad input."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assetline.cli.main import app

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "qc"))
from planted import KIT, Layout, render  # the planted-defect helpers live with the QC tests

runner = CliRunner()


@pytest.fixture(scope="module")
def clean_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    img, _ = render(Layout())
    path = tmp_path_factory.mktemp("assets") / "clean.jpg"
    img.save(path, "JPEG", quality=90)
    return path


@pytest.fixture
def copy_file(tmp_path: Path) -> Path:
    path = tmp_path / "copy.json"
    path.write_text(json.dumps({"headline": "Fresh roast, delivered", "cta": "Order now",
                                     "disclaimer": "Offer valid while stocks last."}))
    return path


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, ["check", *map(str, args)])
    return result.exit_code, result.stdout, result.stderr


def test_clean_image_passes_with_a_table(clean_file: Path, copy_file: Path) -> None:
    code, out, _ = invoke(clean_file, "--brand", KIT, "--format", "meta-feed-1x1", "--copy", copy_file)
    assert code == 0, out
    assert "channel.spec" in out and "brand.palette" in out and "copy.rules" in out
    assert out.split()[0] in ("PASS", "WARN")


def test_json_verdict_has_evidence(clean_file: Path, copy_file: Path) -> None:
    code, out, _ = invoke(clean_file, "--brand", KIT, "--format", "meta-feed-1x1", "--copy", copy_file,
                          "--json")
    assert code == 0
    data = json.loads(out)
    assert data["status"] in ("pass", "warn") and data["format"] == "meta-feed-1x1"
    assert data["width"] == 1080 and data["file_type"] == "jpeg"
    by_id = {r["check"]: r for r in data["results"]}
    assert {"brand.palette", "text.contrast", "channel.spec", "copy.rules"} <= set(by_id)
    assert all({"status", "message", "evidence", "version"} <= set(r) for r in data["results"])


def test_failing_check_exits_1(clean_file: Path) -> None:
    code, out, _ = invoke(clean_file, "--brand", KIT, "--format", "iab-300x250", "--json")
    assert code == 1
    data = json.loads(out)
    assert data["status"] == "fail"
    assert any(r["check"] == "channel.spec" and r["status"] == "fail" for r in data["results"])


def test_banned_claim_in_copy_exits_1(clean_file: Path, tmp_path: Path) -> None:
    copy = tmp_path / "bad.json"
    copy.write_text(json.dumps({"headline": "The miracle roast that cures Mondays", "cta": "Order now"}))
    code, out, _ = invoke(clean_file, "--brand", KIT, "--copy", copy)
    assert code == 1
    assert "copy.rules" in out


BAD_INPUTS = ["missing-file", "not-an-image", "unknown-format", "bad-json", "copy-not-object", "missing-copy",
              "missing-brand", "bad-brand"]


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_exits_2_with_one_message(case: str, clean_file: Path, tmp_path: Path) -> None:
    file, brand, extra = clean_file, Path(KIT), []
    if case == "missing-file":
        file = tmp_path / "nope.jpg"
    elif case == "not-an-image":
        file = tmp_path / "notes.jpg"
        file.write_text("this is not a picture")
    elif case == "unknown-format":
        extra = ["--format", "meta-feed-1x7"]
    elif case == "bad-json":
        bad = tmp_path / "copy.json"
        bad.write_text('{"headline": "unterminated')
        extra = ["--copy", str(bad)]
    elif case == "copy-not-object":
        bad = tmp_path / "copy.json"
        bad.write_text('["a", "b"]')
        extra = ["--copy", str(bad)]
    elif case == "missing-copy":
        extra = ["--copy", str(tmp_path / "none.json")]
    elif case == "missing-brand":
        brand = tmp_path / "brand.yaml"
    elif case == "bad-brand":
        brand = tmp_path / "brand.yaml"
        brand.write_text("id: x\npalette: [1, 2\n")
    code, out, err = invoke(file, "--brand", brand, *extra)
    assert code == 2, (out, err)
    assert "error:" in err and "Traceback" not in err + out

    code, out, err = invoke(file, "--brand", brand, *extra, "--json")
    assert code == 2
    payload = json.loads(err)
    assert payload["error"] in ("SpecError", "AssetlineError") and payload["message"]


def test_brand_option_is_required(clean_file: Path) -> None:
    result = runner.invoke(app, ["check", str(clean_file)])
    assert result.exit_code == 2
