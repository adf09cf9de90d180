"""Helpers for the review UI tests: a live uvicorn server in a thread, and signing in with Playwright."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI

from assetline.web import create_app
from browsers import CHROMIUM, CHROMIUM_ARGS  # noqa: F401  (re-exported for the tests)
from reviewkit import PASSWORD, ReviewWorkspace


@dataclass
class LiveServer:
    """The app served by uvicorn on 127.0.0.1 in a daemon thread."""

    app: FastAPI
    ws: ReviewWorkspace
    url: str = ""

    def start(self) -> LiveServer:
        import uvicorn

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        config = uvicorn.Config(self.app, log_level="warning", access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._sock = sock
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()
        self.app.state.assetline.db.dispose()


def serve(ws: ReviewWorkspace) -> LiveServer:
    return LiveServer(create_app(ws.settings("acme")), ws).start()



def login(context: Any, server: LiveServer, role: str = "reviewer", tenant: str = "acme") -> Any:
    """A page signed in as ``role@tenant.example``, showing the campaign list."""
    page = context.new_page()
    page.goto(server.url + "/login")
    page.fill("input[name=email]", f"{role}@{tenant}.example")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(server.url + "/")
    return page


def statuses(ws: ReviewWorkspace, tenant: str = "acme") -> dict[int, str]:
    """Asset id → status, read straight from the workspace's database."""
    from sqlalchemy import select

    from assetline.store.db import Database
    from assetline.store.models import Asset

    db = Database(ws.settings(tenant).db_url)
    try:
        with db.session() as s:
            rows = s.execute(select(Asset.id, Asset.status).where(Asset.tenant_id == tenant))
            return {asset_id: status for asset_id, status in rows}
    finally:
        db.dispose()
