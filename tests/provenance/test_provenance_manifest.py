"""manifest.py: source type rule, the definition's actions/assertions, input checks."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from provenance_helpers import demo_record

from assetline.errors import ProvenanceError
from assetline.provenance.manifest import (
    ALGORITHMIC_MEDIA,
    COMPOSITE,
    COMPOSITE_WITH_TRAINED,
    TRAINED_ALGORITHMIC_MEDIA,
    TRAINING_MINING_KEYS,
    Ingredient,
    ProvenanceRecord,
    assetline_version,
    build_manifest,
    choose_source_type,
    has_human_made,
)


@pytest.mark.parametrize(("trained", "human", "expected"), [
    (True, True, COMPOSITE_WITH_TRAINED), (True, False, TRAINED_ALGORITHMIC_MEDIA),
    (False, True, COMPOSITE), (False, False, ALGORITHMIC_MEDIA),
])
def test_choose_source_type(trained: bool, human: bool, expected: str) -> None:
    assert choose_source_type(used_trained_model=trained, has_human_made_inputs=human) == expected


def test_fonts_are_not_human_made_inputs_but_logos_and_photos_are() -> None:
    font = Ingredient("Inter.ttf", "0" * 64, "font/ttf", "font")
    logo = Ingredient("logo.png", "1" * 64, "image/png", "logo")
    assert not has_human_made([font]) and has_human_made([font, logo])


def by_label(definition: dict[str, object]) -> dict[str, dict[str, object]]:
    return {a["label"]: a["data"] for a in definition["assertions"]}  # type: ignore[index, union-attr]


def test_definition_has_created_placed_and_custom_assertions() -> None:
    record = demo_record(asset_id=7)
    definition = build_manifest(record)
    json.dumps(definition)
    assert definition["claim_generator_info"] == [{"name": "Assetline", "version": assetline_version()}]
    data = by_label(definition)
    actions = data["c2pa.actions"]["actions"]  # type: ignore[index]
    created = actions[0]
    assert created["action"] == "c2pa.created" and created["digitalSourceType"] == COMPOSITE
    assert created["softwareAgent"]["name"] == "Assetline" and created["when"] == "2026-11-23T10:00:00+00:00"
    placed = [a for a in actions if a["action"] == "c2pa.placed"]
    kinds = {i.label: i.kind for i in record.ingredients}
    assert sorted(kinds[a["parameters"]["ingredientIds"][0]] for a in placed) == ["logo", "photo"]  # no font
    assert data["com.assetline.qc"]["results"][1]["ratio"] == 7.1  # type: ignore[index]
    review = data["com.assetline.review"]["decisions"][0]  # type: ignore[index]
    assert review["who"] == "alice@orbit.example" and review["at"] == "2026-11-23T09:30:00+00:00"
    lineage = data["com.assetline.lineage"]
    assert lineage["asset_id"] == 7 and lineage["revision"] == 3 and lineage["watermark_id"] == 7
    assert {e["id"] for e in lineage["engines"]} == {"builtin.visual", "builtin.compose"}  # type: ignore[union-attr]
    assert len(data["com.assetline.licences"]["ingredients"]) == 3  # type: ignore[arg-type]


@pytest.mark.parametrize(("allowed", "use"), [(True, "allowed"), (False, "notAllowed")])
def test_training_mining_follows_the_brand(allowed: bool, use: str) -> None:
    entries = by_label(build_manifest(demo_record(ai_training=allowed)))["c2pa.training-mining"]["entries"]
    assert entries == {key: {"use": use} for key in TRAINING_MINING_KEYS}  # type: ignore[comparison-overlap]


def test_duplicate_ingredients_are_placed_once() -> None:
    logo = Ingredient.from_bytes("logo.png", b"\x89PNG fake", "image/png", "logo")
    record = ProvenanceRecord(asset_id=1, title="a.png", format_id="f", source_type=COMPOSITE,
                              ingredients=[logo, logo])
    actions = by_label(build_manifest(record))["c2pa.actions"]["actions"]  # type: ignore[index]
    assert sum(a["action"] == "c2pa.placed" for a in actions) == 1


@pytest.mark.parametrize(("change", "message"), [
    ({"source_type": "http://example.com/madeUp"}, "not an IPTC digital source type"),
    ({"asset_id": -1}, "non-negative"),
    ({"title": "  "}, "title is empty"),
    ({"review_decisions": [{"who": "bob", "decision": "approved"}]}, "lacks role, at"),
    ({"qc_results": [{"check": "x", "score": float("nan")}]}, "NaN"),
    ({"qc_results": [{"check": "x", "blob": object()}]}, "cannot be written"),
    ({"ingredients": [Ingredient("x.png", "abc", "image/png", "logo")]}, "64 lower-case hex"),
    ({"ingredients": [Ingredient("x.png", "0" * 64, "image/png", "logo", data=b"other")]}, "does not hash"),
])
def test_bad_records_are_refused(change: dict[str, object], message: str) -> None:
    fields = {"asset_id": 1, "title": "a.png", "format_id": "f", "source_type": COMPOSITE,
              "created_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)} | change
    with pytest.raises(ProvenanceError, match=message):
        build_manifest(ProvenanceRecord(**fields))  # type: ignore[arg-type]
