"""The voice-over script: template filling, dropped fields and their punctuation, word counts."""

from __future__ import annotations

import pytest

from assetline.engines.voice import build_script, count_words
from assetline.errors import SpecError

TEMPLATE = "{headline}. {body}. {cta}."


def test_fills_every_field() -> None:
    fields = {"headline": "Summer sale", "body": "Everything must go", "cta": "Shop now"}
    assert build_script(TEMPLATE, fields) == "Summer sale. Everything must go. Shop now."


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"headline": "Summer sale", "cta": "Shop now"}, "Summer sale. Shop now."),
        ({"headline": "Summer sale", "body": "  ", "cta": "Shop now"}, "Summer sale. Shop now."),
        ({"body": "Everything must go", "cta": "Shop now"}, "Everything must go. Shop now."),
        ({"headline": "Summer sale"}, "Summer sale."),
        ({"cta": "Shop now"}, "Shop now."),
    ],
)
def test_drops_empty_fields_with_their_punctuation(fields: dict[str, str], expected: str) -> None:
    assert build_script(TEMPLATE, fields) == expected


def test_keeps_the_fields_own_punctuation() -> None:
    fields = {"headline": "Ready?", "body": "Everything must go!", "cta": "Shop now."}
    assert build_script(TEMPLATE, fields) == "Ready? Everything must go! Shop now."


def test_collapses_spaces_and_line_breaks() -> None:
    fields = {"headline": "  Summer\n  sale ", "body": "", "cta": "Shop   now"}
    assert build_script("{headline} ,  {body}:  {cta} !", fields) == "Summer sale, Shop now!"


def test_dangling_separators_go_with_the_dropped_field() -> None:
    assert build_script("{headline} — {body}", {"headline": "Summer sale"}) == "Summer sale"
    assert build_script("{body}, {headline}", {"headline": "Summer sale"}) == "Summer sale"


def test_every_field_empty_gives_an_empty_script() -> None:
    assert build_script(TEMPLATE, {}) == ""
    assert build_script(TEMPLATE, {"headline": " ", "body": "", "cta": ""}) == ""


def test_arabic_and_hindi_fields() -> None:
    arabic = {"headline": "عرض الصيف", "body": "", "cta": "تسوق الآن"}
    assert build_script(TEMPLATE, arabic) == "عرض الصيف. تسوق الآن."
    hindi = {"headline": "गर्मी की सेल।", "cta": "अभी खरीदें"}
    assert build_script(TEMPLATE, hindi) == "गर्मी की सेल। अभी खरीदें."


def test_unknown_placeholder_is_a_spec_error() -> None:
    with pytest.raises(SpecError, match=r"unknown field\(s\): \{price\}") as caught:
        build_script("{headline}. {price}.", {"headline": "Sale"})
    assert "{headline}" in (caught.value.hint or "")


@pytest.mark.parametrize(
    ("text", "words"),
    [("", 0), ("Summer sale. Shop now!", 4), ("Fast — free — delivery", 3), ("50% off, today", 3),
     ("गर्मी की सेल। अभी खरीदें", 5), ("عرض الصيف، تسوق الآن", 4), ("don't stop", 2)],
)
def test_count_words(text: str, words: int) -> None:
    assert count_words(text) == words
