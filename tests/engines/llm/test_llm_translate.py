"""Translate mode: builtin.copy renders the brief; the model translates only what the brief cannot give."""

from __future__ import annotations

import json

import pytest

from assetline.engines.base import CopyRequest
from assetline.engines.copy import TemplateCopyEngine
from assetline.engines.llm import LLMSettings, OpenAICopyEngine
from assetline.errors import EngineError
from assetline.spec.brand import BrandKit
from assetline.spec.campaign import Concept, Segment
from assetline.spec.formats import catalogue
from openai_fake import FakeOpenAI, reply_json

GOOGLE = catalogue()["google-display-1.91x1"]  # headline 30, body 90, cta 15


@pytest.fixture
def translate(settings: LLMSettings) -> LLMSettings:
    return settings.model_copy(update={"mode": "translate", "alternatives": 2})


def req(concept: Concept, segment: Segment, kit: BrandKit, settings: LLMSettings, variant: int = 0) -> CopyRequest:
    return CopyRequest(concept=concept, segment=segment, format=GOOGLE, variant=variant, seed=11, brand=kit,
                       settings=settings)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_source_language_and_brief_translations_need_no_server(
        server: FakeOpenAI, engine: OpenAICopyEngine, concept: Concept, segments: dict[str, Segment],
        kit: BrandKit, translate: LLMSettings, language: str) -> None:
    request = req(concept, segments[language], kit, translate)
    assert engine.generate(request) == TemplateCopyEngine().generate(request)
    assert server.requests == []


def test_untranslated_language_is_translated_within_limits(
        server: FakeOpenAI, engine: OpenAICopyEngine, concept: Concept, segments: dict[str, Segment],
        kit: BrandKit, translate: LLMSettings) -> None:
    request = req(concept, segments["de"], kit, translate)
    base = TemplateCopyEngine().generate(request)
    sources = {f: list(dict.fromkeys([base.fields[f], *base.alternatives[f]]))[:2] for f in base.fields}
    # headline 0 (the one builtin.copy chose) comes back too long: its sibling is used instead
    reply = {"headline": ["Starte deinen Morgen mit voller Energie", "Dein Morgenstart"][:len(sources["headline"])],
             "body": ["Kaffee aus kleinen Chargen, diese Woche in Berlin geröstet."][:len(sources["body"])],
             "cta": ["Jetzt bestellen", "Bestellung starten"][:len(sources["cta"])]}
    assert len(sources["headline"]) == 2 and sources["cta"] == ["Order now"]  # 'Start your order' is over 15
    server.script(reply_json(reply))
    result = engine.generate(request)

    (sent,) = server.requests
    user = sent.messages[1]["content"]
    assert json.dumps(sources, ensure_ascii=False) in user
    assert "German (de)" in sent.system and "English (en)" in sent.system and '"cheap"' in sent.system
    schema = sent.body["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["headline"]["minItems"] == schema["properties"]["headline"]["maxItems"] == 2
    assert schema["properties"]["headline"]["items"]["maxLength"] == 30

    assert result.language == "de" and result.direction == "ltr"
    assert result.fields == {"headline": "Dein Morgenstart", "body": reply["body"][0], "cta": "Jetzt bestellen"}
    assert all(len(t) <= 30 for t in result.alternatives["headline"])
    assert result.alternatives["cta"] == ["Jetzt bestellen"]
    assert result.choices["mode"] == "translate" and result.choices["source_language"] == "en"
    assert result.choices["cta"]["source"] == base.fields["cta"]
    assert any("too long: 39 > 30 chars" in r for r in result.choices["rejected"])


def test_wrong_number_of_translations_is_corrected(
        server: FakeOpenAI, engine: OpenAICopyEngine, segments: dict[str, Segment], kit: BrandKit,
        translate: LLMSettings) -> None:
    one = Concept.model_validate({"id": "one", "copy": {"headline": ["Meet Nebula"], "cta": ["Taste it"]}})
    server.script(reply_json({"headline": ["Das ist Nebula", "Nebula"], "cta": ["Probieren"]}),
                  reply_json({"headline": ["Das ist Nebula"], "cta": ["Probieren"]}))
    result = engine.generate(req(one, segments["de"], kit, translate))
    assert result.fields == {"headline": "Das ist Nebula", "cta": "Probieren"}
    assert "'headline' has 2 items, at most 1 allowed" in server.requests[1].messages[3]["content"]


def test_translation_breaking_rules_everywhere_fails(
        server: FakeOpenAI, engine: OpenAICopyEngine, segments: dict[str, Segment], kit: BrandKit,
        translate: LLMSettings) -> None:
    one = Concept.model_validate({"id": "one", "copy": {"headline": ["Meet Nebula"]}})
    bad = reply_json({"headline": ["Wunder!! Nebula"]})
    server.script(bad, bad, bad)
    with pytest.raises(EngineError,
                       match="no usable headline: 'Wunder!! Nebula' \\(stacked punctuation '!!', 2 exclamation"):
        engine.generate(req(one, segments["de"], kit, translate))
    assert len(server.requests) == 3
