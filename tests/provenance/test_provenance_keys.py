"""keys.py: init, load, import (good and bad inputs), rotation, trust anchors."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest
from provenance_helpers import needs_extra

pytest.importorskip("cryptography", reason="pip install 'assetline[provenance]'")

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from assetline.errors import ProvenanceError
from assetline.provenance.keys import CHAIN, KEY, ROOT, import_keys, init_keys, load_keys, trust_anchors

pytestmark = needs_extra


def test_init_writes_root_chain_and_private_key(tmp_path: Path) -> None:
    info = init_keys(tmp_path, "acme", "Acme Ltd")
    folder = tmp_path / "keys" / "acme"
    assert info.directory == folder and info.alg == "ES256" and info.anchored
    assert {p.name for p in folder.iterdir()} == {ROOT, CHAIN, KEY}
    assert stat.S_IMODE((folder / KEY).stat().st_mode) == 0o600
    chain = x509.load_pem_x509_certificates((folder / CHAIN).read_bytes())
    root = x509.load_pem_x509_certificate((folder / ROOT).read_bytes())
    assert len(chain) == 2 and chain[1] == root
    leaf = chain[0]
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    usage = leaf.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature
    eku = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert x509.oid.ExtendedKeyUsageOID.EMAIL_PROTECTION in eku
    assert isinstance(leaf.public_key(), ec.EllipticCurvePublicKey) and leaf.public_key().curve.name == "secp256r1"
    assert "Acme Ltd" in info.subject


def test_load_returns_what_init_made(tmp_path: Path) -> None:
    info = init_keys(tmp_path, "acme", "Acme Ltd")
    keys = load_keys(tmp_path, "acme")
    assert keys.fingerprint == info.fingerprint and keys.not_after == info.not_after
    assert keys.chain_pem.count("BEGIN CERTIFICATE") == 2 and "PRIVATE KEY" in keys.key_pem
    assert keys.anchors_pem.count("BEGIN CERTIFICATE") == 1
    assert keys.not_after > dt.datetime.now(dt.UTC) + dt.timedelta(days=700)


def test_missing_keys_say_how_to_create_them(tmp_path: Path) -> None:
    with pytest.raises(ProvenanceError) as err:
        load_keys(tmp_path, "nobody")
    assert "no signing keys" in err.value.message and "assetline keys init" in (err.value.hint or "")


def test_existing_keys_are_not_overwritten_without_force(tmp_path: Path) -> None:
    first = init_keys(tmp_path, "acme", "Acme Ltd")
    with pytest.raises(ProvenanceError) as err:
        init_keys(tmp_path, "acme", "Acme Ltd")
    assert "already has signing keys" in err.value.message and "force" in (err.value.hint or "")
    assert load_keys(tmp_path, "acme").fingerprint == first.fingerprint


def test_force_rotates_and_keeps_the_old_root_trusted(tmp_path: Path) -> None:
    first = init_keys(tmp_path, "acme", "Acme Ltd")
    old_root = (first.directory / ROOT).read_text()
    second = init_keys(tmp_path, "acme", "Acme Ltd", force=True)
    assert second.fingerprint != first.fingerprint
    retired = list((first.directory / "retired").iterdir())
    assert len(retired) == 1 and (retired[0] / KEY).exists()
    anchors = trust_anchors(tmp_path)
    assert old_root in anchors and (second.directory / ROOT).read_text() in anchors


def test_bad_tenant_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ProvenanceError, match="tenant name"):
        init_keys(tmp_path, "../evil", "Evil")


def test_trust_anchors_joins_every_tenant(tmp_path: Path) -> None:
    assert trust_anchors(tmp_path) == ""
    init_keys(tmp_path, "acme", "Acme Ltd")
    init_keys(tmp_path, "beta", "Beta Inc")
    anchors = trust_anchors(tmp_path)
    assert anchors.count("BEGIN CERTIFICATE") == 2
    assert load_keys(tmp_path, "acme").anchors_pem in anchors and load_keys(tmp_path, "beta").anchors_pem in anchors


# -- import ------------------------------------------------------------------------------------------------


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """A chain and key made elsewhere (by init in another workspace), as files to import."""
    other = tmp_path / "elsewhere"
    init_keys(other, "src", "Imported Org")
    return other / "keys" / "src"


def test_import_installs_a_valid_chain(tmp_path: Path, source: Path) -> None:
    info = import_keys(tmp_path / "ws", "acme", source / CHAIN, source / KEY, source / ROOT)
    keys = load_keys(tmp_path / "ws", "acme")
    assert info.anchored and keys.fingerprint == info.fingerprint and "Imported Org" in keys.subject
    assert stat.S_IMODE((info.directory / KEY).stat().st_mode) == 0o600


def test_import_takes_the_chains_own_root_as_anchor(tmp_path: Path, source: Path) -> None:
    info = import_keys(tmp_path / "ws", "acme", source / CHAIN, source / KEY)
    assert info.anchored and load_keys(tmp_path / "ws", "acme").anchors_pem == (source / ROOT).read_text()


def test_import_refuses_garbage_pem(tmp_path: Path, source: Path) -> None:
    junk = tmp_path / "junk.pem"
    junk.write_text("-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n")
    with pytest.raises(ProvenanceError) as err:
        import_keys(tmp_path / "ws", "acme", junk, source / KEY)
    assert "not a PEM certificate" in err.value.message and err.value.hint
    junk.write_text("hello")
    with pytest.raises(ProvenanceError) as err:
        import_keys(tmp_path / "ws", "acme", source / CHAIN, junk)
    assert "not a PEM private key" in err.value.message and err.value.hint
    assert not (tmp_path / "ws" / "keys" / "acme").exists()


def test_import_refuses_a_key_that_does_not_match(tmp_path: Path, source: Path) -> None:
    stranger = tmp_path / "stranger.pem"
    key = ec.generate_private_key(ec.SECP256R1())
    stranger.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    with pytest.raises(ProvenanceError) as err:
        import_keys(tmp_path / "ws", "acme", source / CHAIN, stranger)
    assert "does not match" in err.value.message and err.value.hint


def test_import_refuses_an_expired_certificate(tmp_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, "old")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now - dt.timedelta(days=30)).not_valid_after(now - dt.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    (tmp_path / "c.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "k.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    with pytest.raises(ProvenanceError) as err:
        import_keys(tmp_path / "ws", "acme", tmp_path / "c.pem", tmp_path / "k.pem")
    assert "expired" in err.value.message and err.value.hint


def test_import_refuses_anchors_that_did_not_issue_the_chain(tmp_path: Path, source: Path) -> None:
    init_keys(tmp_path / "third", "t", "Third")
    with pytest.raises(ProvenanceError) as err:
        import_keys(tmp_path / "ws", "acme", source / CHAIN, source / KEY, tmp_path / "third" / "keys" / "t" / ROOT)
    assert "trust anchors" in err.value.message


def test_import_does_not_overwrite_without_force(tmp_path: Path, source: Path) -> None:
    init_keys(tmp_path / "ws", "acme", "Acme Ltd")
    with pytest.raises(ProvenanceError, match="already has signing keys"):
        import_keys(tmp_path / "ws", "acme", source / CHAIN, source / KEY)
    info = import_keys(tmp_path / "ws", "acme", source / CHAIN, source / KEY, force=True)
    assert load_keys(tmp_path / "ws", "acme").fingerprint == info.fingerprint
