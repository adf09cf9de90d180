"""Settings of the ``llm.openai`` copy engine (the campaign's ``engines.settings.llm.openai`` block).

    engines:
      copy: llm.openai
      settings:
        llm.openai:
          base_url: http://127.0.0.1:11434/v1     # Ollama; vLLM: http://host:8000/v1; OpenAI: https://api.openai.com/v1
          model: llama3.1:8b
          api_key_env: OPENAI_API_KEY             # the NAME of the variable holding the key, never the key
          mode: write                             # or: translate

Every value is validated here, before anything runs; a mistake is a SpecError pointing at the campaign line.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from assetline.spec.common import SpecModel

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_KEY_LIKE = re.compile(r"^(sk-|sk_|gsk_|xai-|hf_)[A-Za-z0-9_\-]{16,}$|^[A-Za-z0-9_\-]{32,}$")


class LLMSettings(SpecModel):
    """How to reach an OpenAI-compatible chat server and how to ask it for copy."""

    base_url: str = Field(description="The server's OpenAI API root, e.g. 'http://127.0.0.1:11434/v1'; the engine "
                                      "POSTs to {base_url}/chat/completions.")
    model: str = Field(min_length=1, description="Model name as the server knows it, e.g. 'llama3.1:8b'.")
    api_key_env: str | None = Field(default=None, description="Name of the environment variable that holds the API "
                                                              "key (sent as 'Authorization: Bearer …'). Never the key.")
    mode: Literal["write", "translate"] = Field(
        default="write", description="'write': the model writes the copy in the segment's language from the brief's "
                                     "direction. 'translate': the brief's own copy is rendered by builtin.copy and "
                                     "the model only translates it, for languages the brief has no translation for.")
    source_language: str = Field(default="en", min_length=2, description="Language of the brief's `copy`.")
    temperature: float = Field(default=0.7, ge=0, le=2)
    response_format: Literal["json_schema", "json_object", "none"] = Field(
        default="json_schema", description="'json_schema' (structured outputs: Ollama ≥ 0.5, vLLM, llama.cpp, OpenAI), "
                                           "'json_object' (JSON mode) or 'none' for servers that support neither.")
    alternatives: int = Field(default=3, ge=1, le=10, description="Options asked for per field.")
    max_retries: int = Field(default=2, ge=0, le=10, description="Extra requests after a bad or failed reply.")
    timeout_s: float = Field(default=60.0, gt=0, le=3600, description="Seconds to wait for one reply.")
    connect_timeout_s: float = Field(default=10.0, gt=0, le=600, description="Seconds to wait for the connection.")
    max_tokens: int | None = Field(default=None, ge=16, description="Cap on the reply's tokens (not sent when unset).")
    model_digest: str | None = Field(default=None, description="The model build's digest (e.g. from `ollama list`), "
                                                               "so a re-pulled model changes the content keys.")

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError("base_url must be an http:// or https:// URL, e.g. 'http://127.0.0.1:11434/v1'")
        if any(c.isspace() for c in value):
            raise ValueError("base_url must not contain spaces")
        return value.rstrip("/")

    @field_validator("model")
    @classmethod
    def _model(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("model must name the server's model, e.g. 'llama3.1:8b'")
        return value

    @field_validator("api_key_env")
    @classmethod
    def _env(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if _KEY_LIKE.match(value) and not value.isupper():
            raise ValueError("api_key_env names an environment variable (e.g. OPENAI_API_KEY); it looks like a key "
                             "itself: remove it from the spec and export it in the environment instead")
        if not _ENV_NAME.match(value):
            raise ValueError("api_key_env must be an environment variable name such as OPENAI_API_KEY")
        return value

    @property
    def chat_url(self) -> str:
        return f"{self.base_url}/chat/completions"
