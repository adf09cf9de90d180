"""A migration on SQLite commits whole or not at all: Python's sqlite3 would commit each CREATE TABLE by itself,
so a run killed during the first migration left half a schema behind ('table tenants already exists' ever after).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from assetline.store.db import Database


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_a_failed_migration_leaves_no_half_schema(tmp_path: Path) -> None:
    path = tmp_path / "assetline.db"
    with sqlite3.connect(path) as conn:  # a table a later migration creates: the upgrade fails part-way
        conn.execute("CREATE TABLE users (id INTEGER)")
    with pytest.raises(Exception, match="users"):
        Database(f"sqlite:///{path}").migrate()
    assert _tables(path) == {"users"}, "tables of the migrations before the failure were committed"
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE users")
    db = Database(f"sqlite:///{path}")
    db.migrate()
    assert {"tenants", "assets", "artifacts", "users"} <= _tables(path) and db.schema_is_current()
    db.dispose()
