"""Wait for one submitted ComfyUI prompt: websocket messages first, /history + /queue polling as fallback.

    outcome = wait_for(client, ws, prompt_id, deadline=time.monotonic() + 600, poll_interval_s=1.0,
                       progress=request.progress)
    outcome.entry        # the /history entry: {"outputs": {node_id: {"images": [...]}}, "status": {...}}
    outcome.transport    # 'websocket' or 'poll' (the websocket dropped or never opened)

Websocket messages (JSON text frames; binary frames are previews and are dropped):
    progress {value, max}                       → progress(value, max)
    executing {node: null, prompt_id}           → done: read /history
    execution_success {prompt_id}               → done
    execution_error {node_id, node_type, exception_type, exception_message} → EngineError
    execution_interrupted                       → EngineError

When the websocket is quiet for ``poll_interval_s``, has dropped, or signalled "done", the prompt's state is
read: in /history → finished; in /queue (running or pending) → keep waiting; in neither (checked twice, so
a prompt finishing between the two reads is not mistaken) → ``PromptLost`` (the server restarted). Past the
deadline → ``PromptTimeout``. Both are EngineErrors; the engine resubmits a lost prompt once.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.protocol import State
from websockets.sync.client import ClientConnection

from assetline.engines.base import ProgressHook
from assetline.engines.comfyui.client import ComfyUIClient
from assetline.errors import EngineError


class PromptLost(EngineError):
    """The server knows nothing of the prompt any more (neither in its history nor in its queue)."""


class PromptTimeout(EngineError):
    """The prompt did not finish before the deadline."""


@dataclass(frozen=True)
class Outcome:
    entry: dict[str, Any]
    transport: str


def wait_for(client: ComfyUIClient, ws: ClientConnection | None, prompt_id: str, *, deadline: float,
             poll_interval_s: float, timeout_s: float, progress: ProgressHook | None = None) -> Outcome:
    """Block until ``prompt_id`` has a /history entry (see the module docstring)."""
    transport = "websocket" if ws is not None else "poll"
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise PromptTimeout(f"ComfyUI at {client.url} did not finish prompt {prompt_id} within "
                                f"timeout_s={timeout_s:g} s",
                                hint="raise engines.settings.comfyui.timeout_s, or check the server's queue "
                                     "(other jobs run first)")
        check = ws is None
        if ws is not None:
            try:
                frame = ws.recv(timeout=min(poll_interval_s, remaining))
            except TimeoutError:
                check = True
            except (ConnectionClosed, OSError):
                ws, transport, check = None, "poll", True
            else:
                check = isinstance(frame, str) and _handle(frame, prompt_id, progress)
        if not check:
            continue
        entry = _state(client, prompt_id)
        if entry is not None:
            return Outcome(_checked(client, entry, prompt_id), transport)
        if ws is None or not _alive(ws):
            ws = None
            time.sleep(max(0.0, min(poll_interval_s, deadline - time.monotonic())))


def _handle(frame: str, prompt_id: str, progress: ProgressHook | None) -> bool:
    """Act on one JSON message; True when it says the prompt is done (time to read /history)."""
    try:
        message = json.loads(frame)
    except json.JSONDecodeError:
        return False
    if not isinstance(message, dict) or not isinstance(message.get("data"), dict):
        return False
    kind, data = message.get("type"), message["data"]
    ours = data.get("prompt_id") == prompt_id
    if kind == "progress" and (ours or "prompt_id" not in data):
        if progress is not None and isinstance(data.get("value"), int) and isinstance(data.get("max"), int):
            progress(data["value"], data["max"])
        return False
    if not ours:
        return False
    if kind == "executing" and data.get("node") is None:
        return True
    if kind == "execution_success":
        return True
    if kind == "execution_error":
        raise _execution_error(data)
    if kind == "execution_interrupted":
        raise EngineError(f"ComfyUI interrupted prompt {prompt_id} at node {data.get('node_id', '?')}",
                          hint="somebody pressed Cancel on the server, or it was restarted; run again")
    return False


def _state(client: ComfyUIClient, prompt_id: str) -> dict[str, Any] | None:
    """The history entry; None while the prompt is queued or running; PromptLost when the server forgot it."""
    entry = client.history(prompt_id)
    if entry is not None:
        return entry
    if client.queued(prompt_id) is not None:
        return None
    entry = client.history(prompt_id)  # it may have finished between the two reads
    if entry is not None:
        return entry
    raise PromptLost(f"ComfyUI lost prompt {prompt_id}: the server at {client.url} has it neither in its "
                     "history nor in its queue (was it restarted?)",
                     hint="run again; with retries ≥ 1 the engine resubmits a lost prompt once")


def _checked(client: ComfyUIClient, entry: dict[str, Any], prompt_id: str) -> dict[str, Any]:
    """A finished entry, or the execution error its status records (the polling path sees errors here)."""
    raw = entry.get("status")
    status: dict[str, Any] = raw if isinstance(raw, dict) else {}
    if status.get("status_str") == "error":
        for item in status.get("messages") or []:
            if isinstance(item, list | tuple) and len(item) == 2 and item[0] == "execution_error" \
                    and isinstance(item[1], dict):
                raise _execution_error(item[1])
        raise EngineError(f"ComfyUI at {client.url} reports prompt {prompt_id} failed",
                          hint="see the server's console for the error")
    return entry


def _execution_error(data: dict[str, Any]) -> EngineError:
    node, cls = data.get("node_id", "?"), data.get("node_type", "?")
    kind = f"{data['exception_type']}: " if data.get("exception_type") else ""
    return EngineError(f"ComfyUI failed in node {node} ({cls}): {kind}{data.get('exception_message', '').strip()}",
                       hint="the server's console has the traceback; check that node's inputs and model files")


def _alive(ws: ClientConnection) -> bool:
    return ws.protocol.state is State.OPEN
