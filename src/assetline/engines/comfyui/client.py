"""A small client for ComfyUI's server API (``server.py`` of comfyanonymous/ComfyUI).

    client = ComfyUIClient("http://127.0.0.1:8188", token=None)
    ws = client.open_websocket(client_id)            # /ws?clientId=…  (None if the server refuses it)
    prompt_id = client.submit(workflow, client_id)   # POST /prompt
    ...                                              # execution.py waits for it
    entry = client.history(prompt_id)                # GET /history/{id}: {"outputs": …, "status": …} or None
    png = client.view(image)                         # GET /view?filename=&subfolder=&type=

Every call goes through ``request``: transient failures (connection refused or reset, HTTP 429/500/502/503/
504) are retried ``retries`` times with doubling backoff; everything else becomes an EngineError that names
the URL and says what to fix:

    EngineError
    ├── unreachable server (after retries)      hint: start ComfyUI / fix `url`
    ├── HTTP 401/403                            hint: `token_env`
    ├── malformed reply (not JSON, wrong shape) hint: is `url` a ComfyUI server?
    └── POST /prompt 400                        every node error: node id, class, message, details
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

import httpx
from websockets.exceptions import InvalidHandshake, InvalidURI
from websockets.sync.client import ClientConnection, connect

from assetline.errors import EngineError

TRANSIENT_STATUS = frozenset({429, 500, 502, 503, 504})
_TRANSIENT_EXC = (httpx.ConnectError, httpx.ConnectTimeout, httpx.ReadError, httpx.WriteError,
                  httpx.RemoteProtocolError, httpx.PoolTimeout)
WS_MAX_FRAME = 64 * 1024 * 1024
"""Preview frames can be large; they are read and dropped."""


class ComfyUIClient:
    """HTTP + websocket access to one ComfyUI server (see the module docstring)."""

    def __init__(self, url: str, *, token: str | None = None, token_env: str | None = None,
                 connect_timeout_s: float = 10.0, read_timeout_s: float = 60.0, retries: int = 3,
                 backoff_s: float = 0.5) -> None:
        self.url = url.rstrip("/")
        self.token_env = token_env
        self.retries = retries
        self.backoff_s = backoff_s
        self.connect_timeout_s = connect_timeout_s
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.http = httpx.Client(base_url=self.url, headers=self.headers, follow_redirects=True,
                                 timeout=httpx.Timeout(read_timeout_s, connect=connect_timeout_s))

    def close(self) -> None:
        self.http.close()

    # ------------------------------------------------------------------ transport
    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One HTTP call with retries of transient failures; auth failures and other errors are EngineErrors.
        4xx replies other than 401/403 are returned for the caller to interpret."""
        what = f"{method} {self.url}{path}"
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                response = self.http.request(method, path, **kwargs)
            except _TRANSIENT_EXC as exc:
                if last:
                    raise EngineError(f"cannot reach ComfyUI at {self.url} ({what}: {exc or type(exc).__name__})",
                                      hint="start the server (python main.py --listen) or fix "
                                           "engines.settings.comfyui.url; `retries` sets how often to retry"
                                      ) from exc
            except httpx.TimeoutException as exc:
                raise EngineError(f"ComfyUI at {self.url} did not answer {what} in time",
                                  hint="raise engines.settings.comfyui.connect_timeout_s (or timeout_s)") from exc
            except httpx.HTTPError as exc:
                raise EngineError(f"HTTP error talking to ComfyUI ({what}): {exc}") from exc
            else:
                if response.status_code in (401, 403):
                    raise EngineError(f"ComfyUI at {self.url} refused {what}: HTTP {response.status_code} "
                                      f"{response.reason_phrase}", hint=self._auth_hint())
                if response.status_code not in TRANSIENT_STATUS or last:
                    if response.status_code >= 500:
                        raise EngineError(f"ComfyUI at {self.url} failed {what}: HTTP {response.status_code} "
                                          f"{_excerpt(response.text)}",
                                          hint="see the server's console; `retries` sets how often to retry")
                    return response
            time.sleep(self.backoff_s * (2 ** attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """``request`` and parse its JSON body (a non-2xx reply other than /prompt's 400 is an EngineError)."""
        response = self.request(method, path, **kwargs)
        if response.status_code >= 400:
            raise EngineError(f"ComfyUI at {self.url} rejected {method} {path}: HTTP {response.status_code} "
                              f"{_excerpt(response.text)}")
        return self._parse(response, f"{method} {path}")

    def _parse(self, response: httpx.Response, what: str) -> Any:
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise self.malformed(what, f"not JSON: {_excerpt(response.text)}") from exc

    def malformed(self, what: str, detail: str) -> EngineError:
        return EngineError(f"ComfyUI at {self.url} sent a malformed reply to {what} ({detail})",
                           hint="check that engines.settings.comfyui.url points at a ComfyUI server, not a proxy "
                                "or another service")

    def _auth_hint(self) -> str:
        if self.token_env:
            return f"check the bearer token in the environment variable {self.token_env}"
        return ("the server (or its proxy) wants a bearer token: put it in an environment variable and name that "
                "variable in engines.settings.comfyui.token_env")

    # ------------------------------------------------------------------ API
    def open_websocket(self, client_id: str) -> ClientConnection | None:
        """The /ws connection for ``client_id``, or None when it cannot be opened (then we poll)."""
        ws_url = "ws" + self.url[len("http"):] + f"/ws?clientId={client_id}"
        try:
            return connect(ws_url, additional_headers=self.headers, open_timeout=self.connect_timeout_s,
                           max_size=WS_MAX_FRAME, close_timeout=1.0, legacy=True)
        except (OSError, TimeoutError, InvalidHandshake, InvalidURI):
            return None

    def submit(self, workflow: dict[str, Any], client_id: str) -> str:
        """POST /prompt; the prompt id. A graph the server rejects is an EngineError listing its node errors."""
        response = self.request("POST", "/prompt", json={"prompt": workflow, "client_id": client_id})
        if response.status_code == 400:
            raise self._rejected(self._parse(response, "POST /prompt"), workflow)
        if response.status_code >= 400:
            raise EngineError(f"ComfyUI at {self.url} rejected POST /prompt: HTTP {response.status_code} "
                              f"{_excerpt(response.text)}")
        body = self._parse(response, "POST /prompt")
        if not isinstance(body, dict) or not isinstance(body.get("prompt_id"), str):
            raise self.malformed("POST /prompt", f"no prompt_id in {_excerpt(json.dumps(body))}")
        return str(body["prompt_id"])

    def _rejected(self, body: Any, workflow: dict[str, Any]) -> EngineError:
        if not isinstance(body, dict):
            return self.malformed("POST /prompt", "a 400 reply without an error object")
        lines: list[str] = []
        node_errors = body.get("node_errors") or {}
        for node_id, info in (node_errors.items() if isinstance(node_errors, dict) else ()):
            info = info if isinstance(info, dict) else {}
            cls = info.get("class_type") or workflow.get(str(node_id), {}).get("class_type", "?")
            for err in info.get("errors") or [{}]:
                err = err if isinstance(err, dict) else {"message": str(err)}
                detail = f" ({err['details']})" if err.get("details") else ""
                lines.append(f"node {node_id} ({cls}): {err.get('message', 'invalid')}{detail}")
        error = body.get("error")
        if isinstance(error, dict):
            head = str(error.get("message") or error.get("type") or "invalid prompt")
            if error.get("details") and not lines:
                head += f" ({error['details']})"
        else:
            head = str(error or "invalid prompt")
        listed = "".join(f"\n  - {line}" for line in lines)
        return EngineError(f"ComfyUI at {self.url} rejected the workflow: {head}{listed}",
                           hint="fix the workflow JSON (node ids above), or install the missing custom nodes / "
                                "model files on the server")

    def upload(self, png: bytes, stem: str) -> str:
        """POST /upload/image; the value for a LoadImage ``image`` input ('subfolder/name' or 'name').
        The file name is derived from the content, so re-uploading the same image is idempotent."""
        name = f"assetline-{stem}-{hashlib.sha256(png).hexdigest()[:16]}.png"
        body = self.json("POST", "/upload/image", files={"image": (name, png, "image/png")},
                         data={"overwrite": "true", "type": "input"})
        if not isinstance(body, dict) or not isinstance(body.get("name"), str):
            raise self.malformed("POST /upload/image", f"no name in {_excerpt(json.dumps(body))}")
        sub = body.get("subfolder") or ""
        return f"{sub}/{body['name']}" if sub else str(body["name"])

    def history(self, prompt_id: str) -> dict[str, Any] | None:
        """GET /history/{id}: the prompt's entry, or None while the server has none."""
        body = self.json("GET", f"/history/{prompt_id}")
        if not isinstance(body, dict):
            raise self.malformed(f"GET /history/{prompt_id}", "not an object")
        entry = body.get(prompt_id)
        if entry is None:
            return None
        if not isinstance(entry, dict) or not isinstance(entry.get("outputs", {}), dict):
            raise self.malformed(f"GET /history/{prompt_id}", "the entry has no outputs object")
        return entry

    def queued(self, prompt_id: str) -> str | None:
        """GET /queue: 'running', 'pending' or None (the server does not know the prompt)."""
        body = self.json("GET", "/queue")
        if not isinstance(body, dict):
            raise self.malformed("GET /queue", "not an object")
        for state in ("running", "pending"):
            for item in body.get(f"queue_{state}") or []:
                if isinstance(item, list | tuple) and len(item) > 1 and item[1] == prompt_id:
                    return state
        return None

    def view(self, image: dict[str, Any]) -> bytes:
        """GET /view for one output image record {"filename", "subfolder", "type"}."""
        params = {"filename": str(image.get("filename", "")), "subfolder": str(image.get("subfolder") or ""),
                  "type": str(image.get("type") or "output")}
        response = self.request("GET", "/view", params=params)
        if response.status_code >= 400:
            raise EngineError(f"ComfyUI at {self.url} has no output image {params['filename']!r}: HTTP "
                              f"{response.status_code}")
        return response.content

    def cancel(self, prompt_id: str) -> None:
        """Best effort: drop the prompt from the queue, or interrupt it if it is running."""
        try:
            state = self.queued(prompt_id)
            if state == "pending":
                self.request("POST", "/queue", json={"delete": [prompt_id]})
            elif state == "running":
                self.request("POST", "/interrupt", json={"prompt_id": prompt_id})
        except EngineError:
            pass  # the caller is already reporting the failure that made it cancel


def _excerpt(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"
