"""Translation lookup and text direction (language.py)."""

from __future__ import annotations

import pytest

from assetline.engines.copy.language import direction_of_text, resolve_copy, text_direction
from assetline.spec.campaign import Concept


@pytest.mark.parametrize(("language", "direction"), [
    ("ar", "rtl"), ("he", "rtl"), ("fa", "rtl"), ("ur", "rtl"), ("yi", "rtl"), ("ps", "rtl"), ("dv", "rtl"),
    ("ar-AE", "rtl"), ("he_IL", "rtl"), ("AR", "rtl"), ("pa-Arab", "rtl"), ("az-Arab-IR", "rtl"),
    ("en", "ltr"), ("hi", "ltr"), ("en-GB", "ltr"), ("zh-Hant", "ltr"), ("ku-Latn", "ltr"), ("", "ltr"),
])
def test_text_direction(language: str, direction: str) -> None:
    assert text_direction(language) == direction


def test_direction_of_text() -> None:
    assert direction_of_text("«أفضل فنجان»") == "rtl"
    assert direction_of_text("“Best cup”") == "ltr"
    assert direction_of_text("— 42 —") is None


CONCEPT = Concept.model_validate({
    "id": "c", "copy": {"headline": ["Default"]},
    "translations": {"ar": {"headline": ["عربي"]}, "pt-BR": {"headline": ["Brasil"]}},
})


@pytest.mark.parametrize(("language", "key", "headline"), [
    ("ar", "ar", "عربي"),
    ("ar-EG", "ar", "عربي"),
    ("pt-br", "pt-BR", "Brasil"),
    ("pt_BR", "pt-BR", "Brasil"),
    ("pt", None, "Default"),
    ("en", None, "Default"),
])
def test_resolve_copy(language: str, key: str | None, headline: str) -> None:
    options, used = resolve_copy(CONCEPT, language)
    assert used == key
    assert options.headline == [headline]
