"""The ComfyUI engine's failure paths, each against the fake server's scenario switches."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from comfyui_kit import WORKFLOW

from assetline.engines.base import VisualRequest
from assetline.engines.comfyui import ComfyUISettings, ComfyUIVisualEngine
from assetline.errors import EngineError
from comfyui_fake import FakeComfyUI

Settings = Callable[..., ComfyUISettings]
Req = Callable[..., VisualRequest]


def _workflow(tmp_path: Path, edit: Callable[[dict[str, dict[str, object]]], None]) -> Path:
    graph = json.loads(WORKFLOW.read_text())
    edit(graph)
    path = tmp_path / "edited_api.json"
    path.write_text(json.dumps(graph))
    return path


def test_node_errors_name_node_class_and_message(server: FakeComfyUI, engine: ComfyUIVisualEngine,
                                                 settings_for: Settings, make_request: Req, tmp_path: Path) -> None:
    def edit(graph: dict[str, dict[str, object]]) -> None:
        graph["4"]["inputs"] = {"ckpt_name": "missing-model.safetensors"}
        del graph["3"]["inputs"]["cfg"]  # type: ignore[attr-defined]

    settings = settings_for(workflow=_workflow(tmp_path, edit))
    with pytest.raises(EngineError) as err:
        engine.generate(make_request(settings))
    text = str(err.value)
    assert "rejected the workflow: Prompt outputs failed validation" in text
    assert "node 3 (KSampler): Required input is missing (cfg)" in text
    assert "node 4 (CheckpointLoaderSimple): Value not in list (ckpt_name: 'missing-model.safetensors'" in text
    assert err.value.hint and "custom nodes" in err.value.hint


def test_unknown_node_class_reports_the_top_level_error(server: FakeComfyUI, engine: ComfyUIVisualEngine,
                                                        settings_for: Settings, make_request: Req,
                                                        tmp_path: Path) -> None:
    def edit(graph: dict[str, dict[str, object]]) -> None:
        graph["8"]["class_type"] = "VAEDecodeTiledPlus"

    with pytest.raises(EngineError, match=r"Cannot execute because node VAEDecodeTiledPlus does not exist\. "
                                          r"\(Node ID '#8'\)"):
        engine.generate(make_request(settings_for(workflow=_workflow(tmp_path, edit))))


def test_execution_error_mid_run(server: FakeComfyUI, engine: ComfyUIVisualEngine, settings_for: Settings,
                                 make_request: Req) -> None:
    server.error_at_step = 2
    progress: list[int] = []
    with pytest.raises(EngineError, match=r"failed in node 3 \(KSampler\): torch.OutOfMemoryError: CUDA out of "
                                          r"memory"):
        engine.generate(make_request(settings_for(), progress=lambda d, t: progress.append(d)))
    assert progress == [1]


def test_execution_error_seen_by_polling_when_the_websocket_drops(
        server: FakeComfyUI, engine: ComfyUIVisualEngine, settings_for: Settings, make_request: Req) -> None:
    server.error_at_step, server.drop_ws_after_start, server.step_delay = 3, True, 0.02
    with pytest.raises(EngineError, match=r"failed in node 3 \(KSampler\).*CUDA out of memory"):
        engine.generate(make_request(settings_for()))


def test_websocket_dropped_falls_back_to_polling(server: FakeComfyUI, engine: ComfyUIVisualEngine,
                                                 settings_for: Settings, make_request: Req) -> None:
    server.drop_ws_after_start, server.step_delay = True, 0.02
    result = engine.generate(make_request(settings_for(), seed=3))
    assert result.metadata["transport"] == "poll"
    assert result.image.size == (64, 48)
    server.drop_ws_after_start = False
    again = engine.generate(make_request(settings_for(), seed=3))
    assert again.metadata["transport"] == "websocket" and again.image.tobytes() == result.image.tobytes()


def test_lost_prompt_is_resubmitted_once(server: FakeComfyUI, engine: ComfyUIVisualEngine, settings_for: Settings,
                                         make_request: Req) -> None:
    server.forget = 1
    result = engine.generate(make_request(settings_for(retries=1)))
    assert len(server.prompts) == 2 and result.metadata["prompt_id"] in server.history


def test_lost_prompt_twice_is_an_error(server: FakeComfyUI, engine: ComfyUIVisualEngine, settings_for: Settings,
                                       make_request: Req) -> None:
    server.forget = 2
    with pytest.raises(EngineError, match=r"ComfyUI lost prompt .*neither in its history nor in its queue"):
        engine.generate(make_request(settings_for(retries=1)))
    assert len(server.prompts) == 2


def test_lost_prompt_without_retries_is_not_resubmitted(server: FakeComfyUI, engine: ComfyUIVisualEngine,
                                                        settings_for: Settings, make_request: Req) -> None:
    server.forget = 1
    with pytest.raises(EngineError, match="ComfyUI lost prompt"):
        engine.generate(make_request(settings_for(retries=0)))
    assert len(server.prompts) == 1


def test_slow_job_times_out_names_the_setting_and_cancels(server: FakeComfyUI, engine: ComfyUIVisualEngine,
                                                          settings_for: Settings, make_request: Req) -> None:
    server.step_delay = 0.3  # 25 steps: 7.5 s, far beyond the timeout; still running, so not "lost"
    with pytest.raises(EngineError) as err:
        engine.generate(make_request(settings_for(timeout_s=0.4)))
    assert f"ComfyUI at {server.url} did not finish prompt" in str(err.value)
    assert "timeout_s=0.4 s" in str(err.value) and "raise engines.settings.comfyui.timeout_s" in str(err.value)
    assert server.interrupted  # the running prompt was interrupted, not left to hog the GPU


def test_http_500_is_retried_then_succeeds(server: FakeComfyUI, engine: ComfyUIVisualEngine,
                                           settings_for: Settings, make_request: Req) -> None:
    server.fail_next = {"/prompt": 2, "/history": 1}
    result = engine.generate(make_request(settings_for(retries=2)))
    assert result.image.size == (64, 48)
    assert len(server.prompts) == 1  # the 500s never reached the handler


def test_http_500_past_the_retries_is_an_error(server: FakeComfyUI, engine: ComfyUIVisualEngine,
                                               settings_for: Settings, make_request: Req) -> None:
    server.fail_next = {"/prompt": 3}
    with pytest.raises(EngineError, match=r"failed POST .*/prompt: HTTP 500"):
        engine.generate(make_request(settings_for(retries=2)))


@pytest.mark.parametrize("token", [None, "wrong"])
def test_wrong_or_missing_token(server: FakeComfyUI, engine: ComfyUIVisualEngine, settings_for: Settings,
                                make_request: Req, monkeypatch: pytest.MonkeyPatch, token: str | None) -> None:
    server.token = "s3cret"
    if token is None:
        settings = settings_for()
        hint = "token_env"
    else:
        monkeypatch.setenv("COMFY_TEST_TOKEN", token)
        settings = settings_for(token_env="COMFY_TEST_TOKEN")
        hint = "COMFY_TEST_TOKEN"
    with pytest.raises(EngineError, match=r"refused POST .*/prompt: HTTP 401") as err:
        engine.generate(make_request(settings))
    assert err.value.hint and hint in err.value.hint


def test_token_env_not_set(server: FakeComfyUI, engine: ComfyUIVisualEngine, settings_for: Settings,
                           make_request: Req, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COMFY_TEST_TOKEN", raising=False)
    with pytest.raises(EngineError, match="environment variable COMFY_TEST_TOKEN"):
        engine.generate(make_request(settings_for(token_env="COMFY_TEST_TOKEN")))


@pytest.mark.parametrize("path", ["/prompt", "/history", "/queue"])
def test_malformed_json_reply(server: FakeComfyUI, engine: ComfyUIVisualEngine, settings_for: Settings,
                              make_request: Req, path: str) -> None:
    server.malformed = {path}
    server.drop_ws_after_start = True  # make the engine read /history and /queue
    with pytest.raises(EngineError, match=rf"sent a malformed reply to \w+ {path}.*not JSON: <html>502") as err:
        engine.generate(make_request(settings_for()))
    assert err.value.hint and "ComfyUI server" in err.value.hint


def test_unreachable_server(engine: ComfyUIVisualEngine, make_request: Req) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = ComfyUISettings(url=f"http://127.0.0.1:{port}", workflow=WORKFLOW, retries=1,
                               retry_backoff_s=0.01, connect_timeout_s=1)
    with pytest.raises(EngineError, match=rf"cannot reach ComfyUI at http://127.0.0.1:{port}") as err:
        engine.generate(make_request(settings))
    assert err.value.hint and "engines.settings.comfyui.url" in err.value.hint


def test_bad_requests_are_refused_before_any_traffic(engine: ComfyUIVisualEngine, make_request: Req) -> None:
    settings = ComfyUISettings(url="http://127.0.0.1:9", workflow=WORKFLOW)
    with pytest.raises(EngineError, match="positive integers"):
        engine.generate(make_request(settings, width=0))
    with pytest.raises(EngineError, match="seed"):
        engine.generate(make_request(settings, seed=-1))
    with pytest.raises(EngineError, match="needs its settings"):
        engine.generate(make_request(None))
