"""Third-party engines arrive through the ``assetline.engines`` entry-point group, like the built-ins.

Each test writes a tiny installed package (a module plus a ``*.dist-info`` folder with METADATA and
entry_points.txt) into tmp_path and puts it on sys.path. Discovery then runs against that folder only,
so the tests do not depend on which other engines this environment has installed.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from assetline.engines.base import CopyEngine, CopyRequest
from assetline.engines.registry import GROUP, EngineRegistry
from assetline.errors import EngineError
from assetline.spec.campaign import Concept, Segment
from assetline.spec.formats import catalogue

ENGINE_MODULE = '''
from __future__ import annotations

from typing import ClassVar

from assetline.engines.base import CopyRequest, CopyResult


class ShoutCopyEngine:
    """Uppercases the first headline template."""

    id: ClassVar[str] = "{engine_id}"
    version: ClassVar[str] = "7"
    modality: ClassVar[str] = "copy"

    def generate(self, request: CopyRequest) -> CopyResult:
        text = request.concept.copy_.headline[0].upper()
        return CopyResult(fields={{"headline": text}}, language=request.segment.language, direction="ltr")
'''


def install_plugin(root: Path, monkeypatch: pytest.MonkeyPatch, *, dist: str, module: str, source: str,
                   entry: str) -> None:
    """Write ``module``.py and ``dist``-1.0.dist-info declaring ``entry`` in the engines group."""
    (root / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    info = root / f"{dist.replace('-', '_')}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[{GROUP}]\n{entry}\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(root))
    monkeypatch.setattr(sys, "path", [str(root)])  # discovery sees the test package only
    monkeypatch.delitem(sys.modules, module, raising=False)


def test_third_party_engine_is_discovered_and_instantiated(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    install_plugin(tmp_path, monkeypatch, dist="acme-shout", module="acme_shout_engine",
                   source=ENGINE_MODULE.format(engine_id="acme.shout"),
                   entry="acme.shout = acme_shout_engine:ShoutCopyEngine")
    registry = EngineRegistry.discover()
    assert registry.describe() == [{"id": "acme.shout", "version": "7", "modality": "copy",
                                    "class": "acme_shout_engine.ShoutCopyEngine"}]
    engine = registry.get("acme.shout", "copy")
    assert isinstance(engine, CopyEngine)
    assert registry.get("acme.shout") is engine  # one instance per registry
    concept = Concept.model_validate({"id": "c", "copy": {"headline": ["lift-off"]}})
    result = engine.generate(CopyRequest(concept=concept, segment=Segment(id="s"),
                                         format=catalogue()["iab-320x50"], variant=0, seed=0))
    assert result.fields == {"headline": "LIFT-OFF"}
    with pytest.raises(EngineError, match="makes copy, not visual"):
        registry.get("acme.shout", "visual")


def test_broken_plugin_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install_plugin(tmp_path, monkeypatch, dist="acme-broken", module="acme_broken_engine",
                   source="import acme_dependency_that_is_not_installed\n",
                   entry="acme.broken = acme_broken_engine:BrokenEngine")
    with pytest.raises(EngineError) as info:
        EngineRegistry.discover()
    assert "'acme.broken'" in str(info.value)
    assert "acme_broken_engine:BrokenEngine" in str(info.value)
    assert "acme_dependency_that_is_not_installed" in str(info.value)
    assert isinstance(info.value.__cause__, ImportError)


def test_entry_point_name_must_match_engine_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install_plugin(tmp_path, monkeypatch, dist="acme-misnamed", module="acme_misnamed_engine",
                   source=ENGINE_MODULE.format(engine_id="acme.real-name"),
                   entry="acme.other-name = acme_misnamed_engine:ShoutCopyEngine")
    with pytest.raises(EngineError, match=r"'acme\.other-name' names a class whose id is 'acme\.real-name'"):
        EngineRegistry.discover()
