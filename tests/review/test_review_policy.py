"""Review policy routing and how a note becomes direction."""

from __future__ import annotations

import pytest

from assetline.errors import InvalidRequestError
from assetline.review.direction import ChangeOptions, apply, interpret
from assetline.review.routing import in_sample


def test_sample_is_deterministic_and_close_to_the_rate() -> None:
    keys = [f"c|s|f|{i}" for i in range(4000)]
    picked = [k for k in keys if in_sample(7, k, 1, 0.1)]
    assert picked == [k for k in keys if in_sample(7, k, 1, 0.1)]
    assert 0.08 < len(picked) / len(keys) < 0.12
    assert not any(in_sample(7, k, 1, 0.0) for k in keys[:200])
    assert all(in_sample(7, k, 1, 1.0) for k in keys[:200])


@pytest.mark.parametrize(("note", "copy", "visual", "layout"), [
    ("warmer image please", False, True, None),
    ("new headline", True, False, None),
    ("layout: split", False, False, "split"),
    ("Try the QUOTE layout and a different photo", False, True, None),
    ("not quite there", True, True, None),
])
def test_note_is_read_when_no_options_are_given(note: str, copy: bool, visual: bool, layout: str | None) -> None:
    got = interpret(note, ChangeOptions())
    assert (got.new_copy, got.new_visual, got.layout) == (copy, visual, layout)


def test_a_named_field_limits_what_is_excluded() -> None:
    got = interpret("change the headline", ChangeOptions())
    assert got.copy_fields == ("headline",)
    d, _ = apply({}, got, "", {"headline": "A", "body": "B"}, {"headline": ["A", "A2"], "body": ["B", "B2"]})
    assert d["exclude"] == ["A"]


def test_explicit_options_win_over_the_note() -> None:
    got = interpret("new headline", ChangeOptions(new_visual=True))
    assert (got.new_copy, got.new_visual) == (False, True)
    with pytest.raises(InvalidRequestError):
        interpret("", ChangeOptions(layout="collage"))


def test_direction_accumulates_and_never_excludes_the_last_alternative() -> None:
    copy = {"headline": "A", "body": "B"}
    alts = {"headline": ["A", "A2"], "body": ["B"]}
    d1, said = apply({}, ChangeOptions(new_copy=True, new_visual=True), "try again", copy, alts)
    assert d1 == {"salt": 1, "exclude": ["A"], "notes": ["try again"]}
    assert any("headline" in s for s in said)
    d2, _ = apply(d1, ChangeOptions(new_visual=True), "", {"headline": "A2", "body": "B"}, alts)
    assert d2["salt"] == 2 and d2["exclude"] == ["A"]
    with pytest.raises(InvalidRequestError):  # only copy asked, and no alternative left
        apply(d2, ChangeOptions(new_copy=True, new_visual=False), "", {"headline": "A2", "body": "B"}, alts)
