"""Generative engines through the whole line: the shipped ComfyUI + LLM example campaign runs against local servers
speaking their protocols, then QC, review, C2PA signing and delivery, and the file says a trained model made it.

Also: the engines' settings and model fingerprints enter content keys (changing the LLM model re-renders copy and
what depends on it; a re-run renders nothing), and the ComfyUI visual is generated around the cell's copy boxes."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from assetline import api
from assetline.errors import EngineError, InvalidRequestError
from assetline.provenance.manifest import COMPOSITE_WITH_TRAINED
from comfyui_fake import FakeComfyUI
from localserver import free_port
from openai_fake import FakeOpenAI, Scripted, ServerThread

REVIEWER = "rev@studio.example"
COPY = {"headline": ["Nebula lands in London", "Meet Nebula"], "body": ["Dark roast, bright finish."],
        "cta": ["Order now", "Taste it"]}


def _answer(body: dict[str, Any]) -> Scripted:
    """Valid copy for whatever fields the request's JSON Schema asks for."""
    fmt = body.get("response_format") or {}
    props = ((fmt.get("json_schema") or {}).get("schema") or {}).get("properties") or COPY
    return Scripted(content=json.dumps({k: COPY[k] for k in props if k in COPY}))


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[FakeComfyUI, FakeOpenAI]]:
    llm = FakeOpenAI()
    with FakeComfyUI() as comfy, ServerThread(llm):
        llm.responder = _answer
        yield comfy, llm


def _campaign(ws: Path, comfy: FakeComfyUI, llm: FakeOpenAI, model: str = "fake-llm") -> Path:
    """The shipped ComfyUI example with copy from the LLM engine, both pointed at the local servers."""
    path = ws / "brief" / "engines" / "comfyui" / "campaign.yaml"
    yaml = YAML()
    data = yaml.load(path.read_text(encoding="utf-8"))
    data["engines"]["copy"] = "llm.openai"
    data["engines"]["settings"]["comfyui"].update({"url": comfy.url, "timeout_s": 20, "poll_interval_s": 0.05})
    data["engines"]["settings"]["llm.openai"] = {"base_url": llm.base_url, "model": model, "timeout_s": 10}
    data["engines"]["licences"]["llm.openai"] = {"owner": "Test Lab", "name": "Apache-2.0"}
    data["formats"] = ["meta-feed-1x1", "iab-300x250"]
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh)
    return path


@pytest.fixture(scope="module")
def generated(servers: tuple[FakeComfyUI, FakeOpenAI], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    comfy, llm = servers
    ws = tmp_path_factory.mktemp("generative") / "ws"
    api.init_workspace(ws)
    campaign = _campaign(ws, comfy, llm)
    first = api.run_campaign(campaign, ws)
    prompts_after_first = len(comfy.prompts)
    again = api.run_campaign(campaign, ws)
    return {"ws": ws, "campaign": campaign, "first": first, "again": again,
            "prompts_after_first": prompts_after_first}


def test_example_campaign_renders_every_cell_with_both_engines(generated: dict[str, Any],
                                                               servers: tuple[FakeComfyUI, FakeOpenAI]) -> None:
    first = generated["first"]
    assert first.status == "finished", first.failures
    assert first.cells == 4 and first.rendered == 4 and not first.failures
    assert first.steps["copy"]["executed"] == 4 and first.steps["visual"]["executed"] == 4
    _, llm = servers
    assert generated["prompts_after_first"] == 4  # one ComfyUI prompt per cell (layout-aware: per copy)
    assert any("Orbit Coffee" in r.system for r in llm.requests)


def test_a_rerun_renders_nothing_and_calls_no_server(generated: dict[str, Any],
                                                     servers: tuple[FakeComfyUI, FakeOpenAI]) -> None:
    again = generated["again"]
    assert again.rendered == 0 and again.reused == 4
    assert len(servers[0].prompts) == generated["prompts_after_first"]


def test_lineage_names_the_trained_models_and_the_reserved_boxes(generated: dict[str, Any]) -> None:
    ws = generated["ws"]
    api.add_user(REVIEWER, "reviewer", password="a-long-password-1", workspace=ws)
    assets = api.review_assets("comfyui-backgrounds", REVIEWER, workspace=ws)
    record = api.lineage(assets[0]["id"], workspace=ws)
    assert record["uses_trained_model"] is True
    by_step = {s["step"]: s for s in record["steps"]}
    assert by_step["copy"]["engine"] == "llm.openai" and by_step["copy"]["trained"]
    assert [m["role"] for m in by_step["copy"]["models"]] == ["server-model"]
    assert by_step["visual"]["engine"] == "comfyui"
    assert {m["role"] for m in by_step["visual"]["models"]} == {"workflow", "server-model"}
    assert "compose" in by_step and not by_step["compose"].get("trained")
    assert any(i["role"] == "model" for i in record["inputs"])
    assert record["copy"]["fields"]["headline"] in COPY["headline"]


def test_changing_the_llm_model_rerenders_copy_and_what_depends_on_it(generated: dict[str, Any],
                                                                      servers: tuple[FakeComfyUI, FakeOpenAI],
                                                                      tmp_path: Path) -> None:
    comfy, llm = servers
    ws = tmp_path / "ws"
    api.init_workspace(ws)
    campaign = _campaign(ws, comfy, llm)
    api.run_campaign(campaign, ws)
    before = len(comfy.prompts)
    _campaign(ws, comfy, llm, model="another-llm")
    summary = api.run_campaign(campaign, ws)
    assert summary.steps["copy"]["executed"] == 4
    # The ComfyUI visuals are laid out around each cell's copy, so they follow it; nothing else changed.
    assert summary.steps["visual"]["executed"] == 4 and len(comfy.prompts) == before + 4
    # Timeouts and URLs change no output: no re-render.
    text = campaign.read_text(encoding="utf-8")
    campaign.write_text(re.sub(r"timeout_s: 10\b", "timeout_s: 30", text), encoding="utf-8")
    assert api.run_campaign(campaign, ws).rendered == 0


def test_delivered_files_declare_a_trained_model_and_verify(generated: dict[str, Any]) -> None:
    ws = generated["ws"]
    waiting = [a["id"] for a in api.review_assets("comfyui-backgrounds", REVIEWER, workspace=ws)
               if a["status"] == "in_review"]
    assert waiting, "the example's review policy sends everything to review"
    api.review_decide(waiting, "approve", REVIEWER, note="ok", workspace=ws)
    api.init_signing_keys("Studio", workspace=ws)
    result = api.deliver("comfyui-backgrounds", "meta", ws / "out", workspace=ws)
    assert result["delivered"], result["withheld"]
    entry = result["delivered"][0]
    files = list((Path(result["root"])).rglob("*.jp*g")) + list(Path(result["root"]).rglob("*.png"))
    report = api.verify(files[0], workspace=ws)
    assert report["state"] == "trusted", report["failures"]
    assert report["source_type"] == COMPOSITE_WITH_TRAINED  # generated background + a real logo placed on it
    models = {i["title"]: i for i in report["ingredients"] if i["kind"] == "model"}
    assert set(models) == {"model server-model:fake-llm", "model server-model:v1-5-pruned-emaonly.safetensors"}
    assert all(m["relationship"] == "inputTo" for m in models.values())
    html = (Path(result["root"]) / "HOW-THIS-WAS-MADE.html").read_text(encoding="utf-8")
    assert "ComfyUI" in html and "language model" in html
    assert entry["asset_id"] in waiting


def test_a_model_without_a_licence_record_is_withheld_at_delivery(servers: tuple[FakeComfyUI, FakeOpenAI],
                                                                  tmp_path: Path) -> None:
    comfy, llm = servers
    ws = tmp_path / "ws"
    api.init_workspace(ws)
    campaign = _campaign(ws, comfy, llm)
    text = campaign.read_text(encoding="utf-8")
    campaign.write_text(re.sub(r"\n  licences:\n(    .*\n)+", "\n", text, count=1), encoding="utf-8")
    api.run_campaign(campaign, ws)
    api.add_user(REVIEWER, "reviewer", password="a-long-password-1", workspace=ws)
    ids = [a["id"] for a in api.review_assets("comfyui-backgrounds", REVIEWER, workspace=ws)
           if a["status"] == "in_review"]
    api.review_decide(ids, "approve", REVIEWER, workspace=ws)
    api.init_signing_keys("Studio", workspace=ws)
    with pytest.raises(InvalidRequestError, match="withheld all") as err:
        api.deliver("comfyui-backgrounds", "meta", ws / "out", workspace=ws)
    assert "server-model:v1-5-pruned-emaonly.safetensors' has no licence on record" in str(err.value)
    assert not (ws / "out" / "meta").exists()


def test_a_server_that_does_not_answer_stops_the_run_before_anything_is_written(
        servers: tuple[FakeComfyUI, FakeOpenAI], tmp_path: Path) -> None:
    comfy, llm = servers
    ws = tmp_path / "ws"
    api.init_workspace(ws)
    campaign = _campaign(ws, comfy, llm)
    text = campaign.read_text(encoding="utf-8")
    campaign.write_text(text.replace(llm.base_url, f"http://127.0.0.1:{free_port()}/v1"), encoding="utf-8")
    with pytest.raises(EngineError, match=r"llm\.openai: no server answers at http://127\.0\.0\.1") as err:
        api.run_campaign(campaign, ws)
    assert "ollama serve" in str(err.value)
    assert api.campaign_status(ws)["campaigns"] == [] and not (ws / "output").exists()


def test_an_unchanged_rerun_needs_no_server(generated: dict[str, Any]) -> None:
    text = generated["campaign"].read_text(encoding="utf-8")
    dead = f"http://127.0.0.1:{free_port()}"
    generated["campaign"].write_text(re.sub(r"http://127\.0\.0\.1:\d+", dead, text), encoding="utf-8")
    try:
        summary = api.run_campaign(generated["campaign"], generated["ws"])
    finally:
        generated["campaign"].write_text(text, encoding="utf-8")
    assert summary.rendered == 0 and summary.status == "finished"
