"""The built-in visual engine is found through the same entry-point group as third-party engines."""

from __future__ import annotations

from assetline.engines.base import VisualEngine
from assetline.engines.registry import EngineRegistry
from assetline.engines.visual import ProceduralVisualEngine


def test_discovered_through_the_entry_point() -> None:
    engine = EngineRegistry.discover().get("builtin.visual", "visual")
    assert isinstance(engine, ProceduralVisualEngine)
    assert isinstance(engine, VisualEngine)
    assert EngineRegistry.discover().version("builtin.visual") == "1"
