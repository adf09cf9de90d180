"""The one place that opens database connections: engine set-up, migrations, sessions.

SQLite (default) runs in WAL mode with foreign keys on and a busy timeout; Postgres is used as is.
Schema changes are Alembic migrations (store/migrations), applied by ``Database.migrate()``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from assetline.errors import StoreError


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _transactional_sqlite(url: str) -> Engine:
    """An engine whose transactions cover DDL too. Python's sqlite3 starts transactions only before DML, so
    CREATE TABLE statements would commit one by one: a process killed during the first migration left half a
    schema ('table tenants already exists' on the next run). Here the driver's own handling is off and every
    transaction is an explicit BEGIN IMMEDIATE, so a migration commits whole or not at all."""
    engine = create_engine(url, future=True)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, record: Any) -> None:
        dbapi_conn.isolation_level = None
        _sqlite_pragmas(dbapi_conn, record)

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class Database:
    """Owns the SQLAlchemy engine and session factory for one database URL."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            db_file = url.split("///", 1)[-1]
            if db_file and db_file != ":memory:":
                Path(db_file).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.engine: Engine = create_engine(url, future=True, pool_pre_ping=not self.is_sqlite)
        except Exception as exc:  # bad URL or missing driver
            raise StoreError(f"cannot use database URL {_redact(url)}: {exc}",
                             hint="for Postgres: pip install 'assetline[postgres]'") from exc
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def _alembic_config(self) -> Config:
        cfg = Config()
        cfg.set_main_option("script_location", str(resources.files("assetline.store") / "migrations"))
        cfg.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        return cfg

    def migrate(self) -> None:
        """Bring the schema to the newest migration (idempotent)."""
        cfg = self._alembic_config()
        engine = _transactional_sqlite(self.url) if self.is_sqlite else self.engine
        try:
            with engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        except OperationalError as exc:
            raise StoreError(f"cannot open database {_redact(self.url)}: {exc.orig}",
                             hint="check ASSETLINE_DATABASE_URL and that the server is running") from exc
        finally:
            if engine is not self.engine:
                engine.dispose()

    def schema_is_current(self) -> bool:
        script = ScriptDirectory.from_config(self._alembic_config())
        with self.engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
        return current == script.get_current_head()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in a transaction: commits on success, rolls back on any error."""
        with self._sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}" if ":" in creds else url
    return url
