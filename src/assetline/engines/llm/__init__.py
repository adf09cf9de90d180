"""The ``llm.openai`` copy engine: ad copy written (or translated) by a model behind an OpenAI-compatible
chat server, checked against the brand's rules before it is offered.

Modules, one idea each:

- settings: ``LLMSettings``, the campaign's ``engines.settings.llm.openai`` block
- client: one HTTP call to ``{base_url}/chat/completions``; failures sorted into stop (EngineError) or retry
- schema: the JSON Schema asked for, reading a reply (fences, prose), a small validator
- rules: the QC gate's blocking copy rules applied to each option (terms: the term matching they use)
- prompt: system prompt, user turn and corrective turns
- conversation: the ask–check–correct loop with retries
- engine: ``OpenAICopyEngine``
"""

from __future__ import annotations

from assetline.engines.llm.engine import OpenAICopyEngine
from assetline.engines.llm.settings import LLMSettings

__all__ = ["LLMSettings", "OpenAICopyEngine"]
