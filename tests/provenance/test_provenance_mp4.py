"""Signed MP4 (H.264/AAC) files, checked by an independent reader and by c2pa-python: valid as signed, and
invalid after any one-byte change to what the manifest binds.

The independent reader (``c2pa_mp4_reader``) is our own implementation of the C2PA specification; c2pa-python
(``verify_bytes``) is the library we sign with. Each tampering test asks both and expects the same verdict.
"""

from __future__ import annotations

import dataclasses
import io
import struct
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from provenance_helpers import SignedSet, demo_record, gradient, jpeg, needs_extra

av = pytest.importorskip("av", reason="PyAV is a core dependency: pip install -e .")
pytest.importorskip("cbor2", reason="the independent C2PA reader needs cbor2: pip install -e '.[test]'")

import cbor2  # noqa: E402
from c2pa_mp4_reader import (  # noqa: E402
    BMFF_MISMATCH,
    DATA_MISMATCH,
    MALFORMED,
    NO_MANIFEST,
    SIGNATURE,
    SIGNATURE_MISMATCH,
    UNTRUSTED,
    URI_MISMATCH,
    C2paReport,
    active_manifest,
    boxes,
    read_c2pa,
)

from assetline.errors import ProvenanceError  # noqa: E402
from assetline.provenance.keys import TenantKeys, load_keys  # noqa: E402
from assetline.provenance.manifest import build_manifest  # noqa: E402
from assetline.provenance.signing import sign  # noqa: E402
from assetline.provenance.verify import VerifyReport, verify_bytes  # noqa: E402

pytestmark = needs_extra

FPS, SECONDS, WIDTH, HEIGHT, RATE = 12, 2, 160, 96, 48_000
OTHER_UUID = bytes(range(16))
"""The usertype of a second, non-C2PA ``uuid`` box: the manifest must bind it."""


def box(kind: bytes, payload: bytes) -> bytes:
    """A top-level ISO BMFF box."""
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def make_mp4() -> bytes:
    """Two seconds of a moving bar over shifting colour (H.264) with a 440 Hz tone (AAC), byte-identical on
    every run. Two top-level boxes are appended after ``moov``: a 'free' box with padding
    (excluded from the hash) and a non-C2PA 'uuid' box (hashed)."""
    out = io.BytesIO()
    with av.open(out, "w", format="mp4") as container:
        video = container.add_stream("libx264", rate=FPS)
        video.width, video.height, video.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        # mbtree off: with it, repeated encodes in one process gave different bytes (7 of 40 at 320×240, PyAV
        # 18.1, threads=1); without it, 0 of 100
        video.options = {"preset": "veryfast", "threads": "1", "x264-params": "mbtree=0"}
        audio = container.add_stream("aac", rate=RATE)
        audio.layout = "mono"
        for i in range(FPS * SECONDS):
            luma = np.full((HEIGHT, WIDTH), 40 + i * 4, np.uint8)
            luma[:, : i * 6 % WIDTH] = 220
            chroma = np.full((HEIGHT // 2, WIDTH), (90 + i * 5) % 256, np.uint8)
            frame = av.VideoFrame.from_ndarray(np.concatenate([luma, chroma]), format="yuv420p")
            frame.pts, frame.time_base = i, Fraction(1, FPS)
            container.mux(video.encode(frame))
        container.mux(video.encode(None))
        tone = (0.2 * np.sin(2 * np.pi * 440 * np.arange(RATE * SECONDS) / RATE)).astype(np.float32)
        for start in range(0, tone.size, 1024):
            samples = av.AudioFrame.from_ndarray(tone[None, start:start + 1024], format="fltp", layout="mono")
            samples.sample_rate = RATE
            container.mux(audio.encode(samples))
        container.mux(audio.encode(None))
    return out.getvalue() + box(b"free", bytes(32)) + box(b"uuid", OTHER_UUID + b"studio metadata")


def decoded_frames(data: bytes) -> list[np.ndarray]:
    with av.open(io.BytesIO(data)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


@dataclass(frozen=True)
class SignedMp4:
    plain: bytes
    signed: bytes
    acme: TenantKeys
    beta: TenantKeys

    def box(self, kind: str, nth: int = 0) -> tuple[int, int]:
        """(start, end) of the nth top-level box of that type in the signed file."""
        found = [b for b in boxes(self.signed) if b.path == f"/{kind}"]
        return found[nth].start, found[nth].end


@pytest.fixture(scope="module")
def mp4(key_workspace: Path) -> SignedMp4:
    acme, beta = load_keys(key_workspace, "acme"), load_keys(key_workspace, "beta")
    record = demo_record()
    plain = make_mp4()
    return SignedMp4(plain, sign(plain, "video/mp4", build_manifest(record), acme, record.ingredients), acme, beta)


def flip(data: bytes, index: int) -> bytes:
    changed = bytearray(data)
    changed[index] ^= 0x01
    return bytes(changed)


def both(data: bytes, keys: TenantKeys) -> tuple[C2paReport, VerifyReport]:
    return read_c2pa(data, keys.anchors_pem), verify_bytes(data, "video/mp4", keys.anchors_pem)


def test_the_test_mp4_is_deterministic_and_holds_what_the_tests_need() -> None:
    first = make_mp4()
    assert first == make_mp4()
    assert [b.type for b in boxes(first) if b.path.count("/") == 1][-3:] == ["moov", "free", "uuid"]
    assert len(decoded_frames(first)) == FPS * SECONDS


def test_both_readers_say_the_signed_mp4_is_valid_and_read_it(mp4: SignedMp4) -> None:
    ours, theirs = both(mp4.signed, mp4.acme)
    assert ours.valid and ours.trusted, ours.problems
    assert ours.hard_binding in ("c2pa.hash.bmff.v2", "c2pa.hash.bmff.v3")
    assert ours.title == "spring-meta-feed.png" and ours.claim_generator.startswith("Assetline")  # type: ignore[union-attr]
    assert ours.actions == ["c2pa.created", "c2pa.placed", "c2pa.placed"]
    assert {"c2pa.actions.v2", "c2pa.training-mining", "com.assetline.lineage"} <= set(ours.assertions)
    assert ours.signer == "Acme Coffee Ltd content signer (acme)" and ours.signer_organisation == "Acme Coffee Ltd"
    assert theirs.state == "trusted" and theirs.failures == []
    assert theirs.title == ours.title and [a.action for a in theirs.actions] == ours.actions


def test_the_signed_mp4_still_decodes_to_the_same_frames(mp4: SignedMp4) -> None:
    before, after = decoded_frames(mp4.plain), decoded_frames(mp4.signed)
    assert len(after) == len(before) == FPS * SECONDS
    assert all(np.array_equal(a, b) for a, b in zip(before, after, strict=True))
    with av.open(io.BytesIO(mp4.signed)) as container:
        assert sum(f.samples for f in container.decode(audio=0)) >= RATE * SECONDS


def test_one_byte_in_the_media_data_makes_both_say_hash_mismatch(mp4: SignedMp4) -> None:
    start, end = mp4.box("mdat")
    ours, theirs = both(flip(mp4.signed, (start + end) // 2), mp4.acme)
    assert not ours.valid and ours.codes == [BMFF_MISMATCH]
    assert theirs.state == "invalid" and BMFF_MISMATCH in theirs.failures


def test_one_byte_in_the_signature_makes_both_say_signature_invalid(mp4: SignedMp4) -> None:
    manifest = active_manifest(mp4.signed)
    assert manifest is not None
    signature_box = manifest.child(SIGNATURE)
    assert signature_box is not None
    raw_signature = cbor2.loads(signature_box.content()[1]).value[3]  # COSE_Sign1 [protected, unprotected, nil, sig]
    assert mp4.signed.count(raw_signature) == 1
    ours, theirs = both(flip(mp4.signed, mp4.signed.index(raw_signature) + 5), mp4.acme)
    assert not ours.valid and ours.codes == [SIGNATURE_MISMATCH]
    assert ours.signer == "Acme Coffee Ltd content signer (acme)"  # the certificate itself is untouched
    assert theirs.state == "invalid" and SIGNATURE_MISMATCH in theirs.failures


def test_one_byte_in_an_assertion_makes_both_say_assertion_hash_mismatch(mp4: SignedMp4) -> None:
    at = mp4.signed.index(b"brand.palette")  # inside the com.assetline.qc assertion's CBOR text
    assert mp4.box("uuid")[0] < at < mp4.box("uuid")[1]
    ours, theirs = both(flip(mp4.signed, at), mp4.acme)
    assert not ours.valid and ours.codes == [URI_MISMATCH]
    assert ours.problems == [f"{URI_MISMATCH}: com.assetline.qc"]
    assert theirs.state == "invalid" and URI_MISMATCH in theirs.failures


def test_the_hash_binds_box_offsets_not_only_bytes(mp4: SignedMp4) -> None:
    """Inserting an empty 'free' box (itself excluded) before 'mdat' changes no hashed byte, only offsets."""
    start, _ = mp4.box("mdat")
    moved = mp4.signed[:start] + box(b"free", b"") + mp4.signed[start:]
    ours, theirs = both(moved, mp4.acme)
    assert ours.codes == [BMFF_MISMATCH]
    assert theirs.state == "invalid" and BMFF_MISMATCH in theirs.failures


def test_excluded_boxes_may_change_but_a_second_uuid_box_is_bound(mp4: SignedMp4) -> None:
    """The v3 hash excludes '/free' (and '/skip'); a 'uuid' box that is not C2PA's fails the data match."""
    _, free_end = mp4.box("free", -1)
    ours, theirs = both(flip(mp4.signed, free_end - 3), mp4.acme)
    assert ours.valid and theirs.state == "trusted"
    other_start, other_end = mp4.box("uuid", -1)
    assert mp4.signed[other_start + 8:other_start + 24] == OTHER_UUID
    ours, theirs = both(flip(mp4.signed, other_end - 2), mp4.acme)
    assert ours.codes == [BMFF_MISMATCH]
    assert theirs.state == "invalid" and BMFF_MISMATCH in theirs.failures


def test_a_plain_mp4_has_no_manifest(mp4: SignedMp4) -> None:
    ours, theirs = both(mp4.plain, mp4.acme)
    assert not ours.valid and ours.codes == [NO_MANIFEST] and "no manifest" in ours.problems[0]
    assert ours.title is None and ours.signer is None
    assert theirs.state == "none"


def test_another_tenants_root_does_not_make_the_chain_trusted(mp4: SignedMp4) -> None:
    other = read_c2pa(mp4.signed, mp4.beta.anchors_pem)
    assert other.codes == [UNTRUSTED] and not other.trusted
    unanchored = read_c2pa(mp4.signed)
    assert unanchored.valid and not unanchored.trusted


def test_damaged_and_foreign_input(mp4: SignedMp4) -> None:
    uuid_start, _ = mp4.box("uuid")
    truncated = read_c2pa(mp4.signed[:uuid_start + 500])
    assert not truncated.valid and truncated.codes == [MALFORMED] and "claims" in truncated.problems[0]
    with pytest.raises(ProvenanceError) as err:
        read_c2pa(b"just text, not a video")
    assert err.value.hint and ".mp4" in err.value.hint


def test_signed_jpeg_reads_valid_with_its_data_hash(signed: SignedSet) -> None:
    report = read_c2pa(signed.jpeg, signed.acme.anchors_pem)
    assert report.valid and report.trusted and report.hard_binding == "c2pa.hash.data", report.problems
    assert report.title == "spring-meta-feed.png" and report.actions[0] == "c2pa.created"
    tampered = read_c2pa(flip(signed.jpeg, len(signed.jpeg) - 200), signed.acme.anchors_pem)
    assert tampered.codes == [DATA_MISMATCH]


def test_a_manifest_split_across_several_app11_segments_reads_valid(signed: SignedSet) -> None:
    """A manifest over 64 KB spans several APP11 segments; each repeats the JUMBF box header."""
    record = dataclasses.replace(signed.record, qc_results=[
        {"check": f"check-{i}", "passed": True, "severity": "info", "note": "x" * 400} for i in range(250)])
    plain = jpeg(gradient(200, 200))
    data = sign(plain, "image/jpeg", build_manifest(record), signed.acme, record.ingredients)
    assert len(data) - len(plain) > 65_535  # more than one APP11 segment (at most 65,533 bytes each) holds
    report = read_c2pa(data, signed.acme.anchors_pem)
    assert report.valid, report.problems
    assert verify_bytes(data, None, signed.acme.anchors_pem).state == "trusted"
