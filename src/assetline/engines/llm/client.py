"""One HTTP call to an OpenAI-compatible chat server, with its failures sorted into retry-or-stop.

    client = ChatClient(timeout_s=60, connect_timeout_s=10)
    reply = client.complete(settings, {"model": "llama3.1:8b", "messages": [...]})
    reply.content, reply.finish_reason, reply.usage

Failures (foreign httpx errors are translated here, at the boundary)::

    EngineError       stop: nothing a retry can fix
    ├── connection refused / unknown host           (is the server running at base_url?)
    ├── HTTP 401 / 403                               (check api_key_env)
    ├── HTTP 404                                     (wrong base_url, or the model is not on the server)
    ├── FormatUnsupported: HTTP 400 / 422 about response_format (the loop then falls back: json_schema →
    │                      json_object → none, validating the reply itself)
    └── HTTP 400 / 422 / other 4xx                   (the server's own message)
    TransientError    retry (the engine counts it against max_retries)
    ├── timeout (no reply within timeout_s)
    ├── HTTP 408 / 409 / 429 / 5xx                   (with back-off)
    ├── a body that is not JSON, or has no choices / no message content
    └── finish_reason 'length' (cut off at max_tokens) or 'content_filter'
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import httpx

from assetline.engines.llm.settings import LLMSettings
from assetline.errors import EngineError


class FormatUnsupported(EngineError):
    """The server refused the request's ``response_format`` (no structured-output support)."""


class TransientError(Exception):
    """A failed call worth repeating; ``hint`` is used when the retries run out."""

    def __init__(self, message: str, *, hint: str | None = None, backoff: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.backoff = backoff


@dataclass(frozen=True)
class ChatReply:
    content: str
    finish_reason: str | None
    usage: dict[str, int] = field(default_factory=dict)
    model: str | None = None


def api_key(settings: LLMSettings) -> str | None:
    """The key from the environment variable ``settings.api_key_env`` (None when no variable is named)."""
    if settings.api_key_env is None:
        return None
    value = os.environ.get(settings.api_key_env, "").strip()
    if not value:
        raise EngineError(f"llm.openai: the environment variable {settings.api_key_env} (api_key_env) is not set",
                          hint=f"export {settings.api_key_env}=<your API key> before running, or remove "
                               "api_key_env for a server that needs no key (Ollama, a local vLLM)")
    return value


def _server_message(resp: httpx.Response) -> str:
    try:
        body = resp.json()
    except ValueError:
        return resp.text.strip()[:300]
    if isinstance(body, dict):
        err = body.get("error", body.get("detail", body))
        if isinstance(err, dict):
            err = err.get("message", err)
        return str(err)[:300]
    return str(body)[:300]


class ChatClient:
    """A pooled httpx client for one timeout setting (an engine keeps one per setting, per process)."""

    def __init__(self, *, timeout_s: float, connect_timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self._http = httpx.Client(timeout=httpx.Timeout(timeout_s, connect=connect_timeout_s))

    def close(self) -> None:
        self._http.close()

    def complete(self, settings: LLMSettings, payload: dict[str, Any]) -> ChatReply:
        """POST ``payload`` to ``{base_url}/chat/completions``; raises EngineError or TransientError."""
        # 1. Send
        headers = {"Accept": "application/json"}
        key = api_key(settings)
        if key is not None:
            headers["Authorization"] = f"Bearer {key}"
        url = settings.chat_url
        try:
            resp = self._http.post(url, json=payload, headers=headers)
        except httpx.TimeoutException as exc:
            raise TransientError(f"no reply from {url} within {self.timeout_s:g} s ({type(exc).__name__})",
                                 hint="raise timeout_s, use a smaller model, or check the server's load") from exc
        except (httpx.ConnectError, httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            raise EngineError(f"llm.openai: cannot connect to {url}: {exc}",
                              hint="is the server running? (e.g. `ollama serve`); check base_url, "
                                   "which usually ends in /v1") from exc
        except httpx.HTTPError as exc:
            raise TransientError(f"request to {url} failed: {type(exc).__name__}: {exc}") from exc

        # 2. HTTP status
        if resp.status_code >= 400:
            self._raise_for_status(resp, settings, headers)

        # 3. The documented body: {"choices": [{"message": {"content": …}, "finish_reason": …}], "usage": {…}}
        try:
            body = resp.json()
        except ValueError as exc:
            raise TransientError(f"the server's reply is not JSON: {resp.text[:120]!r}") from exc
        choices = body.get("choices") if isinstance(body, dict) else None
        if not isinstance(choices, list) or not choices:
            raise TransientError("the server returned no choices",
                                 hint="check the server's log; some servers answer an empty list on overload")
        first = choices[0] if isinstance(choices[0], dict) else {}
        message = first.get("message")
        content = message.get("content") if isinstance(message, dict) else None
        finish = first.get("finish_reason")
        if finish == "length":
            raise TransientError("the reply was cut off at the token limit (finish_reason 'length')",
                                 hint="raise max_tokens (or remove it), or lower alternatives")
        if finish == "content_filter":
            raise TransientError("the server's content filter stopped the reply (finish_reason 'content_filter')",
                                 hint="reword the concept's copy or visual direction")
        if not isinstance(content, str):
            raise TransientError("the reply has no message content (a tool call or refusal?)")
        usage = body.get("usage") if isinstance(body.get("usage"), dict) else {}
        tokens = {k: int(v) for k, v in usage.items() if isinstance(v, int) and not isinstance(v, bool)}
        return ChatReply(content=content, finish_reason=finish, usage=tokens, model=body.get("model"))

    def served_models(self, settings: LLMSettings, headers: dict[str, str]) -> list[str] | None:
        """The model ids ``GET {base_url}/models`` lists (None when the server does not answer it)."""
        try:
            resp = self._http.get(f"{settings.base_url}/models", headers=headers, timeout=5.0)
            data = resp.json().get("data") if resp.status_code == 200 else None
        except (httpx.HTTPError, ValueError, AttributeError):
            return None
        if not isinstance(data, list):
            return None
        return [str(m["id"]) for m in data if isinstance(m, dict) and "id" in m]

    def _raise_for_status(self, resp: httpx.Response, settings: LLMSettings, headers: dict[str, str]) -> None:
        code, said = resp.status_code, _server_message(resp)
        where = f"{settings.chat_url} answered HTTP {code}"
        if code in (401, 403):
            hint = (f"check api_key_env: the key in ${settings.api_key_env} was refused" if settings.api_key_env
                    else "the server wants a key: set api_key_env to the name of the environment variable "
                         "holding it (e.g. OPENAI_API_KEY)")
            raise EngineError(f"llm.openai: {where} (not authorised): {said}", hint=hint)
        if code == 404:
            served = self.served_models(settings, headers)
            if served is not None and settings.model not in served:
                hint = (f"the server has no model '{settings.model}'; it serves: {', '.join(served) or '(none)'} "
                        "(`ollama pull …` adds one)")
            else:
                hint = (f"check base_url (usually ends in /v1) and that model '{settings.model}' is on the server "
                        "(`ollama pull …`)")
            raise EngineError(f"llm.openai: {where}: {said}", hint=hint)
        if code in (408, 409, 429) or code >= 500:
            raise TransientError(f"{where}: {said}", backoff=True,
                                 hint="the server is overloaded or failing; check its log, or raise max_retries")
        if code in (400, 422) and any(w in said.lower() for w in ("schema", "response_format", "json_object",
                                                                  "structured", "grammar")):
            raise FormatUnsupported(f"llm.openai: {where}: {said}",
                                    hint="this server does not support that response_format: set "
                                         "response_format: json_object (or none)")
        raise EngineError(f"llm.openai: {where}: {said}", hint="see the server's message")
