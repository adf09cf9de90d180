"""``llm.openai``: ad copy from an OpenAI-compatible chat server (Ollama, vLLM, llama.cpp, LM Studio, OpenAI).

Usage::

    engine = OpenAICopyEngine()
    settings = LLMSettings(base_url="http://127.0.0.1:11434/v1", model="llama3.1:8b")
    result = engine.generate(CopyRequest(concept=concept, segment=segment, format=fmt, variant=0, seed=2026,
                                         brand=kit, settings=settings))
    result.fields["headline"]        # the chosen headline
    result.alternatives["headline"]  # every valid option, shortest first (the composer falls back to these)
    result.choices                   # engine, model, mode, attempts, rejected options with reasons, token usage

Modes:

- ``write``: the model writes ``alternatives`` options per field directly in the segment's language, from a
  system prompt carrying the brand voice, banned terms and claims, disclaimers, limits and the concept.
- ``translate``: the brief's own copy is rendered by ``builtin.copy``; when the segment's language is neither
  ``source_language`` nor one the brief translates, the model translates each rendered option. Otherwise the
  template result is returned as is, without a server call.

Every option is checked with rules.py (the QC gate's blocking copy rules); failing options are dropped with
their reasons, and a reply that leaves a field without a valid option is answered with a correction (see
conversation.py). The pick among valid options is fixed by (seed, variant, concept, segment, field), so the
same server replies give the same result; one instance remembers the replies it got (variants of one cell
reuse them).
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, ClassVar

import httpx

from assetline.engines.base import CopyRequest, CopyResult, Modality, ModelRef
from assetline.engines.copy.expand import expand_field, tidy
from assetline.engines.copy.grammar import MissingVariableError, TemplateSyntaxError
from assetline.engines.copy.language import resolve_copy, text_direction
from assetline.engines.copy.select import draw
from assetline.engines.copy.template import FIELDS, TemplateCopyEngine
from assetline.engines.copy.variables import segment_variables
from assetline.engines.llm.client import ChatClient, api_key
from assetline.engines.llm.conversation import Outcome, converse, request_body
from assetline.engines.llm.prompt import (
    PromptContext,
    translate_system_prompt,
    translate_user_prompt,
    write_system_prompt,
    write_user_prompt,
)
from assetline.engines.llm.rules import CopyRules
from assetline.engines.llm.schema import FieldSpec, response_schema
from assetline.engines.llm.settings import LLMSettings
from assetline.errors import EngineError
from assetline.spec.brand import Voice

EXAMPLES_PER_FIELD = 6
"""Rendered brief texts shown to the model per field in write mode."""
KEEP_PER_FIELD = 20
"""Most valid options kept per field (a model may answer more than it was asked for)."""
CACHE_SIZE = 128


def _primary(language: str) -> str:
    return language.replace("_", "-").split("-")[0].lower()


def _pick(pool: Sequence[str], request: CopyRequest, field: str) -> int:
    u = draw(request.seed, request.variant, request.concept.id, request.segment.id, field)
    return min(int(u * len(pool)), len(pool) - 1)


class OpenAICopyEngine:
    """Copy from a chat model behind an OpenAI-compatible ``/chat/completions`` endpoint.

    Settings: ``LLMSettings`` (base_url, model, api_key_env, mode, source_language, temperature,
    response_format, alternatives, max_retries, timeout_s, connect_timeout_s, max_tokens, model_digest).
    """

    id: ClassVar[str] = "llm.openai"
    version: ClassVar[str] = "1"
    modality: ClassVar[Modality] = "copy"
    settings_model: ClassVar[type[LLMSettings]] = LLMSettings
    unkeyed_fields: ClassVar[tuple[str, ...]] = ("base_url", "api_key_env", "timeout_s", "connect_timeout_s",
                                                 "max_retries")
    trained: ClassVar[bool] = True
    uses_brand_voice: ClassVar[bool] = True

    def __init__(self) -> None:
        self._clients: dict[tuple[float, float], ChatClient] = {}
        self._replies: OrderedDict[str, tuple[dict[str, list[str | None]], list[str], Outcome]] = OrderedDict()
        self._template = TemplateCopyEngine()

    # ------------------------------------------------------------------ traits
    def models(self, settings: LLMSettings) -> list[ModelRef]:
        """The server's model, named (the weights live on the server and cannot be hashed from here).

        The fingerprint is sha256 of the model name and ``model_digest``, not of ``base_url``: the same model
        moved to another host keeps its keys; pin ``model_digest`` so a re-pulled tag changes them."""
        ident = json.dumps({"model": settings.model, "digest": settings.model_digest}, sort_keys=True)
        return [ModelRef(role="server-model", title=settings.model,
                         sha256=hashlib.sha256(ident.encode("utf-8")).hexdigest())]

    def check_ready(self, settings: LLMSettings) -> None:
        """Before a run writes anything: the key variable is set and a server answers at ``base_url``."""
        key = api_key(settings)
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        try:
            httpx.get(f"{settings.base_url}/models", headers=headers,
                      timeout=httpx.Timeout(settings.connect_timeout_s))
        except httpx.HTTPError as exc:
            raise EngineError(f"llm.openai: no server answers at {settings.base_url} ({type(exc).__name__}: {exc})",
                              hint="start it (e.g. `ollama serve`, `vllm serve …`, `llama-server …`) or fix "
                                   "engines.settings.\"llm.openai\".base_url") from exc

    def close(self) -> None:
        """Close the pooled HTTP connections."""
        for client in self._clients.values():
            client.close()
        self._clients.clear()

    # ------------------------------------------------------------------ entry point
    def check_inputs(self, request: CopyRequest) -> LLMSettings:
        if not isinstance(request.settings, LLMSettings):
            raise EngineError("llm.openai needs its settings (base_url and model)",
                              hint="add `engines: {settings: {llm.openai: {base_url: "
                                   "'http://127.0.0.1:11434/v1', model: 'llama3.1:8b'}}}` to the campaign")
        if request.variant < 0:
            raise EngineError(f"variant must be 0 or more, not {request.variant}")
        if isinstance(request.exclude, str):
            raise EngineError("CopyRequest.exclude must be a tuple of texts, not one string",
                              hint="write exclude=(text,)")
        return request.settings

    def generate(self, request: CopyRequest) -> CopyResult:
        # 1. Check inputs
        settings = self.check_inputs(request)
        concept, segment, fmt = request.concept, request.segment, request.format
        options, translation = resolve_copy(concept, segment.language)

        # 2. The fields to ask for; in translate mode the texts to translate (builtin.copy's choice first),
        #    and no call at all where the brief has the copy already
        if settings.mode == "translate":
            base = self._template.generate(request)
            if translation is not None or _primary(segment.language) == _primary(settings.source_language):
                return base
            sources = {f: list(dict.fromkeys([base.fields[f], *base.alternatives.get(f, [])]))[:settings.alternatives]
                       for f in base.fields}
        else:
            sources = {f: [] for f in FIELDS if getattr(options, f)}
        api_key(settings)  # a missing key variable is reported before any call

        # 3. The rules, the schema and the messages
        voice = request.brand.voice if request.brand is not None else Voice()
        limits = {f: getattr(fmt.text_limits, f) for f in sources}
        disclaimers = voice.disclaimers_for(segment.id, segment.language)
        rules = CopyRules.for_request(voice, limits, request.exclude, disclaimers)
        ctx = PromptContext(brand=request.brand, concept=concept, segment=segment, format=fmt, limits=limits,
                            disclaimers=disclaimers, exclude=request.exclude)
        if settings.mode == "translate":
            schema = response_schema({f: FieldSpec(limits[f], len(s), len(s)) for f, s in sources.items()})
            system = translate_system_prompt(ctx, settings.source_language)
            user = translate_user_prompt(sources, schema)
        else:
            schema = response_schema({f: FieldSpec(limits[f], 1) for f in sources})
            system = write_system_prompt(ctx, self._examples(request, options))
            user = write_user_prompt(list(sources), settings.alternatives, schema)
        body = request_body(settings, request.seed, schema)
        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]

        # 4. Ask (or reuse the replies this instance already got for the same request body)
        kept, rejected, outcome = self._ask(settings, body, messages, schema, rules, sources)

        # 5. Pick deterministically among the valid options; alternatives shortest first
        fields: dict[str, str] = {}
        alternatives: dict[str, list[str]] = {}
        per_field: dict[str, Any] = {}
        for f, slots in kept.items():
            pool = [t for t in slots if t is not None]
            index = _pick(pool, request, f)
            if settings.mode == "translate" and slots[0] is not None:
                index = 0  # the translation of the text builtin.copy chose
            fields[f] = pool[index]
            alternatives[f] = sorted(pool, key=len)
            per_field[f] = {"index": index, "options": len(pool), "limit": limits[f], "length": len(pool[index])}
            if settings.mode == "translate":
                per_field[f]["source"] = sources[f][slots.index(pool[index])]

        # 6. Lineage
        choices: dict[str, Any] = {"engine": self.id, "model": settings.model, "mode": settings.mode,
                                   "attempts": outcome.attempts, "rejected": [*outcome.problems, *rejected],
                                   "usage": dict(outcome.usage), "tolerated": list(outcome.notes), **per_field}
        if settings.mode == "translate":
            choices["source_language"] = settings.source_language
        return CopyResult(fields=fields, language=segment.language, direction=text_direction(segment.language),
                          alternatives=alternatives, choices=choices)

    # ------------------------------------------------------------------ helpers
    def _examples(self, request: CopyRequest, options: Any) -> dict[str, list[str]]:
        """The brief's copy for the concept, rendered for the segment (raw templates if they cannot be)."""
        env = segment_variables(request.segment)
        out: dict[str, list[str]] = {}
        for f in FIELDS:
            templates: list[str] = getattr(options, f)
            if not templates:
                continue
            try:
                texts = [c.text for c in expand_field(templates, env, cap=EXAMPLES_PER_FIELD * 4).candidates]
            except (TemplateSyntaxError, MissingVariableError):  # builtin.copy reports these; show them raw
                texts = list(templates)
            out[f] = texts[:EXAMPLES_PER_FIELD]
        return out

    def _client(self, settings: LLMSettings) -> ChatClient:
        key = (settings.timeout_s, settings.connect_timeout_s)
        if key not in self._clients:
            self._clients[key] = ChatClient(timeout_s=settings.timeout_s, connect_timeout_s=settings.connect_timeout_s)
        return self._clients[key]

    def _ask(self, settings: LLMSettings, body: dict[str, Any], messages: list[dict[str, str]],
             schema: dict[str, Any], rules: CopyRules, sources: dict[str, list[str]],
             ) -> tuple[dict[str, list[str | None]], list[str], Outcome]:
        key = hashlib.sha256(json.dumps([settings.chat_url, body, messages, settings.max_retries],
                                        sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()
        if key in self._replies:
            self._replies.move_to_end(key)
            return self._replies[key]
        translate = settings.mode == "translate"
        kept: dict[str, list[str | None]] = {f: [None] * len(s) if translate else [] for f, s in sources.items()}
        rejected: list[str] = []

        def accept(data: Any) -> list[str]:
            problems: list[str] = []
            for f, slots in kept.items():
                texts = [tidy(t) for t in data[f]][:KEEP_PER_FIELD]
                good, dropped = rules.split(f, texts)
                rejected.extend(str(r) for r in dropped)
                if translate:
                    for i, text in enumerate(texts):
                        if slots[i] is None and text in good:
                            slots[i] = text
                else:
                    slots.extend(t for t in good if t not in slots)
                if not any(s is not None for s in slots):
                    why = "; ".join(f"{r.text!r} ({', '.join(r.reasons)})" for r in dropped)
                    problems.append(f"no usable {f}: {why}")
            return problems

        outcome = converse(self._client(settings), settings, body, messages, schema, accept)
        self._replies[key] = (kept, rejected, outcome)
        if len(self._replies) > CACHE_SIZE:
            self._replies.popitem(last=False)
        return kept, rejected, outcome
