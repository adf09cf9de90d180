"""Fixtures for the llm.openai engine: the fake server (one per module, its queue reset per test), a brand
kit with the Orbit Coffee voice, a concept and segments, and a fresh engine."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assetline.engines.llm import LLMSettings, OpenAICopyEngine
from assetline.spec.brand import BrandKit
from assetline.spec.campaign import Concept, Segment
from openai_fake import FakeOpenAI, ServerThread


@pytest.fixture(scope="module")
def _server() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI()
    with ServerThread(fake):
        yield fake


@pytest.fixture
def server(_server: FakeOpenAI) -> Iterator[FakeOpenAI]:
    _server.reset()
    yield _server
    _server.reset()


@pytest.fixture
def engine() -> Iterator[OpenAICopyEngine]:
    eng = OpenAICopyEngine()
    yield eng
    eng.close()


@pytest.fixture
def settings(server: FakeOpenAI) -> LLMSettings:
    return LLMSettings(base_url=server.base_url, model="fake-llm", max_retries=2, timeout_s=5)


@pytest.fixture
def kit() -> BrandKit:
    return BrandKit.model_validate({
        "id": "orbit-coffee", "name": "Orbit Coffee",
        "palette": [{"name": "navy", "hex": "#14213D", "role": "primary"}],
        "typography": {"headline": {"file": "fontpkg:inter"}, "body": {"file": "fontpkg:inter"}},
        "voice": {"tone": "warm, curious, a little cosmic; never hype",
                  "banned_terms": ["cheap", "world's best", "miracle"],
                  "banned_claims": ["cures", "guaranteed weight loss"],
                  "required_disclaimers": [{"text": "Offer valid while stocks last.", "segments": ["*"]}],
                  "reading_grade_max": 8, "max_exclamations": 1}})


@pytest.fixture
def concept() -> Concept:
    return Concept.model_validate({
        "id": "morning-launch", "name": "Fuel your morning launch",
        "copy": {"headline": ["{Fuel|Power} your morning launch", "Every great day starts with a launch"],
                 "body": ["Small-batch coffee, roasted this week in ${city}."],
                 "cta": ["Order now", "Start your order"]},
        "translations": {"ar": {"headline": ["ابدأ صباحك بانطلاقة"], "body": ["قهوة محمّصة طازجة في ${city}."],
                                "cta": ["اطلب الآن"]}},
        "visual": {"style": "mesh", "prompt": "sunrise over a launch pad"}})


@pytest.fixture
def segments() -> dict[str, Segment]:
    return {s.language: s for s in (
        Segment(id="london", name="London commuters", language="en", city="London", audience="commuters 25-40"),
        Segment(id="berlin", name="Berlin creatives", language="de", city="Berlin", audience="creatives 25-35"),
        Segment(id="dubai", name="Dubai professionals", language="ar", city="دبي", audience="professionals"))}
