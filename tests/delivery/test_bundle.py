"""Channel bundles: files + manifest + bulk-upload CSV + contact sheet + disclosure, written atomically."""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from delivery_items import BRAND, CAMPAIGN, INPUTS, USE_DATE, make_items, render_ad

from assetline.delivery import (
    SHEETS,
    BundleReport,
    CheckRun,
    DeliveryItem,
    DisclosureInfo,
    EngineUse,
    Usage,
    check_usage,
    read_bundle,
    sheet_for,
    withheld_entry,
    write_bundle,
)
from assetline.errors import DeliveryError

CREATED = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
INFO = DisclosureInfo(
    engines=[EngineUse("copy", "builtin.copy", "1.0", "fills the brief's copy templates"),
             EngineUse("visual", "builtin.visual", "1.2", "draws backgrounds from the brand palette"),
             EngineUse("compose", "builtin.compose", "1.4", "lays out photo, logo, text and button")],
    checks=[CheckRun("text.contrast", "text is readable against its background", 12, 0, 0),
            CheckRun("brand.palette", "designed colours are brand colours", 11, 1, 0)],
    inputs=INPUTS, signer="Orbit Studio")


def _blocked() -> list[dict[str, Any]]:
    blocks = check_usage(INPUTS, Usage("tiktok", "US", USE_DATE))  # the logo is licensed for meta and google only
    assert [b.reason_code for b in blocks] == ["channel"]
    return [withheld_entry(999, "espresso", "us-austin", "meta-feed-1x1", blocks, variant=1, revision=1)]


@pytest.fixture(scope="module")
def items() -> list[DeliveryItem]:
    return make_items()


@pytest.fixture(scope="module")
def bundle(items: list[DeliveryItem], tmp_path_factory: pytest.TempPathFactory) -> BundleReport:
    out = tmp_path_factory.mktemp("deliveries")
    return write_bundle(items, out, "meta", CAMPAIGN, BRAND, _blocked(), INFO, "https://orbit.example/spring",
                        created=CREATED)


def _manifest(report: BundleReport) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads(report.manifest.read_text(encoding="utf-8"))
    return manifest


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _siblings(out_dir: Path) -> list[str]:
    return sorted(p.name for p in out_dir.iterdir())


def test_every_manifest_file_exists_with_its_sha256(bundle: BundleReport, items: list[DeliveryItem]) -> None:
    manifest = read_bundle(bundle.root)
    files = manifest["files"]
    assert len(files) == len(items) == 12
    assert {f["asset_id"] for f in files} == {i.asset_id for i in items}
    for f in files:
        data = (bundle.root / f["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == f["sha256"] and len(data) == f["size"]
        assert f["path"] == f"{f['format_id']}/{f['file_name']}"
        assert f["approved_by"] == ["dana@orbit.example"] and f["watermark_id"] is not None
        assert {rec["name"] for rec in f["licences"]} == {"CC0-1.0", "proprietary", "OFL-1.1"}
    by_id = {i.asset_id: i for i in items}
    for f in files:
        assert (bundle.root / f["path"]).read_bytes() == by_id[f["asset_id"]].data  # written as given
    assert manifest["counts"] == {"files": 12, "withheld": 1, "contact_sheet_pages": 2}
    assert manifest["blocked"][0]["asset_id"] == 999
    assert manifest["created"] == CREATED.isoformat()


def test_file_names_are_descriptive_and_stable(bundle: BundleReport, items: list[DeliveryItem],
                                               tmp_path: Path) -> None:
    names = [f["file_name"] for f in _manifest(bundle)["files"]]
    assert "orbit-coffee_spring-launch_espresso_en-london_meta-feed-1x1_v1_r2.jpg" in names
    assert all(re.fullmatch(r"[a-z0-9.-]+(_[a-z0-9.-]+){6}\.(jpg|png)", n) for n in names)
    again = write_bundle(list(reversed(items)), tmp_path, "meta", CAMPAIGN, BRAND, [], None, created=CREATED)
    assert sorted(names) == sorted(f["file_name"] for f in _manifest(again)["files"])


def test_csv_rows_match_the_manifest(bundle: BundleReport) -> None:
    manifest = _manifest(bundle)
    assert bundle.csv.name == "meta-bulk-upload.csv"
    text = bundle.csv.read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    spec = sheet_for("meta")
    assert list(rows[0]) == list(spec.columns)
    assert [r[spec.file_column] for r in rows] == [f["file_name"] for f in manifest["files"]]
    assert manifest["bulk_upload"]["file_column"] == spec.file_column
    arabic = [r for r in rows if r["Ad Set Name"] == "ar-riyadh"]
    assert arabic and all("إسبريسو" in r["Title"] or "صباحك" in r["Title"] for r in arabic)
    assert {r["Call to Action"] for r in rows} == {"ORDER_NOW"} and {r["Link"] for r in rows} == {
        "https://orbit.example/spring"}


def test_contact_sheet_is_an_a4_landscape_pdf_with_one_page_per_eight_files(bundle: BundleReport) -> None:
    pdf = bundle.contact_sheet.read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == bundle.pages == 2
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert len(boxes) == 2
    for w, h in boxes:
        assert abs(float(w) - 842) < 1 and abs(float(h) - 595) < 1  # A4 landscape in points


def test_disclosure_names_every_licence_and_the_withheld_assets(bundle: BundleReport) -> None:
    page = html.unescape(bundle.disclosure_html.read_text(encoding="utf-8"))
    markdown = bundle.disclosure_md.read_text(encoding="utf-8")
    reasons = _manifest(bundle)["blocked"][0]["reasons"]
    for text in (page, markdown):
        for inp in INPUTS:
            assert inp.licence is not None
            assert inp.licence.name in text and inp.licence.owner in text and inp.ref in text
        for reason in reasons:
            assert reason["message"] in text
        assert "us-austin" in text
        assert "No trained AI model was used" in text or "no trained AI model was used" in text
        assert "assetline verify FILE" in text and "C2PA" in text
        assert "dana@orbit.example" in text and "text.contrast" in text and "builtin.visual" in text
    assert "<script" not in page


def test_disclosure_says_so_when_a_trained_model_was_used(items: list[DeliveryItem], tmp_path: Path) -> None:
    info = DisclosureInfo(engines=[EngineUse("visual", "diffusion", "0.3", "paints backgrounds from a prompt",
                                             trained_model="sd-turbo + orbit-lora v2", model_licence="OpenRAIL++")])
    ai_items = [replace(i, source_type="compositeWithTrainedAlgorithmicMedia") for i in items[:2]]
    report = write_bundle(ai_items, tmp_path, "meta", CAMPAIGN, BRAND, [], info, created=CREATED)
    text = report.disclosure_md.read_text(encoding="utf-8")
    assert "yes — a trained AI model helped make these files (sd-turbo + orbit-lora v2)" in text
    assert "includes elements made by a trained AI model" in text and "OpenRAIL++" in text
    bare = write_bundle(items[:1], tmp_path / "bare", "meta", CAMPAIGN, BRAND, [], None, created=CREATED)
    bare_text = bare.disclosure_md.read_text(encoding="utf-8")
    assert "did not include the list of tools" in bare_text and "Nothing was withheld" in bare_text


def test_redelivery_without_overwrite_is_refused_and_leaves_the_old_bundle(bundle: BundleReport,
                                                                           items: list[DeliveryItem]) -> None:
    before = _snapshot(bundle.root)
    siblings = _siblings(bundle.root.parent)
    with pytest.raises(DeliveryError, match="already exists") as err:
        write_bundle(items[:3], bundle.root.parent, "meta", CAMPAIGN, BRAND, [], None)
    assert "overwrite" in (err.value.hint or "")
    assert _snapshot(bundle.root) == before
    assert _siblings(bundle.root.parent) == siblings
    read_bundle(bundle.root)


def test_overwrite_replaces_the_bundle_atomically(items: list[DeliveryItem], tmp_path: Path) -> None:
    write_bundle(items, tmp_path, "meta", CAMPAIGN, BRAND, [], None, created=CREATED)
    report = write_bundle(items[:3], tmp_path, "meta", CAMPAIGN, BRAND, [], None, overwrite=True, created=CREATED)
    assert len(read_bundle(report.root)["files"]) == 3
    assert _siblings(tmp_path) == ["meta"]


def test_bad_item_fails_before_writing_and_leaves_no_folder(items: list[DeliveryItem], tmp_path: Path) -> None:
    out = tmp_path / "deliveries"
    broken = replace(items[3], data=b"<html>not an image</html>")
    with pytest.raises(DeliveryError, match=f"asset {broken.asset_id} .*not a readable image"):
        write_bundle([*items[:3], broken], out, "meta", CAMPAIGN, BRAND, [], None)
    assert not out.exists()


def test_failure_mid_write_leaves_no_folder(items: list[DeliveryItem], tmp_path: Path) -> None:
    good = items[0]
    truncated = replace(items[1], data=items[1].data[: len(items[1].data) // 3])  # header fine, pixels cut off
    out = tmp_path / "client" / "deliveries"
    with pytest.raises(DeliveryError, match="damaged"):
        write_bundle([good, truncated], out, "meta", CAMPAIGN, BRAND, [], None)
    assert _siblings(tmp_path) == []  # neither the bundle nor the folders made for it
    # with overwrite, a failed build leaves the previous bundle as it was
    write_bundle([good], out, "meta", CAMPAIGN, BRAND, [], None, created=CREATED)
    before = _snapshot(out / "meta")
    with pytest.raises(DeliveryError):
        write_bundle([good, truncated], out, "meta", CAMPAIGN, BRAND, [], None, overwrite=True)
    assert _snapshot(out / "meta") == before and _siblings(out) == ["meta"]


@pytest.mark.parametrize("change, message", [
    (lambda item: replace(item, channel="google"), "belongs to channel 'google'"),
    (lambda item: replace(item, mime="image/png"), "declared image/png but the bytes are image/jpeg"),
    (lambda item: replace(item, width=1200), "declared 1200×1080"),
    (lambda item: replace(item, mime="audio/mpeg"), "cannot deliver files of type 'audio/mpeg'"),
    (lambda item: replace(item, mime="video/mp4"), "declared video/mp4 but the bytes are image/jpeg"),
])
def test_inconsistent_items_are_refused(items: list[DeliveryItem], tmp_path: Path,
                                        change: Callable[[DeliveryItem], DeliveryItem], message: str) -> None:
    with pytest.raises(DeliveryError, match=re.escape(message)):
        write_bundle([change(items[0])], tmp_path, "meta", CAMPAIGN, BRAND, [], None)
    assert _siblings(tmp_path) == []


def test_read_bundle_catches_changed_missing_and_extra_files(items: list[DeliveryItem], tmp_path: Path) -> None:
    report = write_bundle(items[:4], tmp_path, "meta", CAMPAIGN, BRAND, [], None)
    assert read_bundle(report.manifest)["channel"] == "meta"
    report.files[0].write_bytes(report.files[0].read_bytes() + b"\0")
    report.files[1].unlink()
    (report.root / "notes.txt").write_text("hello")
    with pytest.raises(DeliveryError) as err:
        read_bundle(report.root)
    text = str(err.value)
    assert f"changed: {report.files[0].relative_to(report.root).as_posix()}" in text
    assert f"missing: {report.files[1].relative_to(report.root).as_posix()}" in text
    assert "not in the manifest: notes.txt" in text
    with pytest.raises(DeliveryError, match=r"no manifest\.json"):
        read_bundle(tmp_path)


def test_all_withheld_still_writes_a_complete_bundle(tmp_path: Path) -> None:
    report = write_bundle([], tmp_path, "meta", CAMPAIGN, BRAND, _blocked(), INFO, created=CREATED)
    manifest = read_bundle(report.root)
    assert manifest["files"] == [] and report.pages == 1
    rows = list(csv.reader(io.StringIO(report.csv.read_bytes().decode("utf-8-sig"))))
    assert rows == [list(sheet_for("meta").columns)]


@pytest.mark.parametrize("channel", [*SHEETS, "iab", "email", "pinterest", "youtube"])
def test_every_channel_gets_its_sheet(channel: str, items: list[DeliveryItem], tmp_path: Path) -> None:
    data = render_ad(300, 250, "Wake up to real espresso", "en", ((31, 58, 95), (214, 140, 69)), "image/png")
    item = replace(items[0], channel=channel, format_id=f"{channel}-300x250", width=300, height=250,
                   mime="image/png", data=data)
    report = write_bundle([item], tmp_path, channel, CAMPAIGN, BRAND, [], None, "https://orbit.example")
    spec = sheet_for(channel)
    [row] = list(csv.DictReader(io.StringIO(report.csv.read_bytes().decode("utf-8-sig"))))
    assert list(row) == list(spec.columns)
    assert row[spec.file_column] == _manifest(report)["files"][0]["file_name"]
    assert report.csv.name == f"{channel}-bulk-upload.csv"

