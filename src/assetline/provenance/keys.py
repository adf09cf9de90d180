"""Per-tenant signing keys for C2PA, kept on disk under ``<workspace>/keys/<tenant>/``.

    keys/<tenant>/
        root.pem             the tenant's local root CA certificate (``init_keys``): a trust anchor
        anchors.pem          trust anchors given to ``import_keys`` (or the imported chain's self-signed root)
        signing-chain.pem    end-entity certificate first, then its issuers
        signing-key.pem      the end-entity's private key, PKCS#8, mode 0600
        retired/<stamp>/     an earlier set moved aside by ``force=True``; its anchors stay trusted so
                             files signed before a rotation still verify as trusted

The end-entity certificate has KeyUsage digitalSignature (critical) and ExtendedKeyUsage emailProtection:
c2pa-rs accepts emailProtection with its default trust settings, while documentSigning or the C2PA OID alone
are rejected unless listed in a custom trust configuration.

Usage:

    info = init_keys(workspace, "acme", "Acme Ltd")
    keys = load_keys(workspace, "acme")           # TenantKeys: chain_pem, key_pem, anchors_pem, ...
    anchors = trust_anchors(workspace)            # every tenant's anchors, for verify
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assetline.errors import ProvenanceError
from assetline.provenance._deps import require

ROOT = "root.pem"
ANCHORS = "anchors.pem"
CHAIN = "signing-chain.pem"
KEY = "signing-key.pem"
RETIRED = "retired"
ROOT_DAYS = 3650
SIGNER_DAYS = 825
_TENANT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
IPTC_DIGITAL_CREATION = "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCreation"
INIT_HINT = "run `assetline keys init` for this tenant (or `assetline keys import` with your own certificate)"


@dataclass(frozen=True)
class KeyInfo:
    """What ``init_keys`` / ``import_keys`` installed."""

    tenant: str
    directory: Path
    subject: str
    fingerprint: str
    """SHA-256 of the end-entity certificate (DER), lower-case hex."""
    not_after: dt.datetime
    alg: str
    anchored: bool
    """True when the tenant has a trust anchor (its files verify as 'trusted' with ``trust_anchors``)."""


@dataclass(frozen=True)
class TenantKeys:
    """Everything ``signing.sign`` needs for one tenant. PEM text throughout."""

    tenant: str
    chain_pem: str
    key_pem: str
    anchors_pem: str
    """The tenant's trust anchors (may be empty for an imported chain without a known root)."""
    subject: str
    fingerprint: str
    not_after: dt.datetime
    alg: str = "ES256"


def _tenant_dir(workspace: Path, tenant: str) -> Path:
    if not _TENANT.match(tenant):
        raise ProvenanceError(f"'{tenant}' is not a usable tenant name for a key folder",
                              hint="use letters, digits, '.', '_' or '-' (at most 64 characters)")
    return Path(workspace) / "keys" / tenant


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# -- certificates ------------------------------------------------------------------------------------------


def _x509() -> Any:
    return require("cryptography.x509")


def _name(common_name: str, organisation: str) -> Any:
    x509 = _x509()
    oid = x509.oid.NameOID
    return x509.Name([x509.NameAttribute(oid.COMMON_NAME, common_name),
                      x509.NameAttribute(oid.ORGANIZATION_NAME, organisation)])


def _key_usage(*, sign: bool, ca: bool) -> Any:
    return _x509().KeyUsage(digital_signature=sign, content_commitment=False, key_encipherment=False,
                            data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                            encipher_only=False, decipher_only=False)


def _make_chain(tenant: str, organisation: str) -> tuple[Any, Any, Any]:
    """(root certificate, end-entity certificate, end-entity key): P-256, SHA-256."""
    x509 = _x509()
    hashes = require("cryptography.hazmat.primitives.hashes")
    ec = require("cryptography.hazmat.primitives.asymmetric.ec")
    now = _now()
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = _name(f"{organisation} Assetline root ({tenant})", organisation)
    root = (x509.CertificateBuilder()
            .subject_name(root_name).issuer_name(root_name).public_key(root_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=ROOT_DAYS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_key_usage(sign=False, ca=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
            .sign(root_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (x509.CertificateBuilder()
            .subject_name(_name(f"{organisation} content signer ({tenant})", organisation))
            .issuer_name(root_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=SIGNER_DAYS))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(sign=True, ca=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False)
            .sign(root_key, hashes.SHA256()))
    return root, leaf, key


def _pem(cert: Any) -> str:
    serialization = require("cryptography.hazmat.primitives.serialization")
    return str(cert.public_bytes(serialization.Encoding.PEM).decode("ascii"))


def _key_pem(key: Any) -> str:
    s = require("cryptography.hazmat.primitives.serialization")
    return str(key.private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, s.NoEncryption()).decode("ascii"))


def _fingerprint(cert: Any) -> str:
    serialization = require("cryptography.hazmat.primitives.serialization")
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()


def _spki(public_key: Any) -> bytes:
    s = require("cryptography.hazmat.primitives.serialization")
    return bytes(public_key.public_bytes(s.Encoding.DER, s.PublicFormat.SubjectPublicKeyInfo))


def _alg_for(key: Any) -> str:
    """The C2PA signing algorithm for a private key: ES256 (P-256) or ES384 (P-384)."""
    ec = require("cryptography.hazmat.primitives.asymmetric.ec")
    if isinstance(key, ec.EllipticCurvePrivateKey):
        alg = {"secp256r1": "ES256", "secp384r1": "ES384"}.get(key.curve.name)
        if alg:
            return alg
        kind = f"an EC key on {key.curve.name}"
    else:
        kind = f"a {type(key).__name__.lstrip('_')}"
    raise ProvenanceError(f"the signing key is {kind}; Assetline signs with ES256 (P-256) or ES384 (P-384)",
                          hint="create a P-256 key: openssl ecparam -name prime256v1 -genkey -noout -out key.pem")


def _parse_certs(text: bytes, what: str, path: Path | None) -> list[Any]:
    where = f" ({path})" if path else ""
    try:
        certs = list(_x509().load_pem_x509_certificates(text))
    except ValueError as exc:
        raise ProvenanceError(f"the {what}{where} is not a PEM certificate file: {exc}",
                              hint="give PEM text with '-----BEGIN CERTIFICATE-----' blocks, "
                                   "end-entity certificate first") from exc
    if not certs:
        raise ProvenanceError(f"the {what}{where} holds no certificate", hint="check the file you passed")
    return certs


def _describe(cert: Any) -> tuple[str, dt.datetime]:
    return str(cert.subject.rfc4514_string()), cert.not_valid_after_utc


# -- files -------------------------------------------------------------------------------------------------


def _write(path: Path, text: str, mode: int = 0o644) -> None:
    """Atomic write with ``mode`` set before any byte lands (the key never exists world-readable)."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.fchmod(fd, mode)
        os.write(fd, text.encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def _existing(directory: Path) -> list[Path]:
    return [directory / n for n in (ROOT, ANCHORS, CHAIN, KEY) if (directory / n).exists()]


def _refuse_existing(directory: Path, tenant: str, force: bool) -> None:
    if _existing(directory) and not force:
        raise ProvenanceError(f"tenant '{tenant}' already has signing keys in {directory}",
                              hint="pass force=True (`--force`) to replace them; the old set is moved to "
                                   f"{RETIRED}/ and its root stays trusted")


def _prepare(directory: Path, tenant: str, force: bool) -> None:
    """Refuse to overwrite, or (force) move the current set into ``retired/<stamp>/``."""
    _refuse_existing(directory, tenant, force)
    current = _existing(directory)
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    if current:
        stamp = _now().strftime("%Y%m%dT%H%M%S%fZ")
        target = directory / RETIRED / stamp
        target.mkdir(parents=True)
        for path in current:
            shutil.move(str(path), target / path.name)


def _install(directory: Path, chain: str, key: str, anchors: str | None, anchors_name: str) -> None:
    if anchors:
        _write(directory / anchors_name, anchors)
    _write(directory / CHAIN, chain)
    _write(directory / KEY, key, 0o600)


# -- public API --------------------------------------------------------------------------------------------


def init_keys(workspace: Path, tenant: str, organisation: str, force: bool = False) -> KeyInfo:
    """Create a local P-256 root CA and an end-entity signing certificate for ``tenant``.

    Writes ``root.pem``, ``signing-chain.pem`` (end-entity + root) and ``signing-key.pem`` (0600). Existing keys
    are kept unless ``force``; then they move to ``retired/<stamp>/``.
    """
    # 1. Check inputs
    directory = _tenant_dir(workspace, tenant)
    if not organisation.strip():
        raise ProvenanceError("the organisation name is empty", hint="pass the brand owner's legal name")
    _prepare(directory, tenant, force)
    # 2. Make and write the chain
    root, leaf, key = _make_chain(tenant, organisation.strip())
    _install(directory, _pem(leaf) + _pem(root), _key_pem(key), _pem(root), ROOT)
    subject, not_after = _describe(leaf)
    return KeyInfo(tenant, directory, subject, _fingerprint(leaf), not_after, "ES256", anchored=True)


def import_keys(workspace: Path, tenant: str, chain_pem_path: Path, key_pem_path: Path,
                anchors_pem_path: Path | None = None, force: bool = False) -> KeyInfo:
    """Install an existing certificate chain and key for ``tenant`` after checking them.

    Checks: both files parse; the key is unencrypted EC P-256/P-384; the first certificate matches the key and is
    valid now. Anchors come from ``anchors_pem_path``, else from a self-signed last certificate of the chain. A
    trial signature with c2pa then proves c2pa accepts the certificate (and, with anchors, that it is trusted).
    """
    serialization = require("cryptography.hazmat.primitives.serialization")
    directory = _tenant_dir(workspace, tenant)
    _refuse_existing(directory, tenant, force)
    # 1. Parse the chain and the key
    chain_path, key_path = Path(chain_pem_path), Path(key_pem_path)
    certs = _parse_certs(_read(chain_path, "certificate chain"), "certificate chain", chain_path)
    try:
        key = serialization.load_pem_private_key(_read(key_path, "private key"), password=None)
    except TypeError as exc:
        raise ProvenanceError(f"the private key {key_path} is encrypted",
                              hint=f"decrypt it first: openssl pkey -in {key_path} -out plain-key.pem") from exc
    except ValueError as exc:
        raise ProvenanceError(f"{key_path} is not a PEM private key: {exc}",
                              hint="give the unencrypted PEM key ('-----BEGIN PRIVATE KEY-----')") from exc
    alg = _alg_for(key)
    # 2. The key must match the first certificate, which must be valid now
    leaf = certs[0]
    if _spki(leaf.public_key()) != _spki(key.public_key()):
        matching = [i for i, c in enumerate(certs) if _spki(c.public_key()) == _spki(key.public_key())]
        hint = (f"the matching certificate is number {matching[0] + 1} in the file: put it first"
                if matching else "pass the certificate that was issued for this key")
        raise ProvenanceError(f"the private key does not match the first certificate in {chain_path} "
                              f"({leaf.subject.rfc4514_string()})", hint=hint)
    now = _now()
    if leaf.not_valid_after_utc <= now:
        raise ProvenanceError(f"the signing certificate expired on {leaf.not_valid_after_utc:%Y-%m-%d}",
                              hint="renew it with your CA, or run `assetline keys init --force` for a local one")
    if leaf.not_valid_before_utc > now:
        raise ProvenanceError(f"the signing certificate is not valid before {leaf.not_valid_before_utc:%Y-%m-%d}",
                              hint="check the machine clock or wait until it is valid")
    # 3. Trust anchors
    anchors = None
    if anchors_pem_path is not None:
        anchors_path = Path(anchors_pem_path)
        anchors = "".join(_pem(c) for c in _parse_certs(_read(anchors_path, "trust anchors"), "trust anchors",
                                                        anchors_path))
    elif len(certs) > 1 and certs[-1].subject == certs[-1].issuer:
        anchors = _pem(certs[-1])
    chain = "".join(_pem(c) for c in certs)
    key_text = _key_pem(key)
    # 4. Trial signature: c2pa must accept the certificate (and trust it with the anchors)
    _trial_sign(chain, key_text, alg, anchors)
    # 5. Install
    _prepare(directory, tenant, force)
    _install(directory, chain, key_text, anchors, ANCHORS)
    subject, not_after = _describe(leaf)
    return KeyInfo(tenant, directory, subject, _fingerprint(leaf), not_after, alg, anchored=anchors is not None)


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ProvenanceError(f"cannot read the {what} {path}: {exc.strerror}",
                              hint="check the path and its permissions") from exc


def _trial_sign(chain: str, key: str, alg: str, anchors: str | None) -> None:
    """Sign and read back a tiny PNG so c2pa's own certificate rules are checked at import time."""
    from assetline.provenance.signing import sign_with
    from assetline.provenance.verify import verify_bytes

    pixel = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
             b"\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef"
             b"\x00\x00\x00\x00IEND\xaeB`\x82")
    manifest = {"claim_generator_info": [{"name": "Assetline key check"}], "title": "key-check.png",
                "assertions": [{"label": "c2pa.actions", "data": {"actions": [
                    {"action": "c2pa.created", "digitalSourceType": IPTC_DIGITAL_CREATION}]}}]}
    try:
        signed = sign_with(pixel, "image/png", manifest, chain, key, alg)
    except ProvenanceError as exc:
        raise ProvenanceError(f"c2pa refuses this certificate: {exc.message}",
                              hint="the end-entity certificate needs KeyUsage digitalSignature and "
                                   "ExtendedKeyUsage emailProtection (see docs/provenance.md)") from exc
    report = verify_bytes(signed, "image/png", anchors, read_watermark=False)
    if report.state == "invalid":
        raise ProvenanceError(f"a test signature with this certificate does not validate: "
                              f"{', '.join(report.failures)}",
                              hint="check that the chain is complete (end-entity first, then intermediates)")
    if anchors and report.state != "trusted":
        raise ProvenanceError("the certificate chain does not lead to the given trust anchors "
                              f"({', '.join(report.failures) or report.state})",
                              hint="pass the root (and intermediates) that issued the signing certificate")


def load_keys(workspace: Path, tenant: str) -> TenantKeys:
    """The tenant's current chain, key and anchors; a ProvenanceError with the fix when there are none."""
    directory = _tenant_dir(workspace, tenant)
    chain_path, key_path = directory / CHAIN, directory / KEY
    if not chain_path.exists() or not key_path.exists():
        raise ProvenanceError(f"no signing keys for tenant '{tenant}' in {directory}", hint=INIT_HINT)
    chain = chain_path.read_text(encoding="ascii")
    key = key_path.read_text(encoding="ascii")
    certs = _parse_certs(chain.encode("ascii"), "certificate chain", chain_path)
    anchors = "".join(p.read_text(encoding="ascii") for p in (directory / ROOT, directory / ANCHORS) if p.exists())
    serialization = require("cryptography.hazmat.primitives.serialization")
    try:
        alg = _alg_for(serialization.load_pem_private_key(key.encode("ascii"), password=None))
    except (TypeError, ValueError) as exc:
        raise ProvenanceError(f"the signing key {key_path} is unreadable: {exc}", hint=INIT_HINT) from exc
    subject, not_after = _describe(certs[0])
    return TenantKeys(tenant, chain, key, anchors, subject, _fingerprint(certs[0]), not_after, alg)


def trust_anchors(workspace: Path) -> str:
    """Every tenant's anchors (current and retired) as one PEM text, for ``verify``; '' when there are none."""
    root = Path(workspace) / "keys"
    if not root.is_dir():
        return ""
    seen: set[str] = set()
    out: list[str] = []
    for path in sorted(root.glob("*/**/*.pem")):
        if path.name not in (ROOT, ANCHORS):
            continue
        for cert in _parse_certs(path.read_bytes(), "trust anchors", path):
            pem = _pem(cert)
            if pem not in seen:
                seen.add(pem)
                out.append(pem)
    return "".join(out)
