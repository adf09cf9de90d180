from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from assetline.errors import BlobCorruptError, NotFoundError, StoreError
from assetline.store import BlobStore, Database, Repository
from assetline.store.doctor import check_store


def test_blob_put_is_content_addressed_and_idempotent(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "blobs")
    sha = blobs.put(b"hello")
    assert sha == hashlib.sha256(b"hello").hexdigest()
    assert blobs.put(b"hello") == sha
    assert blobs.get(sha) == b"hello"
    assert list(blobs.iter_temp_files()) == []
    blobs.path(sha).write_bytes(b"tampered")
    with pytest.raises(BlobCorruptError):
        blobs.verify(sha)


def test_blob_rejects_bad_names_and_reports_missing(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path)
    with pytest.raises(StoreError):
        blobs.path("../../etc/passwd")
    with pytest.raises(StoreError, match="missing"):
        blobs.get("0" * 64)


def test_repositories_are_tenant_scoped(db_url: str) -> None:
    db = Database(db_url)
    db.migrate()
    with db.session() as s:
        a, b = Repository(s, "acme"), Repository(s, "globex")
        a.ensure_tenant()
        b.ensure_tenant()
        a.upsert_campaign("spring", "Spring", "/x.yaml", "0" * 64)
        a.add_artifact(content_key="k" * 64, step="copy", engine_id="e", engine_version="1",
                       blob_sha="1" * 64, media_type="application/json", size=1, meta={})
    with db.session() as s:
        b = Repository(s, "globex")
        assert b.find_campaign("spring") is None
        with pytest.raises(NotFoundError):
            b.get_campaign("spring")
        assert b.artifacts_by_keys(["k" * 64]) == {}
        assert Repository(s, "acme").artifacts_by_keys(["k" * 64])
    db.dispose()


def test_doctor_finds_missing_and_corrupt_blobs(db_url: str, tmp_path: Path) -> None:
    db = Database(db_url)
    db.migrate()
    blobs = BlobStore(tmp_path / "blobs")
    good, bad = blobs.put(b"good"), blobs.put(b"bad")
    with db.session() as s:
        repo = Repository(s, "default")
        repo.ensure_tenant()
        for i, sha in enumerate((good, bad, "2" * 64)):
            repo.add_artifact(content_key=str(i) * 64, step="copy", engine_id="e", engine_version="1",
                              blob_sha=sha, media_type="x", size=1, meta={})
    assert not check_store(db, blobs, "default").ok
    blobs.path(bad).write_bytes(b"corrupted")
    report = check_store(db, blobs, "default")
    assert len(report.corrupt_blobs) == 1 and len(report.missing_blobs) == 1
    db.dispose()
