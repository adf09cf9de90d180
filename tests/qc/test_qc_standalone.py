"""check_file: every registered check on any image file; bad input is one clear error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from planted import KIT, Layout, render

from assetline.errors import SpecError
from assetline.qc.checks.channel import ChannelSpecCheck
from assetline.qc.checks.contrast import ContrastCheck
from assetline.qc.checks.logo import LogoCheck
from assetline.qc.checks.palette import PaletteCheck
from assetline.qc.checks.safety import NudityCheck
from assetline.qc.registry import CheckRegistry
from assetline.qc.standalone import check_file

IMAGE_ONLY = CheckRegistry()
for cls in (PaletteCheck, ContrastCheck, LogoCheck, ChannelSpecCheck, NudityCheck):
    IMAGE_ONLY.add(cls)


@pytest.fixture(scope="module")
def clean_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    img, _ = render(Layout())
    path = tmp_path_factory.mktemp("assets") / "clean.jpg"
    img.save(path, "JPEG", quality=90)
    return path


def test_clean_composed_image_passes(clean_file: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.json"
    copy.write_text(json.dumps({"headline": "Fresh roast, delivered", "cta": "Order now"}))
    v = check_file(clean_file, KIT, "meta-feed-1x1", copy, registry=IMAGE_ONLY)
    assert v.status == "pass", [r.to_dict() for r in v.flagged]
    assert v.file_type == "jpeg" and v.size == (1080, 1080) and v.format_id == "meta-feed-1x1"
    d = v.to_dict()
    assert json.loads(json.dumps(d))["status"] == "pass"
    assert {r["check"] for r in d["results"]} == {
        "brand.palette",
        "text.contrast",
        "brand.logo",
        "channel.spec",
        "safety.nudity",
    }


def test_default_registry_runs_every_discovered_check(clean_file: Path) -> None:
    v = check_file(clean_file, KIT)
    assert {"brand.palette", "channel.spec", "brand.logo"} <= {r.check_id for r in v.results}


def test_wrong_format_is_reported_not_raised(clean_file: Path) -> None:
    v = check_file(clean_file, KIT, "iab-300x250", registry=IMAGE_ONLY)
    assert v.status == "fail" and [r.check_id for r in v.failed] == ["channel.spec"]


def test_bad_inputs_raise_spec_errors(clean_file: Path, tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="image file not found"):
        check_file(tmp_path / "missing.png", KIT)
    text = tmp_path / "notes.png"
    text.write_text("hello")
    with pytest.raises(SpecError, match="not an image Assetline can read"):
        check_file(text, KIT)
    with pytest.raises(SpecError, match="unknown format id 'meta-feed-1x2'") as err:
        check_file(clean_file, KIT, "meta-feed-1x2")
    assert "meta-feed-1x1" in str(err.value)
    bad = tmp_path / "copy.json"
    bad.write_text('{"headline": "x",')
    with pytest.raises(SpecError, match="copy file is not valid JSON"):
        check_file(clean_file, KIT, copy_path=bad)
    bad.write_text('["headline"]')
    with pytest.raises(SpecError, match="JSON object of text fields"):
        check_file(clean_file, KIT, copy_path=bad)
    with pytest.raises(SpecError):
        check_file(clean_file, tmp_path / "no-brand.yaml")
