"""An independent C2PA reader for signed MP4 (and JPEG) files: test support, written from the C2PA specification.

c2pa-python is the library Assetline signs with, so a test that only asks c2pa-python whether its own output is
valid proves little. This module re-derives the verdict from the bytes alone, with nothing but ``cbor2``,
``hashlib`` and ``cryptography``:

    report = read_c2pa(signed_mp4, root_pem=keys.anchors_pem)
    report.valid, report.codes       # True, []   — or False, ['assertion.bmffHash.mismatch']
    report.title, report.actions     # 'spring-meta-feed.png', ['c2pa.created', 'c2pa.placed', …]

What it checks (C2PA Technical Specification 2.x; sections as numbered in 2.1–2.3):
    1. the container (Appendix A): the top-level ISO BMFF ``uuid`` box with usertype d8fec3d6-…, FullBox
       version/flags, purpose 'manifest', an 8-byte Merkle offset, then the JUMBF manifest store; for JPEG, the
       APP11 segments ('JP', box instance, sequence number), joined back into one JUMBF box
    2. JUMBF (ISO 19566-5): superboxes ``jumb`` = description ``jumd`` (type UUID, toggles, label, optional id,
       signature, private ``c2sh`` salt) + content boxes (``cbor``, ``json``, …); the active manifest is the last
       in the store (§15.5); its claim (CBOR) and claim signature (COSE_Sign1)
    3. the hard binding: ``c2pa.hash.bmff.v2``/``.v3`` (§18.6) — exclusions by xpath (+ length, version, flags,
       data, subset), then, in file order, each top-level box not wholly excluded contributes its offset as an
       8-byte big-endian integer followed by its non-excluded bytes. The offset rule was read in c2pa-rs
       (``bmff_to_jumbf_exclusions``, ``hash_stream_by_alg``) and confirmed by recomputing the hash of a file
       c2pa-python signed. Like c2pa-rs, v2 and v3 hash unfragmented files alike; their Merkle-tree rules for
       fragmented files are refused here. ``c2pa.hash.data`` (§18.5, JPEG): every byte outside the exclusions
    4. every assertion the claim lists: a hashed URI over the assertion superbox's contents (``jumd`` + content
       boxes, without the superbox's own 8-byte header — measured on c2pa-python's output)
    5. the claim signature: COSE_Sign1 (CBOR tag 18, detached payload) over Sig_structure ["Signature1",
       protected, b"", claim bytes] with the end-entity certificate of ``x5chain`` (label 33), ECDSA's raw r||s
       turned into DER for ``cryptography``; the chain is checked link by link up to ``root_pem``

Problems carry the specification's validation status codes ('claimSignature.mismatch', …) followed by a detail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import struct
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import cbor2
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, utils

from assetline.errors import ProvenanceError

C2PA_UUID = bytes.fromhex("d8fec3d61b0e483c92975828877ec481")
"""The usertype of the top-level ``uuid`` box that carries C2PA data in ISO BMFF files."""
JUMBF_UUID_TAIL = bytes.fromhex("00110010800000aa00389b71")
"""C2PA's JUMBF type UUIDs are a four-character code followed by these 12 bytes."""
MANIFEST_STORE, MANIFEST, UPDATE_MANIFEST = b"c2pa", b"c2ma", b"c2um"
ASSERTION_STORE, CLAIM, SIGNATURE = b"c2as", b"c2cl", b"c2cs"
CONTAINERS = frozenset({"moov", "trak", "mdia", "minf", "stbl", "edts", "dinf", "udta", "mvex", "moof", "traf",
                        "mfra", "meco", "sinf", "schi"})
"""Boxes whose payload is nothing but child boxes (``meta`` too, after its FullBox header): xpaths reach into
these."""
COSE_ALGS: dict[int, str] = {-7: "ES256", -35: "ES384", -36: "ES512"}
ECDSA_HASHES: dict[str, type[hashes.HashAlgorithm]] = {"ES256": hashes.SHA256, "ES384": hashes.SHA384,
                                                        "ES512": hashes.SHA512}
X5CHAIN = 33

NO_MANIFEST = "manifest.missing"
MALFORMED = "claim.malformed"
BMFF_MISMATCH = "assertion.bmffHash.mismatch"
DATA_MISMATCH = "assertion.dataHash.mismatch"
URI_MISMATCH = "assertion.hashedURI.mismatch"
ASSERTION_MISSING = "assertion.missing"
NO_HARD_BINDING = "claim.hardBindings.missing"
SIGNATURE_MISMATCH = "claimSignature.mismatch"
SIGNATURE_MISSING = "claimSignature.missing"
CREDENTIAL_INVALID = "signingCredential.invalid"
CREDENTIAL_EXPIRED = "signingCredential.expired"
UNTRUSTED = "signingCredential.untrusted"
UNSUPPORTED = "algorithm.unsupported"


class Malformed(Exception):
    """The bytes do not parse as the structure they claim to be: reported as a problem, never raised out."""


@dataclass
class C2paReport:
    """What the reader found. ``valid`` is True only when no check failed (and the chain reached the root, when
    one was given); without ``root_pem`` the chain is not judged and ``trusted`` stays False."""

    valid: bool = False
    problems: list[str] = field(default_factory=list)
    claim_generator: str | None = None
    title: str | None = None
    assertions: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    signer: str | None = None
    """The end-entity certificate's subject common name."""
    signer_organisation: str | None = None
    hard_binding: str | None = None
    """The label of the hard-binding assertion that was recomputed (e.g. 'c2pa.hash.bmff.v3')."""
    trusted: bool = False

    @property
    def codes(self) -> list[str]:
        """The validation status codes of the problems, without their details."""
        return [p.split(":", 1)[0] for p in self.problems]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Box:
    """One ISO BMFF box: where it sits, how big it is, its path from the root ('/moov/trak/mdia')."""

    type: str
    path: str
    start: int
    size: int
    header: int

    @property
    def end(self) -> int:
        return self.start + self.size


@dataclass
class Jumbf:
    """A JUMBF superbox: its description (type, label) and what it holds. ``payload`` is everything after the
    superbox's own header — the bytes a hashed URI covers."""

    type: bytes
    label: str | None
    payload: bytes
    children: list[Jumbf] = field(default_factory=list)
    contents: list[tuple[str, bytes]] = field(default_factory=list)

    def child(self, kind: bytes) -> Jumbf | None:
        return next((c for c in self.children if c.type == kind + JUMBF_UUID_TAIL), None)

    def content(self) -> tuple[str, bytes]:
        if not self.contents:
            raise Malformed(f"JUMBF box '{self.label}' has no content box")
        return self.contents[0]


# -- 1. containers ---------------------------------------------------------------------------------------------


def _box_header(data: bytes, pos: int, end: int) -> tuple[str, int, int]:
    """(type, size, header length) of the box at ``pos``: ISO BMFF and JUMBF share LBox/TBox/XLBox."""
    if end - pos < 8:
        raise Malformed(f"{end - pos} stray bytes at offset {pos} (a box header needs 8)")
    size, kind = struct.unpack(">I4s", data[pos:pos + 8])
    name, header = kind.decode("latin-1"), 8
    if size == 1:
        (size,) = struct.unpack(">Q", data[pos + 8:pos + 16])
        header = 16
    elif size == 0:
        size = end - pos
    header += 16 if name == "uuid" else 0
    if size < header or pos + size > end:
        raise Malformed(f"box '{name}' at offset {pos} claims {size} bytes; only {end - pos} remain")
    return name, size, header


def boxes(data: bytes, start: int = 0, end: int | None = None, parent: str = "") -> Iterator[Box]:
    """The boxes between ``start`` and ``end``, descending into known containers (depth first, file order)."""
    end = len(data) if end is None else end
    pos = start
    while pos < end:
        name, size, header = _box_header(data, pos, end)
        box = Box(name, f"{parent}/{name}", pos, size, header)
        yield box
        if name in CONTAINERS or name == "meta":
            yield from boxes(data, pos + header + (4 if name == "meta" else 0), pos + size, box.path)
        pos += size


def _c2pa_uuid_payload(data: bytes) -> bytes | None:
    """The JUMBF manifest store from the top-level C2PA ``uuid`` box whose purpose is 'manifest'."""
    found = []
    for box in boxes(data):
        if box.path != "/uuid" or data[box.start + box.header - 16:box.start + box.header] != C2PA_UUID:
            continue
        body = data[box.start + box.header:box.end]
        nul = body.find(b"\x00", 4)
        if nul < 0:
            raise Malformed("the C2PA uuid box has no purpose string")
        if body[4:nul] == b"manifest":
            found.append(body[nul + 1 + 8:])  # after the purpose: the 8-byte offset of a Merkle 'uuid' box
    if len(found) > 1:
        raise Malformed(f"{len(found)} C2PA manifest uuid boxes (one allowed)")
    return found[0] if found else None


def _jpeg_app11_payload(data: bytes) -> bytes | None:
    """The JUMBF manifest store reassembled from JPEG APP11 segments (JPEG XT box instance of a 'c2pa' store)."""
    pieces: dict[int, list[tuple[int, bytes]]] = {}
    pos = 2
    while pos + 4 <= len(data) and data[pos] == 0xFF and data[pos + 1] not in (0xDA, 0xD9):
        marker = data[pos + 1]
        (length,) = struct.unpack(">H", data[pos + 2:pos + 4])
        segment = data[pos + 4:pos + 2 + length]
        if marker == 0xEB and segment[:2] == b"JP":
            instance, sequence = struct.unpack(">HI", segment[2:8])
            pieces.setdefault(instance, []).append((sequence, segment[8:]))
        pos += 2 + length
    for parts in pieces.values():
        parts.sort()
        first = parts[0][1]
        header = 16 if struct.unpack(">I", first[:4])[0] == 1 else 8
        store = first + b"".join(p[header:] for _, p in parts[1:])  # later segments repeat LBox/TBox
        if store[header + 8:header + 12] == MANIFEST_STORE:
            return store
    return None


# -- 2. JUMBF --------------------------------------------------------------------------------------------------


def _jumbf_boxes(data: bytes) -> Iterator[tuple[str, bytes]]:
    """(type, payload) of each box in ``data``, in order."""
    pos = 0
    while pos < len(data):
        name, size, header = _box_header(data, pos, len(data))
        yield name, data[pos + header:pos + size]
        pos += size


def parse_jumbf(payload: bytes) -> Jumbf:
    """One superbox from its payload (after the ``jumb`` header): the ``jumd`` first, then its content."""
    inner = list(_jumbf_boxes(payload))
    if not inner or inner[0][0] != "jumd" or len(inner[0][1]) < 17:
        raise Malformed("a JUMBF superbox does not start with a description box")
    desc = inner[0][1]
    toggles, label = desc[16], None
    if toggles & 0x02:
        nul = desc.find(b"\x00", 17)
        if nul < 0:
            raise Malformed("a JUMBF label is not terminated")
        label = desc[17:nul].decode("utf-8", "replace")
    box = Jumbf(desc[:16], label, payload)
    for kind, body in inner[1:]:
        if kind == "jumb":
            box.children.append(parse_jumbf(body))
        else:
            box.contents.append((kind, body))
    return box


def _decode(kind: str, body: bytes) -> Any:
    if kind == "cbor":
        return cbor2.loads(body)
    if kind == "json":
        return json.loads(body)
    return body


# -- 3. hard bindings ------------------------------------------------------------------------------------------


def _resolve_xpath(tree: Sequence[Box], xpath: str) -> list[Box]:
    """Boxes named by an xpath such as '/uuid' or '/moov/trak[2]/mdia' ([n]: the n-th of that type, from 1)."""
    parents: list[Box | None] = [None]  # None: the file itself
    for step in xpath.strip("/").split("/"):
        name, _, index = step.partition("[")
        found: list[Box | None] = []
        for parent in parents:
            path = f"{parent.path if parent else ''}/{name}"
            kids = [b for b in tree if b.path == path and (parent is None or parent.start <= b.start < parent.end)]
            if index:
                nth = int(index.rstrip("]"))
                kids = kids[nth - 1:nth] if nth >= 1 else []
            found += kids
        parents = found
    return [b for b in parents if b is not None]


def _bmff_exclusions(data: bytes, tree: Sequence[Box], exclusions: Sequence[Mapping[str, Any]]
                     ) -> tuple[list[tuple[int, int]], set[int]]:
    """(excluded byte ranges, starts of top-level boxes excluded as a whole) per the exclusion maps."""
    ranges: list[tuple[int, int]] = []
    whole: set[int] = set()
    for rule in exclusions:
        for box in _resolve_xpath(tree, str(rule["xpath"])):
            if rule.get("length") is not None and rule["length"] != box.size:
                continue
            full_header = data[box.start + box.header:box.start + box.header + 4]
            if rule.get("version") is not None and full_header[:1] != bytes([rule["version"]]):
                continue
            if rule.get("flags") is not None:
                wanted, have = int.from_bytes(bytes(rule["flags"])[:3], "big"), int.from_bytes(full_header[1:4], "big")
                if (wanted != have) if rule.get("exact", True) else (wanted | have) != wanted:
                    continue
            if any(data[box.start + m["offset"]:box.start + m["offset"] + len(m["value"])] != m["value"]
                   for m in rule.get("data") or []):
                continue
            if rule.get("subset"):
                for sub in rule["subset"]:
                    length = box.size - sub["offset"] if sub["length"] == 0 else min(sub["length"], box.size)
                    ranges.append((box.start + sub["offset"], box.start + sub["offset"] + length))
            else:
                ranges.append((box.start, box.end))
                whole.add(box.start)
    return ranges, whole


def _included(size: int, excluded: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """[0, size) minus the excluded ranges, as sorted half-open ranges."""
    out, pos = [], 0
    for start, end in sorted(excluded):
        if start > pos:
            out.append((pos, min(start, size)))
        pos = max(pos, end)
    if pos < size:
        out.append((pos, size))
    return out


def _hash_ranges(alg: str, data: bytes, included: Sequence[tuple[int, int]], markers: Sequence[int] = ()) -> bytes:
    """Hash the included ranges in order; at each marker position hash the position as 8 big-endian bytes
    first (BMFF v2+)."""
    hasher = hashlib.new(alg)
    pieces: list[tuple[int, int, int | None]] = []  # (position, 0 = marker first, end or None)
    for start, end in included:
        cuts = [m for m in markers if start < m < end]
        for a, b in zip([start, *cuts], [*cuts, end], strict=True):
            pieces.append((a, 1, b))
    if included:
        first, last = included[0][0], included[-1][1]
        pieces += [(m, 0, None) for m in markers if first <= m < last]
    view = memoryview(data)
    for pos, _, stop in sorted(pieces, key=lambda p: (p[0], p[1])):
        hasher.update(pos.to_bytes(8, "big") if stop is None else view[pos:stop])
    return hasher.digest()


def bmff_hash(data: bytes, assertion: Mapping[str, Any], label: str, claim_alg: str) -> bytes:
    """The BMFF hash of ``data`` as the assertion defines it (exclusions, algorithm, version from the label)."""
    if assertion.get("merkle"):
        raise Malformed("a Merkle-tree BMFF hash (fragmented MP4) is not supported by this reader")
    tree = list(boxes(data))
    excluded, whole = _bmff_exclusions(data, tree, assertion.get("exclusions") or [])
    version = int(label.split("__")[0].rsplit(".v", 1)[1]) if ".v" in label else 1
    markers = sorted(b.start for b in tree if b.path.count("/") == 1 and b.start not in whole) if version >= 2 \
        else []
    return _hash_ranges(str(assertion.get("alg") or claim_alg), data, _included(len(data), excluded), markers)


def data_hash(data: bytes, assertion: Mapping[str, Any], claim_alg: str) -> bytes:
    """The ``c2pa.hash.data`` hash: every byte outside the exclusion ranges."""
    excluded = [(e["start"], e["start"] + e["length"]) for e in assertion.get("exclusions") or []]
    return _hash_ranges(str(assertion.get("alg") or claim_alg), data, _included(len(data), excluded))


# -- 5. the claim signature ------------------------------------------------------------------------------------


def _name_part(name: x509.Name, oid: x509.ObjectIdentifier) -> str | None:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else None


def _check_chain(chain: Sequence[x509.Certificate], root_pem: str | None, when: dt.datetime) -> list[str]:
    """Each certificate issued by the next, the last by (or equal to) one of the roots; all valid at ``when``."""
    problems = [f"{CREDENTIAL_EXPIRED}: '{c.subject.rfc4514_string()}' is valid only from "
                f"{c.not_valid_before_utc:%Y-%m-%d} to {c.not_valid_after_utc:%Y-%m-%d}"
                for c in chain if not c.not_valid_before_utc <= when <= c.not_valid_after_utc]
    try:
        for child, issuer in itertools.pairwise(chain):
            child.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature) as exc:
        problems.append(f"{CREDENTIAL_INVALID}: the x5chain does not chain: {exc or type(exc).__name__}")
    if root_pem is None:
        return problems
    for root in x509.load_pem_x509_certificates(root_pem.encode("ascii")):
        if chain[-1] == root:
            return problems
        try:
            chain[-1].verify_directly_issued_by(root)
            return problems
        except (ValueError, TypeError, InvalidSignature):
            continue
    return [*problems, f"{UNTRUSTED}: '{chain[-1].issuer.rfc4514_string()}' is not the given root"]


def verify_signature(cose: bytes, claim: bytes, root_pem: str | None, report: C2paReport) -> None:
    """Verify the COSE_Sign1 claim signature over the claim bytes; fill the signer; add problems to ``report``."""
    message = cbor2.loads(cose)
    if not isinstance(message, cbor2.CBORTag) or message.tag != 18 or len(message.value) != 4:
        raise Malformed("the claim signature is not a tagged COSE_Sign1 (CBOR tag 18, four items)")
    protected_bytes, unprotected, payload, signature = message.value
    protected = cbor2.loads(protected_bytes) if protected_bytes else {}
    if payload is not None and payload != claim:
        raise Malformed("the COSE_Sign1 payload is neither detached nor the claim")
    alg = COSE_ALGS.get(int(protected.get(1, 0)))
    if alg is None:
        report.problems.append(f"{UNSUPPORTED}: COSE algorithm {protected.get(1)} (this reader knows "
                               f"{', '.join(COSE_ALGS.values())})")
        return
    der_chain = next((h[k] for h in (protected, unprotected) for k in (X5CHAIN, "x5chain") if k in h), None)
    if der_chain is None:
        report.problems.append(f"{CREDENTIAL_INVALID}: no x5chain in the COSE headers")
        return
    chain = [x509.load_der_x509_certificate(bytes(c)) for c in
             ([der_chain] if isinstance(der_chain, bytes) else der_chain)]
    leaf = chain[0]
    report.signer = _name_part(leaf.subject, x509.NameOID.COMMON_NAME)
    report.signer_organisation = _name_part(leaf.subject, x509.NameOID.ORGANIZATION_NAME)
    to_be_signed = cbor2.dumps(["Signature1", protected_bytes, b"", claim])
    key = leaf.public_key()
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            half = len(signature) // 2
            der = utils.encode_dss_signature(int.from_bytes(signature[:half], "big"),
                                             int.from_bytes(signature[half:], "big"))
            key.verify(der, to_be_signed, ec.ECDSA(ECDSA_HASHES[alg]()))
        else:
            report.problems.append(f"{CREDENTIAL_INVALID}: a {type(key).__name__} cannot sign {alg}")
            return
    except InvalidSignature:
        report.problems.append(f"{SIGNATURE_MISMATCH}: the {alg} signature does not match the claim")
    chain_problems = _check_chain(chain, root_pem, dt.datetime.now(dt.UTC))
    report.problems += chain_problems
    report.trusted = root_pem is not None and not chain_problems


# -- the reader ------------------------------------------------------------------------------------------------


def _assertion_box(manifest: Jumbf, url: str) -> Jumbf | None:
    """The assertion a claim's hashed URI names: 'self#jumbf=c2pa.assertions/<label>' or the absolute form."""
    path = url.split("jumbf=", 1)[-1].strip("/").split("/")
    if len(path) < 2 or path[-2] != "c2pa.assertions" or (len(path) > 2 and path[-3] != manifest.label):
        return None
    store = manifest.child(ASSERTION_STORE)
    return next((a for a in (store.children if store else []) if a.label == path[-1]), None)


def _claim_generator(claim: Mapping[str, Any]) -> str | None:
    info = claim.get("claim_generator_info")
    if isinstance(info, list):
        info = info[0] if info else None
    if isinstance(info, Mapping):
        return " ".join(str(info[k]) for k in ("name", "version") if info.get(k)) or None
    return claim.get("claim_generator")


def _check_manifest(data: bytes, manifest: Jumbf, root_pem: str | None, report: C2paReport) -> None:
    # 1. The claim
    claim_box = manifest.child(CLAIM)
    if claim_box is None:
        raise Malformed(f"manifest '{manifest.label}' has no claim")
    claim_bytes = claim_box.content()[1]
    claim = cbor2.loads(claim_bytes)
    report.title = claim.get("dc:title")
    report.claim_generator = _claim_generator(claim)
    claim_alg = str(claim.get("alg") or "sha256")
    listed = [*(claim.get("assertions") or []), *(claim.get("created_assertions") or []),
              *(claim.get("gathered_assertions") or [])]
    # 2. Every listed assertion: present, and its hashed URI matches
    found: dict[str, Any] = {}
    for ref in listed:
        box = _assertion_box(manifest, str(ref["url"]))
        if box is None or box.label is None:
            report.problems.append(f"{ASSERTION_MISSING}: {ref['url']}")
            continue
        report.assertions.append(box.label)
        if hashlib.new(str(ref.get("alg") or claim_alg), box.payload).digest() != ref["hash"]:
            report.problems.append(f"{URI_MISMATCH}: {box.label}")
        found[box.label] = _decode(*box.content())
    for label, value in found.items():
        if label.split("__")[0] in ("c2pa.actions", "c2pa.actions.v2"):
            report.actions += [str(a.get("action")) for a in value.get("actions", [])]
    # 3. The hard binding
    bindings = [k for k in found if k.startswith(("c2pa.hash.bmff", "c2pa.hash.data"))]
    if not bindings:
        report.problems.append(f"{NO_HARD_BINDING}: the claim lists no c2pa.hash.bmff / c2pa.hash.data assertion")
    for label in bindings:
        report.hard_binding = label
        assertion = found[label]
        if label.startswith("c2pa.hash.data"):
            if data_hash(data, assertion, claim_alg) != assertion["hash"]:
                report.problems.append(f"{DATA_MISMATCH}: the bytes outside the exclusions changed")
        elif bmff_hash(data, assertion, label, claim_alg) != assertion["hash"]:
            report.problems.append(f"{BMFF_MISMATCH}: the boxes outside the exclusions changed ({label})")
    # 4. The signature the claim names
    signature_box = manifest.child(SIGNATURE)
    if signature_box is None or not str(claim.get("signature", "")).endswith("/c2pa.signature"):
        report.problems.append(f"{SIGNATURE_MISSING}: manifest '{manifest.label}' has no claim signature")
        return
    verify_signature(signature_box.content()[1], claim_bytes, root_pem, report)


def active_manifest(data: bytes) -> Jumbf | None:
    """The active (last) manifest of the file's C2PA manifest store; None when the file carries none.

    Raises ``ProvenanceError`` for bytes that are neither BMFF nor JPEG and ``Malformed`` for a damaged store.
    """
    if data[4:8] == b"ftyp":
        store_bytes = _c2pa_uuid_payload(data)
    elif data[:3] == b"\xff\xd8\xff":
        store_bytes = _jpeg_app11_payload(data)
    else:
        raise ProvenanceError(f"not an ISO BMFF (MP4) or JPEG file (starts {data[:8]!r})",
                              hint="pass the bytes of a signed .mp4 or .jpg file")
    if store_bytes is None:
        return None
    kind, store_payload = next(_jumbf_boxes(store_bytes))
    store = parse_jumbf(store_payload)
    if kind != "jumb" or store.type != MANIFEST_STORE + JUMBF_UUID_TAIL:
        raise Malformed("the C2PA data is not a JUMBF manifest store")
    manifests = [m for m in store.children if m.type[:4] in (MANIFEST, UPDATE_MANIFEST)]
    if not manifests:
        raise Malformed("the manifest store holds no manifest")
    return manifests[-1]


def read_c2pa(data: bytes, root_pem: str | None = None) -> C2paReport:
    """Verify the C2PA manifest of an MP4 (ISO BMFF) or JPEG file from its bytes.

    ``root_pem``: the trust anchor(s) the signing chain must reach. Damage anywhere is reported in
    ``problems``; only bytes that are neither BMFF nor JPEG raise (``ProvenanceError``).
    """
    report = C2paReport()
    try:
        # 1.-2. The container, the manifest store, its active manifest
        manifest = active_manifest(data)
        if manifest is None:
            report.problems.append(f"{NO_MANIFEST}: no manifest (no C2PA manifest store in the file)")
            return report
        # 3.-5. Claim, assertions, hard binding, signature
        _check_manifest(data, manifest, root_pem, report)
    except (Malformed, cbor2.CBORDecodeError, ValueError, KeyError, TypeError, IndexError, AttributeError,
            StopIteration) as exc:
        report.problems.append(f"{MALFORMED}: {exc}")
    report.valid = not report.problems
    return report
