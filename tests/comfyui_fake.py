"""A fake ComfyUI server for the engine tests: the documented HTTP + websocket API, on 127.0.0.1.

    with FakeComfyUI() as server:          # uvicorn in a background thread, on a free port
        server.url                         # 'http://127.0.0.1:PORT'
        server.step_delay = 0.5            # scenario switches: see the attributes below

It validates graphs like ComfyUI (unknown class_type → top-level 'invalid_prompt'; a missing required input,
a model name it does not have, a LoadImage file never uploaded → 400 with node_errors), runs one prompt at a
time (status, execution_start, executing per node, progress per step, executed, executing null), keeps
/history and /queue, serves the rendered PNGs on /view (a pattern drawn from the seed, the prompt and the
EmptyLatentImage size; LoadImage + LoadImageMask workflows keep the uploaded canvas where the mask is black)
and accepts /upload/image.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect

from localserver import LocalServer

CLASSES: dict[str, tuple[str, ...]] = {
    "CheckpointLoaderSimple": ("ckpt_name",),
    "CLIPTextEncode": ("text", "clip"),
    "EmptyLatentImage": ("width", "height", "batch_size"),
    "KSampler": ("model", "seed", "steps", "cfg", "sampler_name", "scheduler", "positive", "negative",
                 "latent_image", "denoise"),
    "VAEDecode": ("samples", "vae"),
    "SaveImage": ("images", "filename_prefix"),
    "LoadImage": ("image",),
    "LoadImageMask": ("image", "channel"),
    "VAEEncodeForInpaint": ("pixels", "vae", "mask", "grow_mask_by"),
    "LoraLoader": ("model", "clip", "lora_name", "strength_model", "strength_clip"),
}
"""class_type → required inputs."""
PREVIEW = bytes.fromhex("89504e470d0a1a0a")  # the start of a PNG: clients must drop these frames unread
MODELS = {"v1-5-pruned-emaonly.safetensors", "sd-v1-5-inpainting.safetensors", "brand-lora.safetensors"}


@dataclass
class FakeComfyUI:
    token: str | None = None
    """Bearer token every request must carry (None: no auth)."""
    step_delay: float = 0.005
    """Seconds per sampler step."""
    fail_next: dict[str, int] = field(default_factory=dict)
    """Path prefix → how many more requests to answer with HTTP 500."""
    malformed: set[str] = field(default_factory=set)
    """Path prefixes answered with 200 and a body that is not JSON."""
    forget: int = 0
    """How many more prompts to accept and then lose (the server 'restarts': queue and sockets are gone)."""
    error_at_step: int | None = None
    """Raise an execution error in the sampler at this step."""
    drop_ws_after_start: bool = False
    """Close the client's websocket right after execution_start (the job goes on)."""
    output_size: tuple[int, int] | None = None
    """Render at this size instead of the EmptyLatentImage size (to test resizing)."""
    # records
    prompts: list[dict[str, Any]] = field(default_factory=list)
    uploads: dict[str, bytes] = field(default_factory=dict)
    auth_headers: list[str | None] = field(default_factory=list)
    interrupted: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    # state
    history: dict[str, dict[str, Any]] = field(default_factory=dict)
    running: list[list[Any]] = field(default_factory=list)
    pending: list[list[Any]] = field(default_factory=list)
    images: dict[str, bytes] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._sockets: dict[str, WebSocket] = {}
        self._number = 0
        self._lock: asyncio.Lock | None = None
        self._cancel: set[str] = set()
        self._tasks: set[asyncio.Future[None]] = set()
        self._server: LocalServer | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # ------------------------------------------------------------------ lifecycle
    def __enter__(self) -> FakeComfyUI:
        self._server = LocalServer(self.app(), "fake ComfyUI", ws_ping_interval=None)
        self.port = self._server.port
        self._server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.stop()

    def app(self) -> ASGIApp:
        routes = [Route("/prompt", self.post_prompt, methods=["POST"]),
                  Route("/history/{prompt_id}", self.get_history), Route("/queue", self.get_queue),
                  Route("/queue", self.post_queue, methods=["POST"]),
                  Route("/interrupt", self.post_interrupt, methods=["POST"]),
                  Route("/view", self.get_view), Route("/upload/image", self.post_upload, methods=["POST"]),
                  WebSocketRoute("/ws", self.websocket)]
        return self._guard(Starlette(routes=routes))

    def _guard(self, app: ASGIApp) -> ASGIApp:
        """Bearer-token check, injected 500s and malformed bodies, in front of every route."""

        async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] not in ("http", "websocket"):
                return await app(scope, receive, send)
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
            auth = headers.get("authorization")
            self.auth_headers.append(auth)
            path: str = scope["path"]
            if self.token is not None and auth != f"Bearer {self.token}":
                if scope["type"] == "websocket":
                    return await send({"type": "websocket.close", "code": 1008})
                return await JSONResponse({"error": "unauthorized"}, status_code=401)(scope, receive, send)
            if scope["type"] == "http":
                for prefix, n in list(self.fail_next.items()):
                    if path.startswith(prefix) and n > 0:
                        self.fail_next[prefix] = n - 1
                        return await Response("Internal Server Error", status_code=500)(scope, receive, send)
                if any(path.startswith(p) for p in self.malformed):
                    return await Response("<html>502 proxy says hi", media_type="text/html")(scope, receive, send)
            return await app(scope, receive, send)

        return guarded

    # ------------------------------------------------------------------ websocket
    async def websocket(self, ws: WebSocket) -> None:
        client_id = ws.query_params.get("clientId") or uuid.uuid4().hex
        await ws.accept()
        self._sockets[client_id] = ws
        await ws.send_json({"type": "status", "data": {"status": {"exec_info": {"queue_remaining": 0}},
                                                       "sid": client_id}})
        try:
            while True:
                await ws.receive_text()
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            if self._sockets.get(client_id) is ws:
                del self._sockets[client_id]

    async def _send(self, client_id: str, kind: str, data: dict[str, Any]) -> None:
        ws = self._sockets.get(client_id)
        if ws is None:
            return
        try:
            await ws.send_text(json.dumps({"type": kind, "data": data}))
        except Exception:  # the client went away: ComfyUI drops the message too
            self._sockets.pop(client_id, None)

    async def _preview(self, client_id: str) -> None:
        """A binary preview frame, as ComfyUI sends them: event type 1, image type 2 (PNG), the image."""
        ws = self._sockets.get(client_id)
        if ws is not None:
            with contextlib.suppress(Exception):
                await ws.send_bytes(b"\x00\x00\x00\x01\x00\x00\x00\x02" + PREVIEW)

    async def _drop(self, client_id: str | None = None) -> None:
        for cid in [client_id] if client_id else list(self._sockets):
            ws = self._sockets.pop(cid, None) if cid else None
            if ws is not None:
                with contextlib.suppress(Exception):  # already gone
                    await ws.close()

    # ------------------------------------------------------------------ HTTP
    async def post_prompt(self, request: Request) -> Response:
        body = await request.json()
        graph, client_id = body.get("prompt"), body.get("client_id", "")
        self.prompts.append(graph)
        error = self.validate(graph)
        if error is not None:
            return JSONResponse(error, status_code=400)
        prompt_id = str(uuid.uuid4())
        self._number += 1
        if self.forget > 0:  # accepted, then the server restarts and forgets everything in flight
            self.forget -= 1
            asyncio.get_running_loop().call_later(0.02, lambda: asyncio.ensure_future(self._drop()))
            return JSONResponse({"prompt_id": prompt_id, "number": self._number, "node_errors": {}})
        item = [self._number, prompt_id, graph, {"client_id": client_id}, ["9"]]
        self.pending.append(item)
        task = asyncio.ensure_future(self._execute(item, client_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return JSONResponse({"prompt_id": prompt_id, "number": self._number, "node_errors": {}})

    def validate(self, graph: Any) -> dict[str, Any] | None:
        if not isinstance(graph, dict):
            return {"error": {"type": "invalid_prompt", "message": "Invalid prompt", "details": "not an object",
                              "extra_info": {}}, "node_errors": {}}
        for nid, node in graph.items():
            if node.get("class_type") not in CLASSES:
                return {"error": {"type": "invalid_prompt", "message": f"Cannot execute because node "
                                  f"{node.get('class_type')} does not exist.", "details": f"Node ID '#{nid}'",
                                  "extra_info": {}}, "node_errors": {}}
        node_errors: dict[str, Any] = {}
        for nid, node in graph.items():
            errors = []
            inputs = node.get("inputs", {})
            for name in CLASSES[node["class_type"]]:
                if name not in inputs:
                    errors.append({"type": "required_input_missing", "message": "Required input is missing",
                                   "details": name, "extra_info": {"input_name": name}})
            for key in ("ckpt_name", "lora_name"):
                if key in inputs and inputs[key] not in MODELS:
                    errors.append({"type": "value_not_in_list", "message": "Value not in list",
                                   "details": f"{key}: '{inputs[key]}' not in {sorted(MODELS)}", "extra_info": {}})
            if node["class_type"] in ("LoadImage", "LoadImageMask") and inputs.get("image") not in self.uploads:
                errors.append({"type": "custom_validation_failed", "message": "Custom validation failed for node",
                               "details": f"image - Invalid image file: {inputs.get('image')}", "extra_info": {}})
            if errors:
                node_errors[nid] = {"errors": errors, "dependent_outputs": ["9"], "class_type": node["class_type"]}
        if node_errors:
            return {"error": {"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed "
                              "validation", "details": "", "extra_info": {}}, "node_errors": node_errors}
        return None

    async def _execute(self, item: list[Any], client_id: str) -> None:
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            prompt_id, graph = item[1], item[2]
            self.pending.remove(item)
            self.running.append(item)
            messages: list[Any] = []
            status = "success"
            try:
                await self._send(client_id, "execution_start", {"prompt_id": prompt_id, "timestamp": 0})
                messages.append(["execution_start", {"prompt_id": prompt_id}])
                if self.drop_ws_after_start:
                    await self._drop(client_id)
                outputs = await self._run_nodes(graph, prompt_id, client_id, messages)
                if outputs is None:
                    status = "error"
                    outputs = {}
            finally:
                self.running.remove(item)
            self.history[prompt_id] = {"prompt": item, "outputs": outputs,
                                       "status": {"status_str": status, "completed": status == "success",
                                                  "messages": messages}}
            await self._send(client_id, "executing", {"node": None, "prompt_id": prompt_id})

    async def _run_nodes(self, graph: dict[str, Any], prompt_id: str, client_id: str,
                         messages: list[Any]) -> dict[str, Any] | None:
        outputs: dict[str, Any] = {}
        for nid in sorted(graph, key=int):
            node = graph[nid]
            await self._send(client_id, "executing", {"node": nid, "display_node": nid, "prompt_id": prompt_id})
            if node["class_type"] == "KSampler":
                steps = int(node["inputs"]["steps"])
                for step in range(1, steps + 1):
                    await asyncio.sleep(self.step_delay)
                    if prompt_id in self._cancel:
                        await self._send(client_id, "execution_interrupted", {"prompt_id": prompt_id,
                                                                              "node_id": nid})
                        return None
                    if self.error_at_step == step:
                        data = {"prompt_id": prompt_id, "node_id": nid, "node_type": "KSampler",
                                "exception_type": "torch.OutOfMemoryError",
                                "exception_message": "CUDA out of memory. Tried to allocate 2.00 GiB",
                                "traceback": ["..."], "executed": [], "current_inputs": {}, "current_outputs": {}}
                        await self._send(client_id, "execution_error", data)
                        messages.append(["execution_error", data])
                        return None
                    await self._send(client_id, "progress", {"value": step, "max": steps, "prompt_id": prompt_id,
                                                             "node": nid})
                    await self._preview(client_id)
            if node["class_type"] == "SaveImage":
                name = f"{node['inputs']['filename_prefix']}_{len(self.images) + 1:05d}_.png"
                self.images[name] = self.render(graph)
                record = {"filename": name, "subfolder": "", "type": "output"}
                outputs[nid] = {"images": [record]}
                await self._send(client_id, "executed", {"node": nid, "display_node": nid,
                                                         "output": {"images": [record]}, "prompt_id": prompt_id})
        return outputs

    def render(self, graph: dict[str, Any]) -> bytes:
        """A PNG drawn from the sampler's seed, the prompt and the latent size (or the uploaded canvas)."""
        by_class = {n["class_type"]: n for n in graph.values()}
        sampler = by_class["KSampler"]["inputs"]
        positive = graph[str(sampler["positive"][0])]["inputs"]["text"]
        salt = int(hashlib.sha256(positive.encode()).hexdigest()[:8], 16)
        canvas = mask = None
        if "LoadImage" in by_class:
            canvas = Image.open(io.BytesIO(self.uploads[by_class["LoadImage"]["inputs"]["image"]])).convert("RGB")
            size = canvas.size
        else:
            latent = by_class["EmptyLatentImage"]["inputs"]
            size = (int(latent["width"]) // 8 * 8, int(latent["height"]) // 8 * 8)
        if "LoadImageMask" in by_class:
            mask = Image.open(io.BytesIO(self.uploads[by_class["LoadImageMask"]["inputs"]["image"]])).convert("L")
        size = self.output_size or size
        rng = np.random.default_rng([int(sampler["seed"]), salt])
        cells = rng.integers(0, 256, size=(4, 4, 3), dtype=np.uint8)
        image = Image.fromarray(cells).resize(size, Image.Resampling.BILINEAR)
        if canvas is not None and mask is not None and canvas.size == size:
            image = Image.composite(image, canvas, mask)
        buf = io.BytesIO()
        image.save(buf, format="PNG")
        return buf.getvalue()

    async def get_history(self, request: Request) -> Response:
        pid = request.path_params["prompt_id"]
        return JSONResponse({pid: self.history[pid]} if pid in self.history else {})

    async def get_queue(self, request: Request) -> Response:
        return JSONResponse({"queue_running": self.running, "queue_pending": self.pending})

    async def post_queue(self, request: Request) -> Response:
        body = await request.json()
        for pid in body.get("delete", []):
            self.deleted.append(pid)
        return JSONResponse({})

    async def post_interrupt(self, request: Request) -> Response:
        body = await request.json()
        pid = body.get("prompt_id") or (self.running[0][1] if self.running else None)
        if pid:
            self.interrupted.append(pid)
            self._cancel.add(pid)
        return JSONResponse({})

    async def get_view(self, request: Request) -> Response:
        name = request.query_params.get("filename", "")
        if name not in self.images:
            return Response(status_code=404)
        return Response(self.images[name], media_type="image/png")

    async def post_upload(self, request: Request) -> Response:
        form = await request.form()
        upload = form["image"]
        assert not isinstance(upload, str)
        data = await upload.read()
        name = upload.filename or "upload.png"
        self.uploads[name] = data
        return JSONResponse({"name": name, "subfolder": "", "type": str(form.get("type") or "input")})
