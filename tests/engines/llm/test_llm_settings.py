"""LLMSettings validated from a campaign through engine_settings: mistakes are SpecErrors at the campaign line."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from assetline.api import example_dir
from assetline.engines.llm import LLMSettings, OpenAICopyEngine
from assetline.engines.settings import engine_settings
from assetline.errors import SpecError
from assetline.spec.loader import load_campaign

EXAMPLES = example_dir().parent


@pytest.fixture
def brief(tmp_path: Path) -> Path:
    """A private copy of the orbit-coffee kit with its engine examples, as shipped."""
    shutil.copytree(EXAMPLES / "orbit-coffee", tmp_path / "orbit-coffee", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path / "orbit-coffee" / "engines" / "llm" / "campaign.yaml"


def with_settings(path: Path, block: dict[str, Any]) -> Path:
    yaml = YAML()
    data = yaml.load(path.read_text(encoding="utf-8"))
    data["engines"]["settings"]["llm.openai"] = block
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh)
    return path


def test_example_campaign_settings(brief: Path) -> None:
    loaded = load_campaign(brief)
    assert loaded.campaign.engines.copy_ == "llm.openai"
    assert {s.language for s in loaded.campaign.segments} == {"en", "de", "ar"}
    assert all("de" not in c.translations for c in loaded.campaign.concepts)
    settings = engine_settings(loaded, OpenAICopyEngine)
    assert isinstance(settings, LLMSettings)
    assert (settings.base_url, settings.model, settings.mode) == ("http://127.0.0.1:11434/v1", "llama3.1:8b", "write")
    assert settings.chat_url == "http://127.0.0.1:11434/v1/chat/completions"


@pytest.mark.parametrize("block, message", [
    ({"base_url": "http://127.0.0.1:11434/v1"}, "engines.settings.llm.openai.model: Field required"),
    ({"base_url": "127.0.0.1:11434", "model": "m"}, "base_url must be an http:// or https:// URL"),
    ({"base_url": "http://h/v1", "model": "m", "api_key_env": "sk-proj-abcdefghijklmnop1234"}, "looks like a key"),
    ({"base_url": "http://h/v1", "model": "m", "mode": "rewrite"}, "mode"),
    ({"base_url": "http://h/v1", "model": "m", "temperature": 3}, "temperature"),
    ({"base_url": "http://h/v1", "model": "m", "api_key": "x"}, "engine 'llm.openai' has no setting 'api_key'"),
])
def test_bad_settings_are_spec_errors(brief: Path, block: dict[str, Any], message: str) -> None:
    loaded = load_campaign(with_settings(brief, block))
    with pytest.raises(SpecError, match=message) as info:
        engine_settings(loaded, OpenAICopyEngine)
    assert str(info.value).startswith(str(brief.resolve()))  # points at the campaign file and line


def test_trailing_slash_is_dropped() -> None:
    assert LLMSettings(base_url="https://api.example.com/v1/", model="m").chat_url == \
        "https://api.example.com/v1/chat/completions"
    assert LLMSettings(base_url="http://h/v1", model="m", api_key_env="OPENAI_API_KEY").api_key_env == "OPENAI_API_KEY"
