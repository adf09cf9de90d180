"""The ask–check–correct loop: one request, then at most ``max_retries`` more, each answering what was wrong.

    outcome = converse(client, settings, seed, system, user, schema, accept)

Each attempt is one server call. A transient failure (timeout, 5xx, cut-off reply, see client.py) repeats the
same request (5xx/429 after a short back-off). A reply that is not JSON or does not match the schema, or
whose options all break the rules (``accept`` says so), is answered with a corrective user turn naming the
problems, after the model's own reply, so the model can fix it. When the attempts run out: EngineError with
the last problems and a hint.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from assetline.engines.llm.client import ChatClient, FormatUnsupported, TransientError
from assetline.engines.llm.prompt import correction
from assetline.engines.llm.schema import ReplyProblem, parse_reply, response_format, schema_problems
from assetline.engines.llm.settings import LLMSettings
from assetline.errors import EngineError

Accept = Callable[[Any], list[str]]
"""Takes a schema-valid reply, keeps what it can use, returns what is still wrong (empty: done)."""

RULES_HINT = ("the model keeps breaking the brand's rules or the format's limits: try a larger model or a lower "
              "temperature, raise max_retries, or give the concept shorter copy")
SCHEMA_HINT = ("the model does not follow the JSON format: use response_format: json_schema where the server "
               "supports it (Ollama ≥ 0.5, vLLM, llama.cpp, OpenAI), or try another model")


@dataclass
class Outcome:
    attempts: int = 0
    usage: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    """'attempt n: …' for every failed call and every unusable reply."""
    notes: list[str] = field(default_factory=list)
    """What was tolerated in the accepted reply ('fenced', 'prose around the JSON ignored')."""


def request_body(settings: LLMSettings, seed: int, schema: dict[str, Any]) -> dict[str, Any]:
    """The request fields other than ``messages``."""
    body: dict[str, Any] = {"model": settings.model, "temperature": settings.temperature, "seed": seed,
                            "stream": False}
    fmt = response_format(settings.response_format, schema)
    if fmt is not None:
        body["response_format"] = fmt
    if settings.max_tokens is not None:
        body["max_tokens"] = settings.max_tokens
    return body


def converse(client: ChatClient, settings: LLMSettings, body: dict[str, Any], messages: list[dict[str, str]],
             schema: dict[str, Any], accept: Accept,
             sleep: Callable[[float], None] = time.sleep) -> Outcome:
    """Ask until ``accept`` is satisfied or the attempts run out (then EngineError)."""
    outcome = Outcome()
    total = settings.max_retries + 1
    last: list[str] = []
    hint: str | None = None
    for attempt in range(1, total + 1):
        outcome.attempts = attempt
        # 1. One call; transient failures repeat the same request; a refused response_format falls back
        try:
            reply = _complete(client, settings, body, messages, outcome)
        except TransientError as exc:
            last, hint = [exc.message], exc.hint
            outcome.problems.append(f"attempt {attempt}: {exc.message}")
            if exc.backoff and attempt < total:
                sleep(min(0.25 * 2 ** (attempt - 1), 4.0))
            continue
        for k, v in reply.usage.items():
            outcome.usage[k] = outcome.usage.get(k, 0) + v

        # 2. JSON, then the schema, then the rules
        notes: tuple[str, ...] = ()
        try:
            parsed = parse_reply(reply.content)
            notes = parsed.notes
            problems = schema_problems(parsed.data, schema)
            hint = SCHEMA_HINT
            if not problems:
                problems = accept(parsed.data)
                hint = RULES_HINT
        except ReplyProblem as exc:
            problems, hint = [str(exc)], SCHEMA_HINT
        if not problems:
            outcome.notes = [*outcome.notes, *notes]
            return outcome

        # 3. Tell the model what was wrong
        last = problems
        outcome.problems += [f"attempt {attempt}: {p}" for p in problems]
        messages = [*messages[:2], {"role": "assistant", "content": reply.content},
                    {"role": "user", "content": correction(problems, schema)}]
    raise EngineError(f"llm.openai: no usable copy from model '{settings.model}' after {total} attempt(s): "
                      + "; ".join(last), hint=hint)


FALLBACK = {"json_schema": "json_object", "json_object": None}
"""What to ask for when a server refuses a response_format (None: no response_format at all)."""


def _complete(client: ChatClient, settings: LLMSettings, body: dict[str, Any], messages: list[dict[str, str]],
              outcome: Outcome) -> Any:
    """One call; when the server refuses the response_format, ``body`` is downgraded in place (json_schema →
    json_object → none: the reply is still validated against the schema here) and the call repeated. The
    downgrade is noted and does not count against max_retries."""
    while True:
        try:
            return client.complete(settings, {**body, "messages": messages})
        except FormatUnsupported as exc:
            current = (body.get("response_format") or {}).get("type")
            if current not in FALLBACK:
                raise
            lower = FALLBACK[current]
            outcome.notes.append(f"server refused response_format {current} ({exc.message[:120]}); "
                                 f"used {lower or 'none'}")
            if lower is None:
                body.pop("response_format", None)
            else:
                body["response_format"] = {"type": lower}
