"""Prompt building: order of importance, the token budget, the negative prompt (pure functions)."""

from __future__ import annotations

from assetline.engines.diffusion.prompt import DEFAULT_NEGATIVE, fit_prompt, negative_prompt, prompt_parts
from assetline.spec.brand import Imagery
from assetline.spec.campaign import Segment, VisualDirection


def words(text: str) -> int:
    return len(text.replace(",", " ").split())


def test_parts_in_order_of_importance() -> None:
    visual = VisualDirection(style="pattern", pattern="dots", treatment="duotone", prompt="a  coffee cup ")
    imagery = Imagery(prompt="warm light, brand look")
    seg = Segment(id="s", city="Berlin", country="DE", audience="students", interests=["cycling", "jazz"])
    parts = prompt_parts(visual, imagery, seg)
    assert parts[0] == "a coffee cup" and parts[1] == "warm light, brand look"
    assert parts[2].endswith("dots") and "duotone" in parts[3]
    assert parts[4:] == ["for students", "in Berlin, DE", "themes of cycling, jazz"]


def test_no_segment_and_no_repeats() -> None:
    visual = VisualDirection(style="gradient", prompt="calm")
    parts = prompt_parts(visual, Imagery(prompt="Calm"), None)
    assert parts[0] == "calm" and sum(p.lower() == "calm" for p in parts) == 1
    assert not any(p.startswith(("for ", "in ")) for p in parts)


def test_fit_prompt_keeps_the_most_important_parts() -> None:
    parts = ["one two three", "four five", "six seven eight nine", "ten"]
    fitted = fit_prompt(parts, words, limit=6)
    assert fitted.text == "one two three, four five, ten"
    assert fitted.dropped == ("six seven eight nine",) and fitted.tokens == 6
    # the first part is kept even when it alone is too long (the encoder truncates it)
    assert fit_prompt(["a b c d e f g h"], words, limit=3).text == "a b c d e f g h"
    assert fit_prompt(parts).text == ", ".join(parts)


def test_negative_prompt_brand_first_without_duplicates() -> None:
    assert negative_prompt("") == DEFAULT_NEGATIVE
    neg = negative_prompt("people, Text")
    assert neg.startswith("people, Text, ")
    assert neg.lower().count("text") == 1 and "watermark" in neg
