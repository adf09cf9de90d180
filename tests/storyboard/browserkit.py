"""A live server for the storyboard browser test: the app served by uvicorn on 127.0.0.1 in a daemon thread
(the same approach as tests/e2e/uikit.py), and Debian Chromium's launch arguments."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from assetline.web import create_app
from browsers import CHROMIUM, CHROMIUM_ARGS  # noqa: F401  (re-exported for the tests)
from reviewkit import ReviewWorkspace


@contextmanager
def live_server(ws: ReviewWorkspace) -> Iterator[str]:
    """The workspace's app on a free port; yields its base URL."""
    import uvicorn

    app = create_app(ws.settings("acme"), session_secret="test-secret")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 15
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        app.state.assetline.db.dispose()
