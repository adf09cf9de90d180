"""The runner on a 1,000-cell campaign: cold run, no-op re-run, and a re-run after one headline edit.

    .venv/bin/python -m bench --only runner [--quick]

The campaign is the demo brief copied into a temp folder and widened: 5 concepts (the 4 demo concepts
plus a fifth, a copy of 'morning-launch' with its own id and copy) × 5 segments (en, ar, hi, en, hi) ×
8 formats × 5 variants = 1,000 cells. --quick keeps 2 concepts × 5 segments × 8 formats × 2 variants
= 160 cells. Each run uses the local process pool (one worker per core) and a fresh SQLite workspace.

Runs: cold; unchanged (twice: nothing should render); then 'morning-launch' gets new English headlines.
Only its cells in English segments re-render (ar/hi segments use the concept's translations, whose copy
did not change): 2 en segments × 8 formats × variants; QC regenerations of those cells come on top.
"rendered" counts compose steps executed, QC regenerations included, so it can exceed the cell count.
"""

from __future__ import annotations

import copy
import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml

from assetline import api
from bench._common import show

NAME = "runner"
EXTRA_SEGMENTS = [
    {"id": "new-york-creatives", "name": "New York creatives", "language": "en", "city": "New York",
     "country": "US", "audience": "creatives 22-35"},
    {"id": "delhi-professionals", "name": "Delhi professionals", "language": "hi", "city": "दिल्ली",
     "country": "IN", "audience": "professionals 25-40"},
]
EDITED_HEADLINE = ["Launch your morning with Nebula", "Your morning, launched"]


def fifth_concept(base: dict[str, Any]) -> dict[str, Any]:
    """A new concept built from 'morning-launch': its own id, name and English copy, same translations."""
    concept = copy.deepcopy(base)
    concept["id"] = "commute-companion"
    concept["name"] = "Your commute companion"
    concept["copy"] = {"headline": ["Your {commute|journey} companion", "Coffee that rides along"],
                       "body": ["Grab a fresh cup on your way through ${city}.",
                                "Roasted this week, ready for the ride across ${city}."],
                       "cta": ["Find a café", "Order ahead"]}
    concept["layouts"] = ["split", "hero"]
    return concept


def build_campaign(root: Path, quick: bool) -> tuple[Path, int]:
    brief = root / "brief"
    shutil.copytree(api.example_dir(), brief, ignore=shutil.ignore_patterns("__pycache__", "make_*.py"))
    path = brief / "campaign.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    concepts = data["concepts"] + [fifth_concept(data["concepts"][0])]
    data["concepts"] = concepts[:2] if quick else concepts
    data["segments"] = data["segments"] + EXTRA_SEGMENTS
    data["variants"] = 2 if quick else 5
    data["formats"] = [f for f in data["formats"] if not f.endswith("-video")]  # stills (see bench_motion)
    data.pop("motion", None)
    data["name"] = "Orbit Coffee — Launch Season (benchmark)"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    cells = len(data["concepts"]) * len(data["segments"]) * len(data["formats"]) * data["variants"]
    return path, cells


def edit_headline(path: Path, concept_id: str) -> int:
    """Replace the concept's (English) headlines; returns the cells that should re-render: those of the
    concept whose segment language has no translation (translated segments keep their own copy)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    concept = next(c for c in data["concepts"] if c["id"] == concept_id)
    concept["copy"]["headline"] = EDITED_HEADLINE
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    translated = set(concept.get("translations", {}))
    segments = [s for s in data["segments"] if s.get("language", "en") not in translated]
    return len(segments) * len(data["formats"]) * data["variants"]


def _row(label: str, d: dict[str, Any]) -> list[Any]:
    return [label, d["cells"], d["rendered"], d["reused"], d["failed"], d["wall_seconds"],
            d["render_seconds"], d["workers"], d["assets_per_second"], d["overhead_ratio"]]


def run(quick: bool = False) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="assetline-bench-") as tmp:
        root = Path(tmp)
        campaign, cells = build_campaign(root, quick)
        workspace = root / "ws"
        plan = api.plan_campaign(campaign, workspace)
        print(f"Runner: {cells} cells planned ({plan['matrix']}; steps {plan['steps']})", flush=True)

        # 1. Cold run.
        cold = api.run_campaign(campaign, workspace).to_dict()
        print(f"  cold run: {cold['rendered']} rendered in {cold['wall_seconds']} s", flush=True)
        # 2. Unchanged re-run, twice (the second shows whether the first left anything to do).
        noop = api.run_campaign(campaign, workspace).to_dict()
        print(f"  no-op re-run: {noop['rendered']} rendered in {noop['wall_seconds']} s", flush=True)
        noop2 = api.run_campaign(campaign, workspace).to_dict()
        print(f"  second no-op re-run: {noop2['rendered']} rendered in {noop2['wall_seconds']} s", flush=True)
        # 3. One concept's headline edited.
        edited_concept = "morning-launch"
        expected = edit_headline(campaign, edited_concept)
        edit = api.run_campaign(campaign, workspace).to_dict()
        print(f"  after headline edit: {edit['rendered']} rendered (expected {expected}) in "
              f"{edit['wall_seconds']} s\n", flush=True)

    runs = {"cold": cold, "noop": noop, "noop2": noop2, "edit_headline": edit}
    for d in runs.values():
        d.pop("output_dir", None)
        d.pop("contact_sheet", None)
        d["qc_failures"] = (d.get("qc_failures") or [])[:10]
    show(f"Runner: {cells}-cell campaign",
         ["run", "cells", "rendered", "reused", "failed", "wall s", "render s", "workers", "assets/s",
          "wall/(render/workers)"],
         [_row("cold", cold), _row("no-op re-run", noop), _row("no-op re-run again", noop2),
          _row(f"edit {edited_concept} headline", edit)], 2)
    labelled = (("cold", cold), ("no-op", noop), ("no-op again", noop2), ("edit", edit))
    qc_keys = sorted({k for _, d in labelled for k in (d.get("qc") or {})})
    show("Runner: steps executed/skipped and QC gate outcome",
         ["run", *(f"{k} exec/skip" for k in ("copy", "visual", "compose")), *(f"qc {k}" for k in qc_keys)],
         [[label, *(f"{d['steps'].get(k, {}).get('executed', 0)}/{d['steps'].get(k, {}).get('skipped', 0)}"
                    for k in ("copy", "visual", "compose")), *((d.get("qc") or {}).get(k) for k in qc_keys)]
          for label, d in labelled])
    summary = {
        "cells": cells, "workers": cold["workers"],
        "cold_assets_per_second": cold["assets_per_second"], "cold_wall_seconds": cold["wall_seconds"],
        "cold_cells_per_second": round(cells / cold["wall_seconds"], 2),
        "cold_render_seconds": cold["render_seconds"],
        "cold_render_per_worker_seconds": round(cold["render_seconds"] / max(1, cold["workers"]), 3),
        "cold_overhead_ratio": cold["overhead_ratio"],
        "noop_rendered": noop["rendered"], "noop_wall_seconds": noop["wall_seconds"],
        "noop2_rendered": noop2["rendered"], "noop2_wall_seconds": noop2["wall_seconds"],
        "cold_qc": cold.get("qc"),
        "edit_concept": edited_concept, "edit_rendered": edit["rendered"],
        "edit_wall_seconds": edit["wall_seconds"],
        "edit_expected_rendered": expected,
    }
    return {"summary": summary, "plan": {k: plan[k] for k in ("matrix", "cells", "steps")}, "runs": runs}
