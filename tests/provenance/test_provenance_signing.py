"""signing.py + verify.py on real signed PNG and JPEG files: trust, tampering, stripping, contents."""

from __future__ import annotations

import json

import pytest
from PIL import Image
from provenance_helpers import (
    ASSET_ID,
    SignedSet,
    decode,
    demo_record,
    encode,
    gradient,
    jpeg,
    needs_extra,
    png,
    png_with_pixels_of,
)

from assetline.errors import ProvenanceError
from assetline.provenance.keys import trust_anchors
from assetline.provenance.manifest import COMPOSITE, build_manifest
from assetline.provenance.signing import sign
from assetline.provenance.verify import verify_bytes, verify_file

pytestmark = needs_extra


@pytest.mark.parametrize("kind", ["png", "jpeg"])
def test_signed_file_is_trusted_with_its_anchor_and_valid_without(signed: SignedSet, kind: str) -> None:
    data = getattr(signed, kind)
    trusted = verify_bytes(data, f"image/{kind}", signed.acme.anchors_pem)
    assert trusted.state == "trusted", trusted.failures
    assert trusted.failures == []
    untrusted = verify_bytes(data, None, None)
    assert untrusted.state == "valid" and untrusted.failures == ["signingCredential.untrusted"]
    assert verify_bytes(data, None, trust_anchors(signed.workspace)).state == "trusted"


def test_another_tenants_anchor_does_not_make_a_file_trusted(signed: SignedSet) -> None:
    assert verify_bytes(signed.beta_png, None, signed.acme.anchors_pem).state == "valid"
    assert verify_bytes(signed.png, None, signed.beta.anchors_pem).state == "valid"
    assert verify_bytes(signed.beta_png, None, signed.beta.anchors_pem).state == "trusted"


def test_one_pixel_edit_makes_the_png_invalid(signed: SignedSet) -> None:
    image = decode(signed.png).convert("RGB")
    x, y = 500, 700
    r, g, b = image.getpixel((x, y))  # type: ignore[misc]
    image.putpixel((x, y), (r ^ 1, g, b))
    tampered = png_with_pixels_of(signed.png, png(image))
    report = verify_bytes(tampered, None, signed.acme.anchors_pem)
    assert report.state == "invalid" and "assertion.dataHash.mismatch" in report.failures
    assert report.lineage["asset_id"] == ASSET_ID  # the (untrustworthy) claims are still shown
    assert report.summary_lines()[0].startswith("Content Credentials: INVALID")


def test_edited_jpeg_bytes_make_it_invalid(signed: SignedSet) -> None:
    tampered = bytearray(signed.jpeg)
    tampered[-200] ^= 0x10  # inside the entropy-coded image data, after the manifest segment
    report = verify_bytes(bytes(tampered), None, signed.acme.anchors_pem)
    assert report.state == "invalid" and "assertion.dataHash.mismatch" in report.failures


@pytest.mark.parametrize(("kind", "fmt"), [("png", "PNG"), ("jpeg", "JPEG")])
def test_resaved_copy_has_no_manifest_but_keeps_the_watermark(signed: SignedSet, kind: str, fmt: str) -> None:
    resaved = encode(decode(getattr(signed, kind)), fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    report = verify_bytes(resaved, None, signed.acme.anchors_pem)
    assert report.state == "none" and report.title is None
    assert report.watermark_checked and report.watermark_id == ASSET_ID and report.asset_id == ASSET_ID


def test_report_reads_back_everything(signed: SignedSet) -> None:
    report = verify_bytes(signed.jpeg, "image/jpg", signed.acme.anchors_pem)
    assert report.title == "spring-meta-feed.png" and report.claim_generator.startswith("Assetline")  # type: ignore[union-attr]
    assert report.signer and "Acme Coffee Ltd" in report.signer and report.issuer == "Acme Coffee Ltd"
    assert report.signed_at == "2026-11-23T10:00:00+00:00" and report.signed_at_source == "claimed"
    assert report.source_type == COMPOSITE
    created = [a for a in report.actions if a.action == "c2pa.created"]
    assert len(created) == 1 and created[0].digital_source_type == COMPOSITE
    placed = {tuple(a.ingredients) for a in report.actions if a.action == "c2pa.placed"}
    assert placed == {("orbit-logo.png",), ("espresso.jpg",)}
    assert {(i.title, i.kind) for i in report.ingredients} == {
        ("orbit-logo.png", "logo"), ("espresso.jpg", "photo"), ("Inter-Regular.ttf", "font")}
    assert [q["check"] for q in report.qc] == ["brand.palette", "text.contrast"]
    assert report.approved_by == ["alice@orbit.example"] and report.review[0]["role"] == "brand-manager"
    assert report.licences["summary"] == {"status": "cleared", "expires": "2027-11-30"}
    assert report.lineage["asset_id"] == ASSET_ID and report.lineage["revision"] == 3
    assert report.lineage["content_key"] == "ck-9f2c" and report.lineage["watermark_id"] == ASSET_ID
    assert report.training_mining == {"c2pa.ai_training": "notAllowed", "c2pa.ai_generative_training": "notAllowed",
                                      "c2pa.ai_inference": "notAllowed", "c2pa.data_mining": "notAllowed"}
    assert report.watermark_id == ASSET_ID
    as_json = json.loads(json.dumps(report.to_dict()))
    assert as_json["state"] == "trusted" and as_json["asset_id"] == ASSET_ID
    text = "\n".join(report.summary_lines())
    assert "TRUSTED" in text and "alice@orbit.example" in text and f"watermark: asset {ASSET_ID}" in text


def test_verify_file_detects_the_type_from_the_bytes(signed: SignedSet, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "looks-like.png"
    path.write_bytes(signed.jpeg)
    report = verify_file(path, signed.acme.anchors_pem)
    assert report.mime == "image/jpeg" and report.state == "trusted"


def test_unsigned_and_unsupported_files(signed: SignedSet, tmp_path) -> None:  # type: ignore[no-untyped-def]
    plain = verify_bytes(png(gradient(300, 200)), None, signed.acme.anchors_pem)
    assert plain.state == "none" and plain.watermark_checked and plain.watermark_id is None
    assert "none found" in "\n".join(plain.summary_lines())
    with pytest.raises(ProvenanceError) as err:
        verify_bytes(b"just some text, not a picture", None, None)
    assert err.value.hint and "PNG" in err.value.hint
    with pytest.raises(ProvenanceError, match="not image/png"):
        verify_bytes(signed.jpeg, "image/png", None)


def test_sign_checks_its_inputs(signed: SignedSet) -> None:
    data = jpeg(gradient(200, 200))
    with pytest.raises(ProvenanceError, match="not image/png"):
        sign(data, "image/png", signed.manifest, signed.acme, signed.record.ingredients)
    with pytest.raises(ProvenanceError) as err:
        sign(data, "image/jpeg", signed.manifest, signed.acme, [])
    assert "not passed to sign" in err.value.message
    with pytest.raises(ProvenanceError, match="not a file type"):
        sign(b"raw pixels", "image/png", signed.manifest, signed.acme, signed.record.ingredients)


def test_training_allowed_reads_back_and_signing_is_the_last_write(signed: SignedSet) -> None:
    record = demo_record(asset_id=5, ai_training=True)
    data = sign(png(Image.new("RGB", (64, 64), (10, 20, 30))), "image/png", build_manifest(record), signed.acme,
                record.ingredients)
    report = verify_bytes(data, None, signed.acme.anchors_pem)
    assert report.state == "trusted" and set(report.training_mining.values()) == {"allowed"}
    assert not report.watermark_checked or report.watermark_id is None  # 64×64: never marked
    # Any re-save after signing loses the manifest: signing must be the last write.
    assert verify_bytes(encode(decode(data), "PNG", optimize=True), None, None).state == "none"
