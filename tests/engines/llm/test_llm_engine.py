"""OpenAICopyEngine in write mode against a local OpenAI-compatible server: prompts, schema, retries, errors."""

from __future__ import annotations

import json
from typing import Any

import pytest

from assetline.engines.base import CopyRequest, CopyResult, engine_trait
from assetline.engines.llm import LLMSettings, OpenAICopyEngine
from assetline.errors import EngineError
from assetline.spec.brand import BrandKit
from assetline.spec.campaign import Concept, Segment
from assetline.spec.formats import catalogue
from localserver import free_port
from openai_fake import FakeOpenAI, Scripted, error, reply_json

META = catalogue()["meta-feed-1x1"]  # headline 40, body 125, cta 20

GOOD = {"headline": ["Launch your morning", "Your morning, in orbit", "Fuel the first hour of your day"],
        "body": ["Small-batch coffee, roasted this week in Berlin.", "Fresh beans for your commute."],
        "cta": ["Order now", "Start your order"]}


def request(concept: Concept, segment: Segment, kit: BrandKit, settings: LLMSettings, **kw: Any) -> CopyRequest:
    return CopyRequest(concept=concept, segment=segment, format=kw.pop("format", META), variant=kw.pop("variant", 0),
                       seed=kw.pop("seed", 2026), brand=kit, settings=settings, **kw)


@pytest.fixture
def ask(engine: OpenAICopyEngine, concept: Concept, segments: dict[str, Segment], kit: BrandKit,
        settings: LLMSettings) -> Any:
    def run(segment: str = "de", settings_: LLMSettings | None = None, **kw: Any) -> CopyResult:
        return engine.generate(request(concept, segments[segment], kit, settings_ or settings, **kw))
    return run


def test_traits_and_models(settings: LLMSettings) -> None:
    assert OpenAICopyEngine.id == "llm.openai" and OpenAICopyEngine.modality == "copy"
    assert engine_trait(OpenAICopyEngine, "trained") and engine_trait(OpenAICopyEngine, "uses_brand_voice")
    assert engine_trait(OpenAICopyEngine, "settings_model") is LLMSettings
    (ref,) = OpenAICopyEngine().models(settings)
    assert (ref.role, ref.title, len(ref.sha256)) == ("server-model", "fake-llm", 64)
    moved = settings.model_copy(update={"base_url": "http://10.0.0.9:8000/v1"})
    assert OpenAICopyEngine().models(moved)[0].sha256 == ref.sha256
    pinned = settings.model_copy(update={"model_digest": "sha256:42ab"})
    other = settings.model_copy(update={"model": "qwen2.5:7b"})
    assert len({ref.sha256, OpenAICopyEngine().models(pinned)[0].sha256,
                OpenAICopyEngine().models(other)[0].sha256}) == 3


def test_happy_path_prompt_schema_and_result(server: FakeOpenAI, ask: Any) -> None:
    server.script(reply_json(GOOD))
    result = ask("de")

    # the result: chosen texts among the options, alternatives shortest first, lineage
    assert result.language == "de" and result.direction == "ltr"
    for field, options in GOOD.items():
        assert result.fields[field] in options
        assert result.alternatives[field] == sorted(options, key=len)
    assert result.choices["engine"] == "llm.openai" and result.choices["model"] == "fake-llm"
    assert result.choices["mode"] == "write" and result.choices["attempts"] == 1
    assert result.choices["rejected"] == [] and result.choices["usage"]["total_tokens"] == 120

    # the request
    (sent,) = server.requests
    body = sent.body
    assert body["model"] == "fake-llm" and body["seed"] == 2026 and body["temperature"] == 0.7
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["name"] == "ad_copy" and fmt["json_schema"]["strict"] is True
    schema = fmt["json_schema"]["schema"]
    assert schema["required"] == ["headline", "body", "cta"] and schema["additionalProperties"] is False
    assert {k: v["items"]["maxLength"] for k, v in schema["properties"].items()} == \
        {"headline": 40, "body": 125, "cta": 20}
    system = sent.system
    for needle in ('"cheap"', '"world\'s best"', '"miracle"', '"cures"', '"guaranteed weight loss"',
                   "Offer valid while stocks last.", "adds them separately", "headline", "at most 40 characters",
                   "at most 125 characters", "at most 20 characters", "German (de)", "Orbit Coffee",
                   "never hype", "grade 8", "At most 1 exclamation", "Fuel your morning launch",
                   "Power your morning launch", "roasted this week in Berlin", "sunrise over a launch pad",
                   "creatives 25-35", "Berlin"):
        assert needle in system, needle
    assert "JSON" in sent.messages[1]["content"] and sent.messages[1]["role"] == "user"


def test_only_the_fields_the_brief_has(server: FakeOpenAI, engine: OpenAICopyEngine, segments: dict[str, Segment],
                                       kit: BrandKit, settings: LLMSettings) -> None:
    bare = Concept.model_validate({"id": "bare", "copy": {"headline": ["Nebula is here"]}})
    server.script(reply_json({"headline": ["Nebula has landed", "Meet Nebula"]}))
    result = engine.generate(request(bare, segments["en"], kit, settings))
    assert set(result.fields) == {"headline"}
    schema = server.requests[0].body["response_format"]["json_schema"]["schema"]
    assert list(schema["properties"]) == ["headline"]


@pytest.mark.parametrize("content, note", [
    ("Sure! Here is your copy:\n" + json.dumps(GOOD) + "\nEnjoy.", "prose around the JSON ignored"),
    ("```json\n" + json.dumps(GOOD, indent=1) + "\n```", "fenced"),
    ("<think>limits: 40, 125, 20 {ok}</think>\n" + json.dumps(GOOD), None),
])
def test_tolerated_wrappings(server: FakeOpenAI, ask: Any, content: str, note: str | None) -> None:
    server.script(Scripted(content=content))
    result = ask()
    assert result.choices["attempts"] == 1 and result.fields["headline"] in GOOD["headline"]
    assert result.choices["tolerated"] == ([note] if note else [])


@pytest.mark.parametrize("bad, expected", [
    ({"headlines": ["Launch"], "body": ["x"], "cta": ["Go"]}, "lacks the field 'headline'"),
    ({**GOOD, "notes": "I kept it short"}, "has a field 'notes' the schema does not allow"),
    ({**GOOD, "headline": "Launch your morning"}, "'headline' must be an array of strings, not a string"),
    ({**GOOD, "cta": [1, 2]}, "'cta'[0] must be a string, not a number"),
    ({**GOOD, "body": []}, "'body' has 0 item(s), at least 1 required"),
    (["Launch your morning"], "the reply must be a JSON object, not an array"),
])
def test_schema_ignored_is_corrected(server: FakeOpenAI, ask: Any, bad: Any, expected: str) -> None:
    server.script(reply_json(bad), reply_json(GOOD))
    result = ask()
    assert result.choices["attempts"] == 2 and result.fields["headline"] in GOOD["headline"]
    assert any(expected in r for r in result.choices["rejected"])
    retry = server.requests[1].messages
    assert [m["role"] for m in retry] == ["system", "user", "assistant", "user"]
    assert retry[2]["content"] == json.dumps(bad, ensure_ascii=False)
    assert expected in retry[3]["content"] and "JSON Schema" in retry[3]["content"]


def test_malformed_json_retried_then_clear_error(server: FakeOpenAI, ask: Any) -> None:
    server.script(*[Scripted(content='{"headline": ["Launch your morning",')] * 3)
    with pytest.raises(EngineError, match=r"after 3 attempt\(s\): the reply is not valid JSON") as info:
        ask()
    assert len(server.requests) == 3 and "response_format" in (info.value.hint or "")


def test_rule_breaking_alternatives_dropped(server: FakeOpenAI, ask: Any) -> None:
    reply = {"headline": ["Cheaper mornings start here", "The world's best roast", "Launch your morning!!",
                          "Miracle beans", "Coffee that cures Mondays", "Your morning, in orbit",
                          "Offer valid while stocks last."],
             "body": ["Great coffee! Really! Try it!", "Roasted this week in Berlin."],
             "cta": ["Order now", "Order cheaply today"]}
    server.script(reply_json(reply))
    result = ask()
    assert result.fields["headline"] == "Your morning, in orbit"
    assert result.alternatives == {"headline": ["Your morning, in orbit"], "body": ["Roasted this week in Berlin."],
                                   "cta": ["Order now"]}
    rejected = "\n".join(result.choices["rejected"])
    for reason in ("banned term 'cheap'", "banned term 'world's best'", "stacked punctuation '!!'",
                   "banned term 'miracle'", "banned claim 'cures'", "repeats the required disclaimer",
                   "3 exclamation marks (the voice allows 1)"):
        assert reason in rejected, reason
    assert result.choices["attempts"] == 1


def test_too_long_everywhere_fails_naming_field_and_reason(server: FakeOpenAI, ask: Any,
                                                           settings: LLMSettings) -> None:
    long = "Fuel your morning launch with our darkest roast"  # 47 characters
    reply = {**GOOD, "headline": [long, long + "!"]}
    server.script(reply_json(reply), reply_json(reply))
    with pytest.raises(EngineError) as info:
        ask(settings_=settings.model_copy(update={"max_retries": 1}))
    message = str(info.value)
    assert "no usable headline" in message and "too long: 47 > 40 chars" in message
    assert "after 2 attempt(s)" in message
    # the correction told the model what was wrong
    assert "too long: 47 > 40 chars" in server.requests[1].messages[3]["content"]


def test_valid_options_from_several_attempts_are_kept(server: FakeOpenAI, ask: Any) -> None:
    server.script(reply_json({**GOOD, "cta": ["Order this cheap roast"]}), reply_json({**GOOD, "cta": ["Go"]}))
    result = ask()
    assert result.choices["attempts"] == 2 and result.fields["cta"] == "Go"
    assert result.alternatives["headline"] == sorted(GOOD["headline"], key=len)


def test_reviewer_rejected_texts(server: FakeOpenAI, ask: Any) -> None:
    server.script(reply_json({**GOOD, "headline": ["launch your  MORNING", "Your morning, in orbit"]}))
    result = ask(exclude=("Launch your morning",))
    assert result.alternatives["headline"] == ["Your morning, in orbit"]
    assert "Launch your morning" in server.requests[0].system
    assert any("rejected in review" in r for r in result.choices["rejected"])


def test_http_500_then_ok(server: FakeOpenAI, ask: Any) -> None:
    server.script(error(500, "model runner crashed"), reply_json(GOOD))
    result = ask()
    assert result.choices["attempts"] == 2 and len(server.requests) == 2
    assert any("HTTP 500" in r and "model runner crashed" in r for r in result.choices["rejected"])


def test_http_401_is_not_retried(server: FakeOpenAI, ask: Any, settings: LLMSettings,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_LLM_KEY", "sk-wrong")
    server.script(error(401, "Incorrect API key provided"))
    with pytest.raises(EngineError, match="HTTP 401") as info:
        ask(settings_=settings.model_copy(update={"api_key_env": "FAKE_LLM_KEY"}))
    assert "check api_key_env" in (info.value.hint or "") and len(server.requests) == 1


def test_http_404_lists_the_served_models(server: FakeOpenAI, ask: Any, settings: LLMSettings) -> None:
    server.script(error(404, 'model "llama9" not found, try pulling it first'))
    with pytest.raises(EngineError, match="HTTP 404: model \"llama9\" not found") as info:
        ask(settings_=settings.model_copy(update={"model": "llama9"}))
    assert info.value.hint == "the server has no model 'llama9'; it serves: fake-llm (`ollama pull …` adds one)"
    assert len(server.requests) == 1
    server.script(error(404, "Not Found"))  # the model is served: the path must be wrong
    with pytest.raises(EngineError, match="HTTP 404") as info:
        ask()
    assert "check base_url" in (info.value.hint or "")


def test_bearer_header_from_api_key_env(server: FakeOpenAI, ask: Any, settings: LLMSettings,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    keyed = settings.model_copy(update={"api_key_env": "FAKE_LLM_KEY"})
    monkeypatch.delenv("FAKE_LLM_KEY", raising=False)
    with pytest.raises(EngineError, match="FAKE_LLM_KEY") as info:
        ask(settings_=keyed)
    assert "export FAKE_LLM_KEY" in (info.value.hint or "") and server.requests == []
    monkeypatch.setenv("FAKE_LLM_KEY", "sk-test-123")
    server.script(reply_json(GOOD))
    ask(settings_=keyed)
    assert server.requests[0].headers["authorization"] == "Bearer sk-test-123"
    server.reset()
    server.script(reply_json(GOOD))
    ask(settings_=settings, seed=7)
    assert "authorization" not in server.requests[0].headers


def test_slow_reply_times_out(server: FakeOpenAI, ask: Any, settings: LLMSettings) -> None:
    server.script(Scripted(content=json.dumps(GOOD), delay=1.0), Scripted(content=json.dumps(GOOD), delay=1.0))
    with pytest.raises(EngineError, match=r"no reply from .* within 0.3 s") as info:
        ask(settings_=settings.model_copy(update={"timeout_s": 0.3, "max_retries": 1}))
    assert "timeout_s" in (info.value.hint or "") and len(server.requests) == 2


def test_finish_reason_length(server: FakeOpenAI, ask: Any, settings: LLMSettings) -> None:
    cut = Scripted(content='{"headline": ["Launch', finish_reason="length")
    server.script(cut, cut)
    with pytest.raises(EngineError, match="finish_reason 'length'") as info:
        ask(settings_=settings.model_copy(update={"max_retries": 1, "max_tokens": 32}))
    assert "max_tokens" in (info.value.hint or "")
    assert server.requests[0].body["max_tokens"] == 32


def test_empty_choices_retried(server: FakeOpenAI, ask: Any) -> None:
    empty = Scripted(body={"id": "x", "object": "chat.completion", "created": 1, "model": "fake-llm", "choices": []})
    server.script(empty, reply_json(GOOD))
    result = ask()
    assert result.choices["attempts"] == 2
    assert any("no choices" in r for r in result.choices["rejected"])


def test_connection_refused(ask: Any, settings: LLMSettings) -> None:
    dead = settings.model_copy(update={"base_url": f"http://127.0.0.1:{free_port()}/v1"})
    with pytest.raises(EngineError, match="cannot connect") as info:
        ask(settings_=dead)
    assert "server running" in (info.value.hint or "")


@pytest.mark.parametrize("kind, expected", [("json_object", {"type": "json_object"}), ("none", None)])
def test_response_format_fallbacks(server: FakeOpenAI, ask: Any, settings: LLMSettings, kind: str,
                                   expected: Any) -> None:
    server.script(reply_json(GOOD))
    ask(settings_=settings.model_copy(update={"response_format": kind}))
    body = server.requests[0].body
    assert body.get("response_format") == expected
    assert '"maxLength": 40' in body["messages"][1]["content"]  # the schema is in the user turn


def test_deterministic_for_same_seed_and_replies(server: FakeOpenAI, concept: Concept,
                                                 segments: dict[str, Segment], kit: BrandKit,
                                                 settings: LLMSettings) -> None:
    many = {**GOOD, "headline": [f"Morning launch no. {i}" for i in range(1, 9)]}
    results = []
    for _ in range(2):
        server.script(reply_json(many))
        eng = OpenAICopyEngine()
        results.append(eng.generate(request(concept, segments["de"], kit, settings, variant=0)))
        # a second variant of the same cell reuses the reply: no new call, a pick fixed by the variant
        picks = {eng.generate(request(concept, segments["de"], kit, settings, variant=v)).fields["headline"]
                 for v in range(1, 6)}
        eng.close()
        assert len(picks) > 1
    assert results[0] == results[1]
    assert len(server.requests) == 2
    assert server.requests[0].body == server.requests[1].body


def test_missing_settings_is_a_clear_error(engine: OpenAICopyEngine, concept: Concept,
                                           segments: dict[str, Segment]) -> None:
    with pytest.raises(EngineError, match="needs its settings") as info:
        engine.generate(CopyRequest(concept=concept, segment=segments["en"], format=META, variant=0, seed=1))
    assert "base_url" in (info.value.hint or "")


def test_a_refused_response_format_falls_back_to_json_object_then_none(server: FakeOpenAI, ask: Any) -> None:
    server.script(error(400, "response_format 'json_schema' is not supported by this server"),
                  error(400, "Invalid response_format type: json_object"), reply_json(GOOD))
    result = ask()
    formats = [r.body.get("response_format", {}).get("type") for r in server.requests]
    assert formats == ["json_schema", "json_object", None]
    assert result.fields["headline"] in GOOD["headline"]
    assert result.choices["attempts"] == 1  # the fallback does not spend the retries
    assert any("used json_object" in n for n in result.choices["tolerated"])


def test_a_400_about_something_else_is_not_a_format_fallback(server: FakeOpenAI, ask: Any) -> None:
    server.script(error(400, "temperature must be between 0 and 2"))
    with pytest.raises(EngineError, match=r"HTTP 400.*temperature"):
        ask()
    assert len(server.requests) == 1
