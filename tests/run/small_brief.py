"""Build small campaigns from the demo brief for runner tests."""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML


def shrink(brief: Path, concepts: int = 2, segments: int = 2, formats: tuple[str, ...] = ("iab-300x250",
           "iab-320x50"), variants: int = 1) -> Path:
    """Trim the demo campaign in ``brief`` in place; returns the campaign path."""
    path = brief / "campaign.yaml"
    yaml = YAML()
    data = yaml.load(path.read_text(encoding="utf-8"))
    data["concepts"] = data["concepts"][:concepts]
    data["segments"] = data["segments"][:segments]
    data["formats"] = list(formats)
    data["variants"] = variants
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh)
    return path


def set_headline(campaign: Path, concept_index: int, headline: str) -> None:
    yaml = YAML()
    data = yaml.load(campaign.read_text(encoding="utf-8"))
    concept = data["concepts"][concept_index]
    concept["copy"]["headline"] = [headline]
    concept.get("translations", {}).pop("ar", None)
    concept.get("translations", {}).pop("hi", None)
    with campaign.open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh)
