"""Batch QC runs after the gates: a concept copied under a new id is caught as near-duplicate copy."""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML
from small_brief import shrink

from assetline.api import run_campaign


def test_batch_checks_report_and_catch_duplicated_copy(demo_brief: Path, tmp_path: Path) -> None:
    campaign = shrink(demo_brief, concepts=2, segments=1, formats=("iab-300x250",), variants=1)
    yaml = YAML()
    data = yaml.load(campaign.read_text(encoding="utf-8"))
    clone = yaml.load(yaml_dump(data["concepts"][0]))
    clone["id"] = "morning-launch-copy"
    data["concepts"].append(clone)
    with campaign.open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh)

    summary = run_campaign(campaign, tmp_path / "ws", executor="inline")
    report = summary.batch_qc
    assert set(report["checks"]) >= {"batch.diversity", "originality.copy", "originality.phash"}
    copy_counts = report["checks"]["originality.copy"]
    assert copy_counts.get("warn", 0) + copy_counts.get("fail", 0) >= 2, report


def yaml_dump(node: object) -> str:
    import io

    buf = io.StringIO()
    YAML().dump(node, buf)
    return buf.getvalue()
