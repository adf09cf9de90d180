"""Check discovery through the 'assetline.checks' entry points."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest
from PIL import Image

from assetline.errors import CheckError
from assetline.qc.base import AssetUnderCheck, CheckContext, CheckResult
from assetline.qc.checks.palette import PaletteCheck
from assetline.qc.registry import CheckRegistry

IMAGE_CHECKS = {"brand.palette", "text.contrast", "brand.logo", "channel.spec", "safety.nudity"}


def test_discover_finds_the_builtin_image_checks() -> None:
    reg = CheckRegistry.discover()
    assert set(reg.classes) >= IMAGE_CHECKS
    assert {c.id for c in reg.per_asset()} >= IMAGE_CHECKS
    described = {d["id"]: d for d in reg.describe()}
    assert described["brand.palette"]["class"] == "assetline.qc.checks.palette.PaletteCheck"
    assert reg.versions()["channel.spec"] == "2"


def test_each_registry_is_its_own_object() -> None:
    a, b = CheckRegistry(), CheckRegistry()
    a.add(PaletteCheck)
    assert "brand.palette" in a.classes and not b.classes


def _fake_distribution(root: Path, target: str) -> None:
    info = root / "broken_plugin-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[assetline.checks]\nbroken.check = {target}\n")


def test_a_plugin_that_fails_to_import_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_distribution(tmp_path, "no_such_module_for_assetline:Check")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(CheckError, match=r"check plugin 'broken\.check'.*failed to import"):
        CheckRegistry.discover()


class _Nameless:
    version: ClassVar[str] = "1"
    description: ClassVar[str] = "no id"

    def run(self, asset: AssetUnderCheck, context: CheckContext) -> CheckResult:
        raise NotImplementedError


class _Crashing:
    id: ClassVar[str] = "test.crash"
    version: ClassVar[str] = "1"
    description: ClassVar[str] = "always raises"

    def run(self, asset: AssetUnderCheck, context: CheckContext) -> CheckResult:
        raise ZeroDivisionError("boom")


def test_malformed_check_classes_are_refused() -> None:
    reg = CheckRegistry()
    with pytest.raises(CheckError, match="has no 'id'"):
        reg.add(_Nameless)
    with pytest.raises(CheckError, match=r"entry point 'other\.id'"):
        reg.add(PaletteCheck, name="other.id")
    with pytest.raises(CheckError, match="unknown check 'nope'"):
        reg.get("nope")


def test_a_crashing_check_is_named_in_the_error() -> None:
    reg = CheckRegistry()
    reg.add(_Crashing)
    asset = AssetUnderCheck(image=Image.new("RGB", (32, 32)), asset_id="a1")
    with pytest.raises(CheckError, match=r"check 'test\.crash' crashed on asset a1: ZeroDivisionError"):
        reg.run_asset(asset, CheckContext())
