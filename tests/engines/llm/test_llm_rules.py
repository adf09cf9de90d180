"""rules.py flags what the QC gate flags (both use assetline.text.term_match), and schema.py reads replies as
documented."""

from __future__ import annotations

import pytest

from assetline.engines.llm.rules import CopyRules, char_count
from assetline.engines.llm.schema import FieldSpec, ReplyProblem, parse_reply, response_schema, schema_problems
from assetline.text.term_match import TermMatcher

TERMS = ["cheap", "world's best", "miracle", "weight loss", "cures", "100% natural", "بخس"]
TEXTS = ["Cheap coffee", "cheaper by the cup", "Cheapside roastery", "The World's Best roast",
         "world-best beans", "Miracles happen", "Weight-loss coffee", "weightloss blend", "weight, loss",
         "It cured my Monday", "Curing boredom", "100% natural beans", "Natural, 100%", "قهوة بخس",
         "A bold roast", "Best in the world", "cheaply made"]


@pytest.mark.parametrize("text", TEXTS)
def test_banned_terms_are_flagged_exactly_when_the_gate_matcher_matches(text: str) -> None:
    ours = CopyRules(banned_terms=TERMS).problems("headline", text)
    gate = sorted({m.term for m in TermMatcher(TERMS).find(text)})
    assert sorted(r.removeprefix("banned term '").removesuffix("'") for r in ours) == gate


@pytest.mark.parametrize("text", ["guaranteed rapid weight loss", "guaranteed weight loss", "guaranteed, weight loss",
                                  "weight loss guaranteed", "guaranteed very rapid weight loss"])
def test_claims_with_one_filler_word_like_the_gate(text: str) -> None:
    claims = ["guaranteed weight loss"]
    flagged = bool(CopyRules(banned_claims=claims).problems("headline", text))
    assert flagged == bool(TermMatcher(claims, max_gap=1).find(text))


def rules() -> CopyRules:
    return CopyRules(banned_terms=["cheap"], banned_claims=["cures"], max_exclamations=1,
                     limits={"headline": 20, "cta": None}, exclude=["Order  NOW"],
                     disclaimers=["Offer valid while stocks last."])


@pytest.mark.parametrize("field, text, reasons", [
    ("headline", "A bold roast!", []),
    ("headline", "   ", ["empty"]),
    ("headline", "A bold roast for a bold city", ["too long: 28 > 20 chars"]),
    ("headline", "Cheapest beans", ["banned term 'cheap'"]),
    ("headline", "Cures Mondays", ["banned claim 'cures'"]),
    ("headline", "Wow!!", ["stacked punctuation '!!'", "2 exclamation marks (the voice allows 1)"]),
    ("headline", "Go! Now! Yes!", ["3 exclamation marks (the voice allows 1)"]),
    ("headline", "Why not?!", ["stacked punctuation '?!'"]),
    ("cta", "Offer valid while stocks last", ["repeats the required disclaimer (the layout adds it)"]),
    ("cta", "order now", ["rejected in review"]),
    ("cta", "A very long call to action is fine without a limit", []),
])
def test_rules(field: str, text: str, reasons: list[str]) -> None:
    assert rules().problems(field, text) == reasons


def test_length_counts_nfc_characters_like_the_gate() -> None:
    decomposed = "Cafe\u0301 "  # 'Café' written with a combining accent, and a trailing space
    assert char_count(decomposed) == 4
    assert CopyRules(limits={"headline": 4}).problems("headline", decomposed) == []


def test_split_keeps_order_and_drops_repeats() -> None:
    kept, dropped = rules().split("headline", ["Bold", "Cheap", "Bold", "Bright"])
    assert kept == ["Bold", "Bright"] and [d.text for d in dropped] == ["Cheap"]


def test_parse_reply_variants() -> None:
    assert parse_reply('{"a": 1}').data == {"a": 1}
    assert parse_reply('```json\n{"a": 1}\n```').notes == ("fenced",)
    assert parse_reply('Here you go: {"a": 1} Hope it helps!').notes == ("prose around the JSON ignored",)
    for bad in ("", "Sorry, I cannot help with that.", '{"a": [1, 2'):
        with pytest.raises(ReplyProblem):
            parse_reply(bad)


def test_schema_and_validator() -> None:
    schema = response_schema({"headline": FieldSpec(30, 1), "cta": FieldSpec(None, 2, 2)})
    assert schema["properties"]["headline"] == {"type": "array", "items": {"type": "string", "maxLength": 30},
                                                "minItems": 1}
    assert schema_problems({"headline": ["x" * 99], "cta": ["a", "b"]}, schema) == []  # maxLength: left to rules
    assert schema_problems({"headline": [None], "cta": ["a"], "x": 1}, schema) == [
        "the reply has a field 'x' the schema does not allow", "'headline'[0] must be a string, not null",
        "'cta' has 1 item(s), at least 2 required"]
