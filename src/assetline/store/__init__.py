"""Storage: SQLAlchemy models + Alembic migrations, tenant-scoped repositories, content-addressed blobs."""

from assetline.store.blobs import BlobStore
from assetline.store.db import Database
from assetline.store.repositories import Repository

__all__ = ["BlobStore", "Database", "Repository"]
