"""Template parsing and expansion (grammar.py, expand.py)."""

from __future__ import annotations

import math

import pytest
from dynamicprompts.generators import CombinatorialPromptGenerator

from assetline.engines.copy.expand import expand_field, tidy
from assetline.engines.copy.grammar import (
    MissingVariableError,
    TemplateSyntaxError,
    parse_template,
    required_variables,
)


def texts(*templates: str, env: dict[str, str] | None = None, cap: int = 200) -> list[str]:
    return [c.text for c in expand_field(list(templates), env or {}, cap=cap).candidates]


def probs(*templates: str, env: dict[str, str] | None = None) -> dict[str, float]:
    return {c.text: c.probability for c in expand_field(list(templates), env or {}).candidates}


@pytest.mark.parametrize("template", [
    "{Fuel|Power} your morning launch",
    "Meet Nebula, our {darkest|deepest} roast yet",
    "{Hot|{Iced|Cold} brew} to go",
    "{a|b} {c|d|e} {f|g}",
    "{a|{b|{c|d}}}",
    "Plain text",
])
def test_same_texts_as_dynamicprompts_combinatorial(template: str) -> None:
    expected = CombinatorialPromptGenerator().generate(template, max_prompts=None)
    assert sorted(texts(template)) == sorted(tidy(t) for t in expected)


def test_weights_split_probability() -> None:
    assert probs("{3::Fresh|1::Bold} coffee") == pytest.approx({"Fresh coffee": 0.75, "Bold coffee": 0.25})
    assert probs("{a|{b|c}}") == pytest.approx({"a": 0.5, "b": 0.25, "c": 0.25})
    assert probs("{1.5::a|0.5::b}") == pytest.approx({"a": 0.75, "b": 0.25})


def test_templates_share_the_field_equally_and_duplicates_merge() -> None:
    p = probs("{a|b}", "a", "c")
    assert p == pytest.approx({"a": 1 / 6 + 1 / 3, "b": 1 / 6, "c": 1 / 3})
    assert math.fsum(p.values()) == pytest.approx(1.0)


def test_zero_weight_is_never_rendered() -> None:
    assert texts("{0::never|1::always}") == ["always"]


def test_variables_and_defaults() -> None:
    assert texts("Roasted in ${city}.", env={"city": "London"}) == ["Roasted in London."]
    assert texts("Roasted in ${city:your city}.") == ["Roasted in your city."]
    assert texts("{In ${city}|Near you}", env={"city": "Dubai"}) == ["In Dubai", "Near you"]


def test_variable_values_are_literal_text() -> None:
    assert texts("Hello ${city}", env={"city": "{A|B} #1 $5"}) == ["Hello {A|B} #1 $5"]


def test_missing_variable_raises() -> None:
    with pytest.raises(MissingVariableError) as info:
        texts("Roasted in ${city}.")
    assert info.value.name == "city"


def test_assignments_inside_a_template() -> None:
    assert texts("${bean={cocoa|cherry}}Notes of ${bean}") == ["Notes of cocoa", "Notes of cherry"]
    assert texts("${b=!{cocoa|cherry}}${b} and ${b}") == ["cocoa and cocoa"]
    assert required_variables(parse_template("${b={x|y}}${b} in ${city} ${country:GB}")) == {"city"}


@pytest.mark.parametrize("template", [
    "20% off your first order",
    "$5 off, today only",
    "#1 coffee in town",
    "Order at https://orbit.coffee/nebula",
    "Use code __LAUNCH__",
    "Cost: 2::1 ratio",
    "a /* not a comment */ b",
])
def test_copy_characters_are_plain_text(template: str) -> None:
    assert texts(template) == [template]


def test_whitespace_is_tidied() -> None:
    assert texts("{Fresh |}coffee  now") == ["Fresh coffee now", "coffee now"]
    assert texts("{ a | b }") == ["a", "b"]
    assert texts("{|}x") == ["x"]


@pytest.mark.parametrize(("template", "reason", "column"), [
    ("{Fuel|Power your morning launch", "never closed", 1),
    ("Fuel|Power} your morning launch", "without a matching", 11),
    ("Roasted in ${city", "never closed", 12),
    ("{0::a|0::b}", "weight 0", None),
    ("   ", "empty", None),
])
def test_syntax_errors_are_clear(template: str, reason: str, column: int | None) -> None:
    with pytest.raises(TemplateSyntaxError) as info:
        parse_template(template)
    assert reason in str(info.value)
    assert repr(template) in str(info.value)
    assert info.value.column == column


def test_malformed_variable_is_a_syntax_error() -> None:
    with pytest.raises(TemplateSyntaxError) as info:
        parse_template("Hello ${ } there")
    assert info.value.column is not None


def test_self_referencing_variable_is_an_error() -> None:
    with pytest.raises(TemplateSyntaxError, match="in terms of itself"):
        texts("${x=a ${x}}${x}")


def test_cap_truncates_and_interleaves_templates() -> None:
    big = "{a|b}" * 10  # 1024 renderings
    expansion = expand_field([big, "small"], {}, cap=50)
    assert expansion.truncated
    assert len(expansion.candidates) == 50
    assert "small" in [c.text for c in expansion.candidates]
    assert not expand_field(["{a|b}"], {}, cap=2).truncated
