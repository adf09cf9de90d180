"""The ComfyUI visual engine: render each background with a workflow on a ComfyUI server you run.

Usage::

    from assetline.engines.comfyui import ComfyUISettings, ComfyUIVisualEngine

    settings = ComfyUISettings(url="http://127.0.0.1:8188", workflow="examples/comfyui/workflow_api.json")
    engine = ComfyUIVisualEngine()
    result = engine.generate(VisualRequest(brand=kit, concept=concept, width=1080, height=1350, seed=7,
                                           segment=segment, settings=settings))
    result.image                  # RGB, exactly 1080 × 1350
    result.metadata["prompt_id"]  # the server's id for the prompt (also: server, workflow, seed, prompt …)

What the engine writes into the workflow (slots, see workflow.py): the prompt (prompt.py: concept visual
prompt + kit imagery prompt + segment audience/city), the kit's negative prompt (when set), ``request.seed``,
the render size, ``steps`` (when set), and for image-to-image workflows the uploaded canvas (the concept's
photo fitted inside the format, canvas.py) and mask. Same request + same server state (models, custom nodes,
deterministic samplers) → same pixels; the workflow file's fingerprint and every model file name it loads
enter the content keys (``models``). The server's model *files* cannot be hashed from here, so a
``server-model`` ModelRef carries the sha256 of the file *name*: replacing a checkpoint on the server under
the same name is not seen — give retrained models new names.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import httpx
from PIL import Image, UnidentifiedImageError

from assetline.engines.base import Box, Modality, ModelRef, VisualRequest, VisualResult
from assetline.engines.comfyui.canvas import outpaint_canvas
from assetline.engines.comfyui.client import ComfyUIClient
from assetline.engines.comfyui.execution import PromptLost, PromptTimeout, wait_for
from assetline.engines.comfyui.prompt import build_prompt, negative_prompt
from assetline.engines.comfyui.settings import ComfyUISettings
from assetline.engines.comfyui.workflow import (
    Slot,
    Workflow,
    WorkflowError,
    fill,
    load_workflow,
    output_node,
    resolve_slots,
    server_models,
)
from assetline.engines.fingerprint import fingerprint
from assetline.errors import EngineError
from assetline.spec.common import hex_to_rgb

MAX_SIDE = 8192
MAX_SEED = 2**64 - 1


@dataclass(frozen=True)
class WorkflowPlan:
    """A checked workflow: its graph, the slots to fill, the output node and the file's fingerprint."""

    path: Path
    graph: Workflow
    slots: dict[str, Slot]
    output_node: str
    fingerprint: str


class ComfyUIVisualEngine:
    """Backgrounds (text-to-image) and outpainted product photos (image-to-image) from a ComfyUI workflow.

    Components: none to pass in; an instance keeps one HTTP client per server and one checked workflow per
    file (the registry builds one engine per worker process). Settings: ``ComfyUISettings``.
    """

    id: ClassVar[str] = "comfyui"
    version: ClassVar[str] = "1"
    modality: ClassVar[Modality] = "visual"
    settings_model: ClassVar[type[ComfyUISettings]] = ComfyUISettings
    path_fields: ClassVar[tuple[str, ...]] = ("workflow",)
    unkeyed_fields: ClassVar[tuple[str, ...]] = ("url", "token_env", "timeout_s", "connect_timeout_s", "retries",
                                                 "retry_backoff_s", "poll_interval_s")
    trained: ClassVar[bool] = True
    uses_segment: ClassVar[bool] = True
    uses_layout: ClassVar[bool] = True

    def __init__(self) -> None:
        self._clients: dict[tuple[Any, ...], ComfyUIClient] = {}
        self._plans: dict[tuple[Any, ...], WorkflowPlan] = {}

    # ------------------------------------------------------------------ plan time
    def plan(self, settings: ComfyUISettings) -> WorkflowPlan:
        """The checked workflow for ``settings`` (memoised by file, size, mtime, slots and output node)."""
        path = Path(settings.workflow)
        try:
            st = path.stat()
        except OSError as exc:
            raise EngineError(f"ComfyUI workflow not found: {path}",
                              hint="engines.settings.comfyui.workflow is relative to the campaign file") from exc
        key = (str(path), st.st_size, st.st_mtime_ns, tuple(sorted(settings.slots.items())), settings.output_node)
        if key not in self._plans:
            try:
                graph = load_workflow(path)
                plan = WorkflowPlan(path, graph, resolve_slots(graph, dict(settings.slots)),
                                    output_node(graph, settings.output_node), fingerprint(path))
            except WorkflowError as exc:
                raise EngineError(str(exc), hint="see docs/engines.md (comfyui: slots)") from None
            self._plans[key] = plan
        return self._plans[key]

    def models(self, settings: ComfyUISettings) -> list[ModelRef]:
        """The workflow file (role 'workflow', its fingerprint) and every model file it loads on the server
        (role 'server-model', sha256 of the file name: the server's files cannot be hashed from here)."""
        plan = self.plan(settings)
        refs = [ModelRef(role="workflow", title=plan.path.name, sha256=plan.fingerprint)]
        seen: set[str] = set()
        for model in server_models(plan.graph):
            if model.name in seen:
                continue
            seen.add(model.name)
            refs.append(ModelRef(role="server-model", title=model.name, weight=model.weight,
                                 sha256=hashlib.sha256(model.name.encode("utf-8")).hexdigest()))
        return refs

    # ------------------------------------------------------------------ inputs
    def check_inputs(self, request: VisualRequest) -> ComfyUISettings:
        w, h = request.width, request.height
        if not (isinstance(w, int) and isinstance(h, int)) or isinstance(w, bool) or w < 1 or h < 1:
            raise EngineError(f"visual size must be two positive integers, got {w!r} × {h!r}")
        if w > MAX_SIDE or h > MAX_SIDE:
            raise EngineError(f"visual size {w} × {h} exceeds the {MAX_SIDE} px limit per side")
        if not isinstance(request.seed, int) or not 0 <= request.seed <= MAX_SEED:
            raise EngineError(f"seed must be an integer in 0 … 2**64 - 1, got {request.seed!r}")
        if not isinstance(request.settings, ComfyUISettings):
            raise EngineError("the comfyui engine needs its settings (at least the workflow file)",
                              hint="add engines.settings.comfyui: {workflow: workflow_api.json} to the campaign")
        if request.photo is not None and not Path(request.photo).is_file():
            raise EngineError(f"photo file not found: {request.photo}")
        return request.settings

    # ------------------------------------------------------------------ entry point
    def generate(self, request: VisualRequest) -> VisualResult:
        # 1. Check inputs
        settings = self.check_inputs(request)
        plan = self.plan(settings)
        if request.photo is not None and "image" not in plan.slots:
            raise EngineError(f"concept '{request.concept.id}' shows photo '{request.concept.visual.photo}', but "
                              f"workflow {plan.path.name} takes no input image (no LoadImage node or image slot)",
                              hint="use an image-to-image workflow (examples/comfyui/workflow_outpaint_api.json), "
                                   "name its slot (slots: {image: '<node>.inputs.image'}), or give the concept a "
                                   "generated style (mesh, gradient …) with a visual.prompt")
        client = self._client(settings)

        # 2. Values for the slots: prompt, negative prompt, seed, render size, steps
        prompt = build_prompt(request.concept, request.brand, request.segment)
        if not prompt:
            raise EngineError(f"concept '{request.concept.id}' gives the ComfyUI engine no prompt",
                              hint="write concepts[].visual.prompt, or imagery.prompt in the brand kit")
        negative = negative_prompt(request.brand)
        rw, rh = render_size(request.width, request.height, settings.max_side, settings.size_multiple)
        values: dict[str, Any] = {"prompt": prompt, "seed": request.seed, "width": rw, "height": rh}
        if negative:
            values["negative_prompt"] = negative
        if settings.steps is not None:
            values["steps"] = settings.steps
        filled = {plan.slots[k]: v for k, v in values.items() if k in plan.slots}

        # 3. Submit (uploading the canvas and mask first) and wait; a lost prompt is resubmitted once
        resubmits = 1 if settings.retries >= 1 else 0
        while True:
            uploads, photo_box = self._uploads(client, plan, request, settings, rw, rh)
            graph = fill(plan.graph, {**filled, **{plan.slots[k]: v for k, v in uploads.items()}})
            client_id = uuid.uuid4().hex
            ws = client.open_websocket(client_id)
            try:
                prompt_id = client.submit(graph, client_id)
                deadline = time.monotonic() + settings.timeout_s
                try:
                    outcome = wait_for(client, ws, prompt_id, deadline=deadline, timeout_s=settings.timeout_s,
                                       poll_interval_s=settings.poll_interval_s, progress=request.progress)
                except PromptTimeout:
                    client.cancel(prompt_id)
                    raise
                except PromptLost:
                    if resubmits == 0:
                        raise
                    resubmits -= 1
                    continue
                break
            finally:
                if ws is not None:
                    ws.close()

        # 4. Fetch the output image, at exactly the requested size
        image_ref = _output_image(outcome.entry, plan, prompt_id, client.url)
        image = _decode(client.view(image_ref), client.url)
        served = image.size
        if served != (request.width, request.height):
            image = image.resize((request.width, request.height), Image.Resampling.LANCZOS)
        subject = _scale_box(photo_box, (rw, rh), (request.width, request.height)) if photo_box else None
        meta: dict[str, Any] = {
            "engine": self.id, "prompt_id": prompt_id, "server": client.url, "workflow": plan.fingerprint,
            "workflow_file": plan.path.name, "seed": request.seed, "prompt": prompt,
            "negative_prompt": negative or None, "output": image_ref.get("filename"),
            "output_node": plan.output_node, "render_size": [rw, rh], "served_size": list(served),
            "resized": served != (request.width, request.height), "transport": outcome.transport,
            "uploads": dict(uploads), "subject_box": subject, "photo_box": subject,
            "style": request.concept.visual.style, "treatment": request.concept.visual.treatment,
        }
        return VisualResult(image=image, metadata=meta)

    # ------------------------------------------------------------------ helpers
    def _client(self, settings: ComfyUISettings) -> ComfyUIClient:
        token = None
        if settings.token_env:
            token = os.environ.get(settings.token_env) or None
            if token is None:
                raise EngineError(f"environment variable {settings.token_env} (engines.settings.comfyui.token_env)"
                                  " is not set", hint=f"export {settings.token_env}=<your ComfyUI bearer token>")
        read_timeout = min(settings.timeout_s, 60.0)
        key = (settings.url, settings.token_env, token, settings.connect_timeout_s, read_timeout, settings.retries,
               settings.retry_backoff_s)
        if key not in self._clients:
            self._clients[key] = ComfyUIClient(settings.url, token=token, token_env=settings.token_env,
                                               connect_timeout_s=settings.connect_timeout_s,
                                               read_timeout_s=read_timeout, retries=settings.retries,
                                               backoff_s=settings.retry_backoff_s)
        return self._clients[key]

    def check_ready(self, settings: ComfyUISettings) -> None:
        """Before a run writes anything: the token variable is set and the server answers (GET /queue)."""
        client = self._client(settings)
        try:
            client.http.get("/queue", timeout=httpx.Timeout(settings.connect_timeout_s))
        except httpx.HTTPError as exc:
            raise EngineError(f"cannot reach ComfyUI at {settings.url} ({type(exc).__name__}: {exc})",
                              hint="start the server (python main.py --listen) or fix "
                                   "engines.settings.comfyui.url") from exc

    def close(self) -> None:
        """Close the HTTP clients (they reopen on the next request)."""
        for client in self._clients.values():
            client.close()
        self._clients.clear()

    def _uploads(self, client: ComfyUIClient, plan: WorkflowPlan, request: VisualRequest,
                 settings: ComfyUISettings, rw: int, rh: int) -> tuple[dict[str, str], Box | None]:
        """Upload the canvas / mask when the workflow has image / mask slots; slot name → uploaded name."""
        if "image" not in plan.slots and "mask" not in plan.slots:
            return {}, None
        bg = request.brand.colour("background") or request.brand.palette[0]
        reserved = tuple(_scale_box(b, (request.width, request.height), (rw, rh)) for b in request.reserved)
        canvas = outpaint_canvas(request.photo, rw, rh, reserved=reserved, fill=settings.photo_fill,
                                 background=hex_to_rgb(bg.hex), reserved_level=settings.reserved_mask,
                                 variation=request.variation)
        out: dict[str, str] = {}
        for name, img in (("image", canvas.image), ("mask", canvas.mask)):
            if name in plan.slots:
                buf = io.BytesIO()
                img.save(buf, format="PNG")
                out[name] = client.upload(buf.getvalue(), name)
        return out, canvas.photo_box


def render_size(width: int, height: int, max_side: int | None, multiple: int) -> tuple[int, int]:
    """The size written into the graph: scaled down to ``max_side``, rounded up to ``multiple``."""
    scale = min(1.0, max_side / max(width, height)) if max_side else 1.0
    return (max(multiple, math.ceil(width * scale / multiple) * multiple),
            max(multiple, math.ceil(height * scale / multiple) * multiple))


def _scale_box(box: Box, src: tuple[int, int], dst: tuple[int, int]) -> Box:
    sx, sy = dst[0] / src[0], dst[1] / src[1]
    return (round(box[0] * sx), round(box[1] * sy), round(box[2] * sx), round(box[3] * sy))


def _output_image(entry: dict[str, Any], plan: WorkflowPlan, prompt_id: str, url: str) -> dict[str, Any]:
    outputs = entry.get("outputs") or {}
    images = (outputs.get(plan.output_node) or {}).get("images") if isinstance(outputs, dict) else None
    if not images or not isinstance(images[0], dict) or not images[0].get("filename"):
        others = [nid for nid, out in outputs.items() if isinstance(out, dict) and out.get("images")]
        cls = plan.graph[plan.output_node]["class_type"]
        raise EngineError(f"ComfyUI prompt {prompt_id} on {url}: output node {plan.output_node} ({cls}) produced "
                          "no images" + (f"; nodes with images: {', '.join(others)}" if others else ""),
                          hint="set engines.settings.comfyui.output_node to the node whose images you want")
    image: dict[str, Any] = images[0]
    return image


def _decode(data: bytes, url: str) -> Image.Image:
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            return img.convert("RGB")
    except (UnidentifiedImageError, OSError) as exc:
        raise EngineError(f"ComfyUI at {url} sent an output that is not an image ({len(data)} bytes)",
                          hint="check that the output node saves images (SaveImage)") from exc
