"""ComfyUI API-format workflows: load, find the input slots, fill them in, list the models they load.

An API-format workflow (ComfyUI: "Save (API Format)"; the plain "Save" writes the UI format, which the server
cannot run) maps node ids to nodes::

    {"3": {"class_type": "KSampler", "inputs": {"seed": 5, "positive": ["6", 0], ...}}, "6": {...}}

An input is either a value (a widget: text, seed, width …) or a link ``[node_id, output_index]``. A *slot*
names one value input as ``"<node id>.inputs.<field>"``; the engine writes the prompt, seed, size, steps and
uploaded image names into slots. ``resolve_slots`` checks the slots a campaign names and finds the others:

    prompt / negative_prompt   the CLIPTextEncode reached from the single sampler's positive / negative input
                               (through conditioning nodes such as ControlNetApply)
    seed, steps                the single sampler's ``seed`` (``noise_seed`` for KSamplerAdvanced) and ``steps``
    width, height              the EmptyLatentImage feeding the sampler's ``latent_image`` (if it is one)
    image, mask                the single LoadImage node's / LoadImageMask node's ``image``

Everything here is pure (no I/O except ``load_workflow``) and raises ``WorkflowError`` (a ValueError, so
pydantic turns it into a SpecError pointing at the campaign line) with the exact fix.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Workflow = dict[str, dict[str, Any]]
"""node id → {"class_type": str, "inputs": {name: value | [node_id, index]}, "_meta": {...}}."""

SLOT_NAMES = ("prompt", "negative_prompt", "seed", "width", "height", "steps", "image", "mask")
SAMPLERS = {"KSampler": "seed", "KSamplerAdvanced": "noise_seed"}
"""Sampler class → the name of its seed input."""
OUTPUT_CLASSES = ("SaveImage",)
MODEL_INPUTS = ("ckpt_name", "lora_name", "control_net_name", "unet_name", "vae_name", "clip_name",
                "clip_name1", "clip_name2", "style_model_name", "upscale_model_name")
"""Inputs whose value is a model file on the server."""
_CONDITIONING_INPUTS = ("conditioning", "positive", "conditioning_to", "conditioning_1")
_MAX_HOPS = 16


class WorkflowError(ValueError):
    """The workflow file or a slot is wrong; the message says how to fix it."""


@dataclass(frozen=True)
class Slot:
    """One value input of one node."""

    node: str
    field: str

    def __str__(self) -> str:
        return f"{self.node}.inputs.{self.field}"


# ---------------------------------------------------------------- load
def load_workflow(path: Path) -> Workflow:
    """Read and check an API-format workflow JSON file."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise WorkflowError(f"workflow file not found: {path}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WorkflowError(f"workflow {path} is not a readable JSON file: {exc}") from None
    return check_workflow(data, str(path))


def check_workflow(data: Any, name: str = "workflow") -> Workflow:
    """``data`` if it is an API-format workflow, else a WorkflowError."""
    if isinstance(data, dict) and "nodes" in data and "links" in data:
        raise WorkflowError(f"{name} is in ComfyUI's UI format, which the server cannot run; export it with "
                            "'Save (API Format)' (enable the dev mode options in ComfyUI's settings)")
    if not isinstance(data, dict) or not data:
        raise WorkflowError(f"{name} must be a JSON object of node id → node (ComfyUI's API format)")
    for node_id, node in data.items():
        if not isinstance(node, dict) or not isinstance(node.get("class_type"), str) \
                or not isinstance(node.get("inputs", {}), dict):
            raise WorkflowError(f"{name}: node '{node_id}' needs a 'class_type' string and an 'inputs' object")
    return data


# ---------------------------------------------------------------- slots
def parse_slot(text: str) -> Slot:
    """'6.inputs.text' → Slot('6', 'text')."""
    node, sep, field = str(text).partition(".inputs.")
    if not sep or not node or not field or "." in field:
        raise WorkflowError(f"slot '{text}' must look like '<node id>.inputs.<field>', e.g. '6.inputs.text'")
    return Slot(node, field)


def check_slot(workflow: Workflow, name: str, slot: Slot) -> None:
    """The slot names an existing node and one of its value (not link) inputs."""
    node = workflow.get(slot.node)
    if node is None:
        raise WorkflowError(f"slot {name} = '{slot}': the workflow has no node '{slot.node}' "
                            f"(its nodes: {_node_list(workflow)})")
    inputs = node.get("inputs", {})
    if slot.field not in inputs:
        raise WorkflowError(f"slot {name} = '{slot}': node {slot.node} ({node['class_type']}) has no input "
                            f"'{slot.field}' (its inputs: {', '.join(inputs) or 'none'})")
    if _is_link(inputs[slot.field]):
        src = inputs[slot.field]
        raise WorkflowError(f"slot {name} = '{slot}': that input is a link to node {src[0]} output {src[1]}, "
                            "not a value; name the input of the node it comes from")


def resolve_slots(workflow: Workflow, given: dict[str, str]) -> dict[str, Slot]:
    """Every slot the engine will fill: the ``given`` ones (checked) plus the auto-detected rest.

    The prompt slot is required: if it is neither given nor found, or the workflow is ambiguous (several
    samplers, several LoadImage nodes), a WorkflowError names the candidates to choose from."""
    slots: dict[str, Slot] = {}
    for name, text in given.items():
        if name not in SLOT_NAMES:
            raise WorkflowError(f"unknown slot '{name}' (slots: {', '.join(SLOT_NAMES)})")
        slots[name] = parse_slot(text)
        check_slot(workflow, name, slots[name])
    missing = [n for n in SLOT_NAMES if n not in slots]
    if missing:
        for name, slot in _detect(workflow, missing).items():
            slots.setdefault(name, slot)
    if "prompt" not in slots:
        raise WorkflowError("cannot find where the prompt goes: no single KSampler whose positive input comes "
                            "from a CLIPTextEncode; name it in settings, e.g. slots: {prompt: '6.inputs.text'}")
    return slots


def _detect(workflow: Workflow, wanted: list[str]) -> dict[str, Slot]:
    found: dict[str, Slot] = {}
    samplers = [nid for nid, n in workflow.items() if n["class_type"] in SAMPLERS]
    sampler_slots = {"prompt", "negative_prompt", "seed", "steps", "width", "height"}
    if len(samplers) > 1 and {"prompt", "seed"} & set(wanted):
        raise WorkflowError(f"the workflow has {len(samplers)} sampler nodes ({', '.join(samplers)}), so the "
                            "prompt and seed inputs are ambiguous; name them in settings, e.g. "
                            f"slots: {{prompt: '<node>.inputs.text', seed: '{samplers[0]}.inputs.seed'}}")
    if len(samplers) == 1 and sampler_slots & set(wanted):
        sid = samplers[0]
        sampler = workflow[sid]
        inputs = sampler.get("inputs", {})
        seed_field = SAMPLERS[sampler["class_type"]]
        for name, field in (("seed", seed_field), ("steps", "steps")):
            if field in inputs and not _is_link(inputs[field]):
                found[name] = Slot(sid, field)
        for name, field in (("prompt", "positive"), ("negative_prompt", "negative")):
            text_node = _text_encoder(workflow, inputs.get(field))
            if text_node is not None:
                found[name] = Slot(text_node, "text")
        latent = _link_source(workflow, inputs.get("latent_image"))
        if latent is not None and workflow[latent]["class_type"] == "EmptyLatentImage":
            for name in ("width", "height"):
                if not _is_link(workflow[latent]["inputs"].get(name)):
                    found[name] = Slot(latent, name)
    for name, cls in (("image", "LoadImage"), ("mask", "LoadImageMask")):
        if name not in wanted:
            continue
        nodes = [nid for nid, n in workflow.items() if n["class_type"] == cls]
        if len(nodes) > 1:
            raise WorkflowError(f"the workflow has {len(nodes)} {cls} nodes ({', '.join(nodes)}); name the one "
                                f"for the {name} in settings, e.g. slots: {{{name}: '{nodes[0]}.inputs.image'}}")
        if nodes and "image" in workflow[nodes[0]].get("inputs", {}):
            found[name] = Slot(nodes[0], "image")
    return {k: v for k, v in found.items() if k in wanted}


def _text_encoder(workflow: Workflow, link: Any) -> str | None:
    """Follow a conditioning link back to the CLIPTextEncode-like node whose ``text`` is a value."""
    node_id = _link_source(workflow, link)
    for _ in range(_MAX_HOPS):
        if node_id is None:
            return None
        inputs = workflow[node_id].get("inputs", {})
        if isinstance(inputs.get("text"), str):
            return node_id
        node_id = next((_link_source(workflow, inputs[k]) for k in _CONDITIONING_INPUTS if _is_link(inputs.get(k))),
                       None)
    return None


def output_node(workflow: Workflow, given: str | None) -> str:
    """The node whose images are the result: ``given`` (checked), else the single SaveImage node."""
    if given is not None:
        if given not in workflow:
            raise WorkflowError(f"output_node '{given}' is not a node of the workflow (its nodes: "
                                f"{_node_list(workflow)})")
        return given
    saves = [nid for nid, n in workflow.items() if n["class_type"] in OUTPUT_CLASSES]
    if len(saves) != 1:
        what = "no SaveImage node" if not saves else f"{len(saves)} SaveImage nodes ({', '.join(saves)})"
        raise WorkflowError(f"the workflow has {what}; name the node whose images to take, e.g. output_node: "
                            f"'{saves[0] if saves else '9'}'")
    return saves[0]


# ---------------------------------------------------------------- fill in, models
def fill(workflow: Workflow, values: dict[Slot, Any]) -> Workflow:
    """A copy of ``workflow`` with each slot set to its value."""
    out = copy.deepcopy(workflow)
    for slot, value in values.items():
        out[slot.node]["inputs"][slot.field] = value
    return out


@dataclass(frozen=True)
class ServerModel:
    """A model file the workflow loads on the server, e.g. ckpt_name 'v1-5-pruned-emaonly.safetensors'."""

    node: str
    class_type: str
    input: str
    name: str
    weight: float | None = None


def server_models(workflow: Workflow) -> list[ServerModel]:
    """Every model file name the workflow loads (value inputs named in MODEL_INPUTS), in node order."""
    out: list[ServerModel] = []
    for nid in sorted(workflow, key=_node_order):
        node = workflow[nid]
        inputs = node.get("inputs", {})
        for key in MODEL_INPUTS:
            value = inputs.get(key)
            if isinstance(value, str) and value:
                weight = inputs.get("strength_model", inputs.get("strength"))
                out.append(ServerModel(nid, node["class_type"], key, value,
                                       float(weight) if isinstance(weight, int | float) else None))
    return out


def _is_link(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2 and isinstance(value[0], str | int) \
        and isinstance(value[1], int)


def _link_source(workflow: Workflow, value: Any) -> str | None:
    if not _is_link(value):
        return None
    node_id = str(value[0])
    return node_id if node_id in workflow else None


def _node_order(node_id: str) -> tuple[int, str]:
    head = node_id.split(":")[0]
    return (int(head), node_id) if head.isdigit() else (1 << 62, node_id)


def _node_list(workflow: Workflow) -> str:
    ids = sorted(workflow, key=_node_order)
    listed = ", ".join(f"{i} {workflow[i]['class_type']}" for i in ids[:12])
    return listed + (f", … {len(ids) - 12} more" if len(ids) > 12 else "")
