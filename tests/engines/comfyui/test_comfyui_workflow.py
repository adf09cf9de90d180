"""Workflows and settings: slot auto-detection, explicit slots, clear errors at settings (plan) time."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from comfyui_kit import EXAMPLES, OUTPAINT, WORKFLOW
from pydantic import ValidationError
from ruamel.yaml import YAML

from assetline.engines.comfyui import ComfyUISettings, ComfyUIVisualEngine
from assetline.engines.comfyui.workflow import (
    Slot,
    WorkflowError,
    check_workflow,
    fill,
    output_node,
    resolve_slots,
    server_models,
)
from assetline.engines.settings import engine_models, engine_settings
from assetline.errors import EngineError, SpecError
from assetline.spec.loader import load_campaign

Graph = dict[str, dict[str, Any]]


def _graph(path: Path = WORKFLOW) -> Graph:
    data: Graph = json.loads(path.read_text())
    return data


def _write(tmp_path: Path, graph: Graph) -> Path:
    path = tmp_path / "wf_api.json"
    path.write_text(json.dumps(graph))
    return path


def test_text_to_image_slots_are_found() -> None:
    slots = resolve_slots(_graph(), {})
    assert {k: str(v) for k, v in slots.items()} == {
        "prompt": "6.inputs.text", "negative_prompt": "7.inputs.text", "seed": "3.inputs.seed",
        "steps": "3.inputs.steps", "width": "5.inputs.width", "height": "5.inputs.height"}
    assert output_node(_graph(), None) == "9"


def test_outpaint_slots_are_found() -> None:
    slots = resolve_slots(_graph(OUTPAINT), {})
    assert {k: str(v) for k, v in slots.items()} == {
        "prompt": "5.inputs.text", "negative_prompt": "6.inputs.text", "seed": "7.inputs.seed",
        "steps": "7.inputs.steps", "image": "2.inputs.image", "mask": "3.inputs.image"}  # no EmptyLatentImage


def test_prompt_is_found_through_conditioning_nodes() -> None:
    graph = _graph()
    graph["10"] = {"class_type": "ControlNetApply", "inputs": {"conditioning": ["6", 0], "control_net": ["11", 0],
                                                                "image": ["12", 0], "strength": 0.8}}
    graph["3"]["inputs"]["positive"] = ["10", 0]
    assert resolve_slots(graph, {})["prompt"] == Slot("6", "text")


def test_advanced_sampler_uses_noise_seed() -> None:
    graph = _graph()
    graph["3"]["class_type"] = "KSamplerAdvanced"
    graph["3"]["inputs"]["noise_seed"] = graph["3"]["inputs"].pop("seed")
    assert resolve_slots(graph, {})["seed"] == Slot("3", "noise_seed")


def test_two_samplers_are_ambiguous_until_named() -> None:
    graph = _graph()
    graph["13"] = copy.deepcopy(graph["3"])  # e.g. a hires-fix second pass
    with pytest.raises(WorkflowError, match=r"2 sampler nodes \(3, 13\).*slots: \{prompt:"):
        resolve_slots(graph, {})
    slots = resolve_slots(graph, {"prompt": "6.inputs.text", "seed": "13.inputs.seed"})
    assert slots["prompt"] == Slot("6", "text") and slots["seed"] == Slot("13", "seed")
    assert "width" not in slots  # nothing is guessed from an ambiguous graph


def test_two_load_image_nodes_are_ambiguous() -> None:
    graph = _graph(OUTPAINT)
    graph["12"] = copy.deepcopy(graph["2"])
    with pytest.raises(WorkflowError, match=r"2 LoadImage nodes \(2, 12\)"):
        resolve_slots(graph, {})
    assert resolve_slots(graph, {"image": "12.inputs.image"})["image"] == Slot("12", "image")


def test_no_sampler_needs_a_prompt_slot() -> None:
    graph = {"1": {"class_type": "CLIPTextEncode", "inputs": {"text": "x", "clip": ["2", 1]}},
             "9": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": "a"}}}
    with pytest.raises(WorkflowError, match="cannot find where the prompt goes"):
        resolve_slots(graph, {})
    assert resolve_slots(graph, {"prompt": "1.inputs.text"}) == {"prompt": Slot("1", "text")}


@pytest.mark.parametrize(("slots", "message"), [
    ({"prompt": "99.inputs.text"}, r"slot prompt = '99.inputs.text': the workflow has no node '99' \(its nodes: "
                                   r"3 KSampler, 4 CheckpointLoaderSimple"),
    ({"seed": "3.inputs.noise_seed"}, r"node 3 \(KSampler\) has no input 'noise_seed' \(its inputs: seed, steps"),
    ({"prompt": "3.inputs.positive"}, r"that input is a link to node 6 output 0, not a value"),
    ({"prompt": "6.text"}, r"must look like '<node id>.inputs.<field>'"),
    ({"colour": "6.inputs.text"}, r"unknown slot 'colour'"),
])
def test_bad_slots(slots: dict[str, str], message: str) -> None:
    with pytest.raises(WorkflowError, match=message):
        resolve_slots(_graph(), slots)


def test_output_node_choice() -> None:
    graph = _graph()
    assert output_node(graph, "8") == "8"
    with pytest.raises(WorkflowError, match="output_node '42' is not a node"):
        output_node(graph, "42")
    graph["19"] = copy.deepcopy(graph["9"])
    with pytest.raises(WorkflowError, match=r"2 SaveImage nodes \(9, 19\); name the node"):
        output_node(graph, None)
    del graph["9"], graph["19"]
    with pytest.raises(WorkflowError, match="no SaveImage node"):
        output_node(graph, None)


def test_ui_format_and_junk_are_refused() -> None:
    with pytest.raises(WorkflowError, match=r"UI format.*Save \(API Format\)"):
        check_workflow({"nodes": [], "links": [], "version": 0.4})
    with pytest.raises(WorkflowError, match="node '3' needs a 'class_type'"):
        check_workflow({"3": {"inputs": {}}})


def test_fill_copies() -> None:
    graph = _graph()
    out = fill(graph, {Slot("6", "text"): "hello", Slot("3", "seed"): 9})
    assert out["6"]["inputs"]["text"] == "hello" and out["3"]["inputs"]["seed"] == 9
    assert graph["6"]["inputs"]["text"] == "a calm brand background"


def test_server_models_and_lora_weight(tmp_path: Path) -> None:
    graph = _graph()
    graph["10"] = {"class_type": "LoraLoader", "inputs": {"model": ["4", 0], "clip": ["4", 1], "strength_clip": 1,
                                                          "lora_name": "brand-lora.safetensors",
                                                          "strength_model": 0.7}}
    assert [(m.node, m.input, m.name, m.weight) for m in server_models(graph)] == [
        ("4", "ckpt_name", "v1-5-pruned-emaonly.safetensors", None), ("10", "lora_name", "brand-lora.safetensors", 0.7)]
    refs = ComfyUIVisualEngine().models(ComfyUISettings(workflow=_write(tmp_path, graph)))
    assert [(r.role, r.title, r.weight) for r in refs] == [
        ("workflow", "wf_api.json", None), ("server-model", "v1-5-pruned-emaonly.safetensors", None),
        ("server-model", "brand-lora.safetensors", 0.7)]


def test_workflow_edit_changes_the_fingerprint(tmp_path: Path) -> None:
    engine = ComfyUIVisualEngine()
    path = _write(tmp_path, _graph())
    before = engine.models(ComfyUISettings(workflow=path))[0].sha256
    graph = _graph()
    graph["3"]["inputs"]["cfg"] = 6.5
    path.write_text(json.dumps(graph) + "\n")
    assert engine.models(ComfyUISettings(workflow=path))[0].sha256 != before


def test_settings_validation_messages(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="no node '99'"):
        ComfyUISettings(workflow=WORKFLOW, slots={"prompt": "99.inputs.text"})
    with pytest.raises(ValidationError, match="workflow file not found"):
        ComfyUISettings(workflow=tmp_path / "nope.json")
    with pytest.raises(ValidationError, match="NAME of an environment variable"):
        ComfyUISettings(workflow=WORKFLOW, token_env="sk-live 123")
    with pytest.raises(ValidationError, match="http:// or https://"):
        ComfyUISettings(workflow=WORKFLOW, url="127.0.0.1:8188")
    assert ComfyUISettings(workflow=WORKFLOW, url="https://comfy.example.com/").url == "https://comfy.example.com"


@pytest.fixture
def campaign_dir(tmp_path: Path) -> Path:
    """The example campaign and the kit it points at, copied so tests may edit them."""
    shutil.copytree(EXAMPLES / "orbit-coffee", tmp_path / "orbit-coffee",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path / "orbit-coffee" / "engines" / "comfyui"


def test_example_campaign_loads_and_plans(campaign_dir: Path) -> None:
    loaded = load_campaign(campaign_dir / "campaign.yaml")
    assert loaded.campaign.engines.visual == "comfyui"
    assert len(loaded.campaign.concepts) * len(loaded.campaign.segments) * len(loaded.formats) == 4
    settings = engine_settings(loaded, ComfyUIVisualEngine)
    assert isinstance(settings, ComfyUISettings)
    assert settings.workflow == (campaign_dir / "workflow_api.json").resolve()  # resolved next to the campaign
    roles = [r.role for r in engine_models(ComfyUIVisualEngine(), settings)]
    assert roles == ["workflow", "server-model"]


def test_bad_slot_in_a_campaign_is_a_spec_error_at_its_line(campaign_dir: Path) -> None:
    path = campaign_dir / "campaign.yaml"
    yaml = YAML()
    data = yaml.load(path.read_text())
    data["engines"]["settings"]["comfyui"]["slots"] = {"prompt": "99.inputs.text"}
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh)
    loaded = load_campaign(path)
    with pytest.raises(SpecError) as err:
        engine_settings(loaded, ComfyUIVisualEngine)
    assert "engines.settings.comfyui.slots" in str(err.value) and "no node '99'" in str(err.value)
    assert err.value.location is not None and err.value.location.line is not None


def test_plan_reports_a_workflow_broken_after_validation(tmp_path: Path) -> None:
    path = _write(tmp_path, _graph())
    settings = ComfyUISettings(workflow=path, slots={"prompt": "6.inputs.text"})
    graph = _graph()
    del graph["6"]
    path.write_text(json.dumps(graph))
    with pytest.raises(EngineError, match="no node '6'"):
        ComfyUIVisualEngine().plan(settings)
