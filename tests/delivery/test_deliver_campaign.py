"""`assetline deliver` end to end on a reviewed workspace: licence gate on real lineage, signed files that verify
as trusted, tamper detection, a stripped copy traced by its watermark, bundle CSV = manifest."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from assetline import api
from assetline.cli.main import app
from assetline.delivery.bundle import read_bundle
from assetline.errors import InvalidRequestError, NotFoundError
from assetline.provenance.keys import init_keys
from reviewkit import ReviewWorkspace

REVIEWER = "reviewer@acme.example"


def _restrict_licences(ws: ReviewWorkspace) -> None:
    """Rocket photo: GB only. Coffee photo: meta only. Logos: valid until 2030."""
    brand = ws.root / "brief-acme" / "brand.yaml"
    text = brand.read_text(encoding="utf-8")
    text = text.replace("licence: {owner: SpaceX, name: Public-Domain, terms: {ai_training: true},",
                        "licence: {owner: SpaceX, name: Public-Domain, terms: {territories: [GB]},")
    text = text.replace("licence: {owner: Rachel Michetti (courtesy of Pikolo Espresso Bar), name: CC0-1.0, "
                        "terms: {ai_training: true},",
                        "licence: {owner: Rachel Michetti (courtesy of Pikolo Espresso Bar), name: CC0-1.0, "
                        "terms: {channels: [meta]},")
    text = text.replace("licence: {owner: Orbit Coffee (fictional), name: proprietary}",
                        "licence: {owner: Orbit Coffee (fictional), name: proprietary, valid_until: 2030-01-01}")
    assert text.count("terms: {territories: [GB]}") == 1 and text.count("valid_until: 2030-01-01") == 2
    brand.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def delivered(review_base: ReviewWorkspace, tmp_path_factory: pytest.TempPathFactory) -> tuple[ReviewWorkspace, dict]:
    ws = review_base.copy_to(tmp_path_factory.mktemp("delivered") / "ws")
    _restrict_licences(ws)
    waiting = [a["id"] for a in api.review_assets("acme-launch", REVIEWER, status="in_review", workspace=ws.root)]
    api.review_decide(waiting, "approve", REVIEWER, note="ok", workspace=ws.root)
    init_keys(ws.root, "acme", "Acme Studio")
    results = {ch: api.deliver("acme-launch", ch, ws.root / "out", workspace=ws.root, tenant="acme")
               for ch in ("meta", "iab")}
    return ws, results


def _cells(entries: list[dict], ws: ReviewWorkspace) -> set[tuple[str, str]]:
    rows = {a["id"]: a for a in api.review_assets("acme-launch", REVIEWER, workspace=ws.root)}
    return {(rows[e["asset_id"]]["concept"], rows[e["asset_id"]]["segment"]) for e in entries}


def test_licence_gate_withholds_exactly_the_assets_it_should(delivered: tuple[ReviewWorkspace, dict]) -> None:
    ws, results = delivered
    meta, iab = results["meta"], results["iab"]
    assert _cells(meta["delivered"], ws) == {("morning-launch", "london-commuters"),
                                            ("morning-launch", "dubai-professionals"), ("lift-off", "london-commuters")}
    assert _cells(meta["withheld"], ws) == {("lift-off", "dubai-professionals")}
    assert len(meta["delivered"]) == 6 and len(meta["withheld"]) == 2
    assert {r["reason_code"] for w in meta["withheld"] for r in w["reasons"]} == {"territory"}
    assert _cells(iab["delivered"], ws) == {("lift-off", "london-commuters")}
    codes = {(w["concept"], r["reason_code"]) for w in iab["withheld"] for r in w["reasons"]}
    assert codes == {("morning-launch", "channel"), ("lift-off", "territory")}


def test_bundle_opens_and_its_csv_matches_the_manifest(delivered: tuple[ReviewWorkspace, dict]) -> None:
    _, results = delivered
    root = Path(results["meta"]["root"])
    manifest = read_bundle(root)  # checks every file's sha256
    names = sorted(f["file_name"] for f in manifest["files"])
    with open(root / "meta-bulk-upload.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert sorted(r["Image File Name"] for r in rows) == names and len(names) == 6
    assert (root / "contact-sheet.pdf").read_bytes().startswith(b"%PDF")
    html = (root / "HOW-THIS-WAS-MADE.html").read_text(encoding="utf-8")
    assert "CC0-1.0" in html and "SpaceX" in html
    for entry in manifest["files"]:
        assert Image.open(root / entry["path"]).size[0] > 0


def test_signed_file_verifies_trusted_and_names_its_approver(delivered: tuple[ReviewWorkspace, dict]) -> None:
    ws, results = delivered
    entry = results["meta"]["delivered"][0]
    report = api.verify(entry["file"], workspace=ws.root, tenant="acme")
    assert report["state"] == "trusted"
    assert report["asset"]["id"] == entry["asset_id"] and report["delivered_file"] is True
    assert report["watermark_id"] == entry["asset_id"] and report["watermark_matches_manifest"] is True
    assert REVIEWER in report["approved_by"]
    assert report["source_type"].endswith("/composite")
    assert any((i.get("licence") or {}).get("name") == "CC0-1.0" for i in report["licences"]["ingredients"])


def test_one_pixel_edit_is_detected_and_a_stripped_copy_is_traced(delivered: tuple[ReviewWorkspace, dict],
                                                                   tmp_path: Path) -> None:
    ws, results = delivered
    entry = results["meta"]["delivered"][0]
    data = bytearray(Path(entry["file"]).read_bytes())
    # flip one byte of the image data (after the C2PA segments, well inside the scan)
    data[-2000] ^= 0x01
    tampered = tmp_path / "tampered.jpg"
    tampered.write_bytes(bytes(data))
    report = api.verify(tampered, workspace=ws.root, tenant="acme")
    assert report["state"] == "invalid" and report["failures"]
    stripped = tmp_path / "stripped.jpg"
    Image.open(entry["file"]).save(stripped, quality=85)
    report = api.verify(stripped, workspace=ws.root, tenant="acme")
    assert report["state"] == "none"
    assert report["asset"] is not None and report["asset"]["id"] == entry["asset_id"]
    assert report["delivered_file"] is False


def test_another_tenant_cannot_find_the_asset(delivered: tuple[ReviewWorkspace, dict]) -> None:
    ws, results = delivered
    entry = results["meta"]["delivered"][0]
    report = api.verify(entry["file"], workspace=ws.root, tenant="globex")
    assert report["state"] == "valid"  # globex has no anchor for acme's signer
    assert report["asset"] is None


def test_bad_delivery_requests_are_refused(delivered: tuple[ReviewWorkspace, dict]) -> None:
    ws, _ = delivered
    with pytest.raises(InvalidRequestError, match="no format for channel 'tiktok'"):
        api.deliver("acme-launch", "tiktok", ws.root / "out2", workspace=ws.root, tenant="acme")
    with pytest.raises(NotFoundError):
        api.deliver("no-such", "meta", ws.root / "out2", workspace=ws.root, tenant="acme")
    with pytest.raises(InvalidRequestError, match="withheld all"):
        from assetline.delivery.deliver import deliver_campaign

        deliver_campaign(ws.settings("acme"), "acme-launch", "meta", ws.root / "out3", on=date(2031, 1, 1))
    assert not (ws.root / "out3").exists() and not (ws.root / "out2").exists()


def test_cli_deliver_verify_lineage_and_bad_input(delivered: tuple[ReviewWorkspace, dict]) -> None:
    ws, results = delivered
    runner = CliRunner()
    entry = results["meta"]["delivered"][0]
    r = runner.invoke(app, ["verify", entry["file"], "-w", str(ws.root), "--tenant", "acme", "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["state"] == "trusted"
    r = runner.invoke(app, ["lineage", str(entry["asset_id"]), "-w", str(ws.root), "--tenant", "acme", "--json"])
    lineage = json.loads(r.stdout)
    assert r.exit_code == 0 and {s["step"] for s in lineage["steps"]} == {"copy", "visual", "compose"}
    assert lineage["review"]["decisions"][0]["by"] == REVIEWER
    assert all(i["licence"] for i in lineage["inputs"])
    r = runner.invoke(app, ["lineage", "999999", "-w", str(ws.root), "--tenant", "acme"])
    assert r.exit_code == 2 and "no asset 999999" in r.output
    r = runner.invoke(app, ["verify", str(ws.root / "nope.png"), "-w", str(ws.root)])
    assert r.exit_code == 2
    notimage = ws.root / "notes.txt"
    notimage.write_text("hello")
    r = runner.invoke(app, ["verify", str(notimage), "-w", str(ws.root)])
    assert r.exit_code == 2 and "Traceback" not in r.output
    r = runner.invoke(app, ["deliver", "acme-launch", "--channel", "meta", "--out", str(ws.root / "out"),
                            "-w", str(ws.root), "--tenant", "acme"])
    assert r.exit_code == 2 and "overwrite" in r.output.lower()  # the earlier bundle is never clobbered
    r = runner.invoke(app, ["deliver", "acme-launch", "--channel", "meta", "--out", str(ws.root / "out"),
                            "-w", str(ws.root), "--tenant", "globex"])
    assert r.exit_code == 2


def test_delivered_bytes_are_in_the_store(delivered: tuple[ReviewWorkspace, dict]) -> None:
    ws, results = delivered
    from assetline.store.blobs import BlobStore

    blobs = BlobStore(ws.settings("acme").blob_dir)
    for entry in results["meta"]["delivered"]:
        assert blobs.exists(entry["sha256"])
        assert io.BytesIO(blobs.get(entry["sha256"])).read() == Path(entry["file"]).read_bytes()
