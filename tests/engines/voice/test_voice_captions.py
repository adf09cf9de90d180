"""Caption chunks (≤ 42 characters a line, ≤ 2 lines, breaks at sentences, commas, spaces) and SRT/WebVTT."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assetline.engines.voice import Cue, parse_srt, parse_vtt, split_captions, to_srt, to_vtt
from assetline.errors import EngineError

LONG = ("Visit our stores across the whole country this weekend, or shop online at any time of the day or night, "
        "with free delivery on every single order over fifty pounds.")


def _lines_ok(chunk: str) -> bool:
    lines = chunk.split("\n")
    return len(lines) <= 2 and all(len(line) <= 42 or " " not in line for line in lines)


def test_breaks_at_every_sentence_end() -> None:
    assert split_captions("Summer sale. Everything must go! Really? Yes.") == [
        "Summer sale.", "Everything must go!", "Really?", "Yes."]


def test_a_long_sentence_breaks_at_commas_first() -> None:
    chunks = split_captions(LONG)
    assert all(_lines_ok(c) for c in chunks)
    assert chunks[0].endswith(",") and chunks[1].endswith(",")
    assert " ".join(" ".join(chunks).split()) == LONG


def test_a_clause_too_long_breaks_between_words() -> None:
    clause = " ".join(["marvellous"] * 20) + "."
    chunks = split_captions(clause)
    assert len(chunks) > 1 and all(_lines_ok(c) for c in chunks)
    assert " ".join(" ".join(chunks).split()) == clause


def test_two_lines_are_balanced() -> None:
    (chunk,) = split_captions("Everything in the summer collection must go, today.")
    top, bottom = chunk.split("\n")
    assert abs(len(top) - len(bottom)) <= 12


def test_a_word_longer_than_a_line_stands_alone_unsplit() -> None:
    word = "Supercalifragilisticexpialidociousnessisnotaword"
    chunks = split_captions(f"{word} is long, but it stays whole.")
    assert word in chunks


def test_marks_without_words_join_the_caption_before() -> None:
    assert split_captions("Summer sale! !!") == ["Summer sale! !!"]


def test_arabic_breaks_at_the_arabic_comma() -> None:
    text = "عرض الصيف الكبير في جميع متاجرنا في البلاد، كل شيء يجب أن يذهب اليوم فقط قبل نفاد الكمية."
    chunks = split_captions(text)
    assert len(chunks) == 2 and chunks[0].endswith("،")


def test_empty_text_has_no_captions() -> None:
    assert split_captions("   ") == []


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyzé", min_size=1, max_size=50), min_size=1, max_size=60),
       st.lists(st.sampled_from(["", "", "", ",", ".", "!"]), min_size=60, max_size=60))
def test_chunks_keep_every_word_in_order_and_fit(words: list[str], marks: list[str]) -> None:
    text = " ".join(w + m for w, m in zip(words, marks, strict=False))
    chunks = split_captions(text)
    assert " ".join(chunks).split() == text.split()
    assert all(_lines_ok(c) for c in chunks)


CUES = (Cue(0.4, 1.067, "Summer sale."), Cue(1.217, 3.574, "Everything must go,\nwhile stocks last & <more>."),
        Cue(3599.999, 3661.001, "Shop now."))


def test_srt_layout_and_round_trip() -> None:
    srt = to_srt(CUES)
    assert srt.startswith("1\n00:00:00,400 --> 00:00:01,067\nSummer sale.\n\n2\n")
    assert "00:59:59,999 --> 01:01:01,001" in srt
    assert parse_srt(srt) == CUES


def test_vtt_layout_escapes_and_round_trip() -> None:
    vtt = to_vtt(CUES)
    assert vtt.startswith("WEBVTT\n\n00:00:00.400 --> 00:00:01.067\nSummer sale.\n\n")
    assert "&amp; &lt;more&gt;" in vtt
    assert parse_vtt(vtt) == CUES


def test_timestamps_round_to_the_nearest_millisecond() -> None:
    cues = [Cue(0.0004999, 0.0005, "a"), Cue(1.2345, 2.9999996, "b")]
    assert parse_srt(to_srt(cues)) == (Cue(0.0, 0.001, "a"), Cue(1.235, 3.0, "b"))


def test_parse_tolerates_bom_crlf_identifiers_notes_and_settings() -> None:
    vtt = ("\ufeffWEBVTT - made by hand\r\n\r\nNOTE a comment\r\nspanning lines\r\n\r\nintro\r\n"
           "00:01.000 --> 00:02.500 align:start line:90%\r\nHello\r\n\r\n")
    assert parse_vtt(vtt) == (Cue(1.0, 2.5, "Hello"),)
    srt = "\ufeff1\r\n00:00:01,000 --> 00:00:02,500\r\nHello\r\nthere\r\n"
    assert parse_srt(srt) == (Cue(1.0, 2.5, "Hello\nthere"),)


@pytest.mark.parametrize(
    ("text", "message"),
    [("1\n00:00:01,000 -> 00:00:02,000\nHi\n", "line 2: expected 'start --> end'"),
     ("x\n00:00:01,000 --> 00:00:02,000\nHi\n", "line 1: expected a cue number"),
     ("1\n00:00:03,000 --> 00:00:02,000\nHi\n", "line 2: the cue ends"),
     ("1\n00:00:01.5 --> 00:00:02,000\nHi\n", "'00:00:01.5' is not a timestamp")],
)
def test_bad_srt_names_the_line(text: str, message: str) -> None:
    with pytest.raises(EngineError, match=message):
        parse_srt(text)


def test_vtt_needs_its_header() -> None:
    with pytest.raises(EngineError, match="must start with the line 'WEBVTT'"):
        parse_vtt("00:01.000 --> 00:02.000\nHi\n")


def test_writing_refuses_a_cue_that_ends_before_it_starts() -> None:
    with pytest.raises(EngineError, match="end after it starts"):
        to_srt([Cue(2.0, 1.0, "backwards")])
