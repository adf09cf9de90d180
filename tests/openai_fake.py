"""A local stand-in for an OpenAI-compatible chat server, speaking the documented protocol.

``POST /v1/chat/completions`` answers from a queue of scripted replies (one per request, in order) and
records every request (JSON body and headers); ``GET /v1/models`` lists the model. The response shape is
the documented one::

    {"id": "chatcmpl-…", "object": "chat.completion", "created": 1700000000, "model": "…",
     "choices": [{"index": 0, "message": {"role": "assistant", "content": "…"}, "finish_reason": "stop"}],
     "usage": {"prompt_tokens": …, "completion_tokens": …, "total_tokens": …}}

The server runs with uvicorn in a thread, on 127.0.0.1 and a free port.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from localserver import LocalServer


@dataclass(frozen=True)
class Scripted:
    """One reply: message ``content`` in the documented envelope, or an HTTP error, or a raw ``body``."""

    content: str | None = None
    status: int = 200
    body: Any = None
    delay: float = 0.0
    finish_reason: str = "stop"


def reply_json(obj: Any, **kw: Any) -> Scripted:
    return Scripted(content=json.dumps(obj, ensure_ascii=False), **kw)


def error(status: int, message: str) -> Scripted:
    return Scripted(status=status, body={"error": {"message": message, "type": "invalid_request_error"}})


@dataclass
class Recorded:
    body: dict[str, Any]
    headers: dict[str, str]

    @property
    def messages(self) -> list[dict[str, str]]:
        return list(self.body["messages"])

    @property
    def system(self) -> str:
        return str(self.body["messages"][0]["content"])


@dataclass
class FakeOpenAI:
    model: str = "fake-llm"
    queue: deque[Scripted] = field(default_factory=deque)
    requests: list[Recorded] = field(default_factory=list)
    base_url: str = ""
    responder: Callable[[dict[str, Any]], Scripted] | None = None
    """When set, answers every request the queue does not (the request body → the reply), for whole runs whose
    requests arrive in any order from several workers."""

    def script(self, *replies: Scripted) -> None:
        self.queue.extend(replies)

    def reset(self) -> None:
        self.queue.clear()
        self.requests.clear()
        self.responder = None

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/v1/chat/completions")
        async def chat(request: Request) -> JSONResponse:
            body = await request.json()
            self.requests.append(Recorded(body, {k.lower(): v for k, v in request.headers.items()}))
            if not self.queue and self.responder is None:
                return JSONResponse({"error": {"message": "the test scripted no reply"}}, status_code=500)
            item = self.queue.popleft() if self.queue else self.responder(body)  # type: ignore[misc]
            if item.delay:
                await asyncio.sleep(item.delay)
            if item.status != 200 or item.body is not None:
                return JSONResponse(item.body, status_code=item.status)
            n = len(self.requests)
            return JSONResponse({
                "id": f"chatcmpl-{n}", "object": "chat.completion", "created": 1_700_000_000 + n,
                "model": body.get("model", self.model),
                "choices": [{"index": 0, "message": {"role": "assistant", "content": item.content},
                             "finish_reason": item.finish_reason}],
                "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}})

        @app.get("/v1/models")
        async def models() -> dict[str, Any]:
            return {"object": "list", "data": [{"id": self.model, "object": "model", "created": 1_700_000_000,
                                                "owned_by": "assetline-tests"}]}

        return app


class ServerThread:
    """``fake.app()`` served on a free local port (tests/localserver.py); sets ``fake.base_url``."""

    def __init__(self, fake: FakeOpenAI) -> None:
        self.server = LocalServer(fake.app(), "fake OpenAI server", timeout_graceful_shutdown=1)
        self.port = self.server.port
        fake.base_url = f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> ServerThread:
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()
