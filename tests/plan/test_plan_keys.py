"""Content keys change exactly when something that shapes the output changes."""

from __future__ import annotations

from pathlib import Path

from assetline.engines.registry import EngineRegistry
from assetline.plan import build_plan, content_key
from assetline.spec import load_campaign


def _keys(brief: Path) -> dict[str, str]:
    plan = build_plan(load_campaign(brief / "campaign.yaml"), EngineRegistry.discover(), 10_000)
    return {pc.cell.key: pc.compose_key for pc in plan.cells}


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_key_is_canonical() -> None:
    a = content_key("copy", "e", "1", {"b": 1, "a": [1, 2]}, {"x": "h"})
    b = content_key("copy", "e", "1", {"a": [1, 2], "b": 1}, {"x": "h"})
    assert a == b and len(a) == 64
    assert a != content_key("copy", "e", "2", {"a": [1, 2], "b": 1}, {"x": "h"})


def test_licence_edit_keeps_keys_palette_edit_changes_all(demo_brief: Path) -> None:
    before = _keys(demo_brief)
    _edit(demo_brief / "brand.yaml", "owner: Rasmus Andersson, name: OFL-1.1, evidence",
          "owner: R. Andersson, name: OFL-1.1, evidence")
    assert _keys(demo_brief) == before
    _edit(demo_brief / "brand.yaml", '"#FCA311"', '"#FCA312"')
    after = _keys(demo_brief)
    assert all(after[cell] != before[cell] for cell in before)


def test_segment_edit_touches_only_that_segment(demo_brief: Path) -> None:
    before = _keys(demo_brief)
    _edit(demo_brief / "campaign.yaml", "city: London,", "city: Leeds,")
    after = _keys(demo_brief)
    changed = {cell for cell in before if before[cell] != after[cell]}
    assert changed and all("/london-commuters/" in cell for cell in changed)
