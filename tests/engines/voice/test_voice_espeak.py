"""espeak-ng as a subprocess: 48 kHz float32 speech, trimmed; languages; clear errors."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from assetline.engines.voice.espeak import espeak_version, parse_wav, synthesize
from assetline.errors import EngineError

SAYINGS = {"en": "Summer sale, shop now.", "ar": "عرض الصيف، تسوق الآن.", "hi": "गर्मी की सेल, अभी खरीदें।",
           "de": "Sommerschlussverkauf, jetzt kaufen.", "fr": "Soldes d'été, achetez maintenant.",
           "es": "Rebajas de verano, compra ahora."}


def test_version_is_a_dotted_number() -> None:
    assert espeak_version()[0].isdigit() and "." in espeak_version()


@pytest.mark.parametrize("language", sorted(SAYINGS))
def test_every_campaign_language_speaks(language: str) -> None:
    speech = synthesize(SAYINGS[language], language, 165, 50)
    assert speech.dtype == np.float32 and speech.ndim == 1
    assert 0.8 < speech.size / 48_000 < 5.0
    assert float(np.sqrt(np.mean(speech**2))) > 0.05 and float(np.abs(speech).max()) <= 1.0


def test_output_is_48k_and_band_limited_to_espeaks_rate() -> None:
    """22.05 kHz speech resampled to 48 kHz holds (almost) nothing above 11.025 kHz."""
    speech = synthesize(SAYINGS["en"], "en", 165, 50).astype(np.float64)
    power = np.abs(np.fft.rfft(speech)) ** 2
    freqs = np.fft.rfftfreq(speech.size, 1 / 48_000)
    assert power[freqs > 12_000].sum() / power.sum() < 1e-6


def test_silence_is_trimmed_at_both_ends() -> None:
    speech = synthesize("Hello.", "en", 165, 50)
    edge = round(0.015 * 48_000)
    assert np.abs(speech[:edge]).max() > 0.01 and np.abs(speech[-edge:]).max() > 0.001


def test_a_faster_rate_is_shorter() -> None:
    slow, fast = (synthesize(SAYINGS["en"], "en", rate, 50).size for rate in (140, 280))
    assert fast < 0.7 * slow


def test_same_input_same_samples() -> None:
    assert np.array_equal(synthesize(SAYINGS["hi"], "hi", 170, 40), synthesize(SAYINGS["hi"], "hi", 170, 40))


def test_text_that_looks_like_options_is_just_spoken() -> None:
    assert synthesize("--help -v xx", "en", 165, 50).size > 0


def test_unknown_voice_lists_voices_it_has() -> None:
    with pytest.raises(EngineError, match="espeak-ng has no voice 'xx-nope'") as caught:
        synthesize("Hello.", "xx-nope", 165, 50)
    assert "en-gb" in (caught.value.hint or "") and "espeak-ng --voices" in (caught.value.hint or "")


def test_unknown_voice_hint_prefers_the_same_language() -> None:
    with pytest.raises(EngineError) as caught:
        synthesize("Hallo.", "de_XX", 165, 50)
    assert (caught.value.hint or "").startswith("voices espeak-ng has include de")


@pytest.mark.parametrize(("voice", "rate", "pitch", "message"),
                         [("-x", 165, 50, "not an espeak-ng voice name"), ("en gb", 165, 50, "not an espeak-ng"),
                          ("en", 20, 50, "outside espeak-ng's 80–450"), ("en", 165, 120, "pitch 120")])
def test_bad_arguments_are_refused(voice: str, rate: int, pitch: int, message: str) -> None:
    with pytest.raises(EngineError, match=message):
        synthesize("Hello.", voice, rate, pitch)


def test_missing_espeak_says_how_to_install(tmp_path: Path) -> None:
    with pytest.raises(EngineError, match="espeak-ng is not installed") as caught:
        synthesize("Hello.", "en", 165, 50, executable=tmp_path / "espeak-ng")
    assert "apt-get install -y espeak-ng" in (caught.value.hint or "")
    assert "ensure_espeak.sh" in (caught.value.hint or "")


def _wav(pcm: np.ndarray, declared: int) -> bytes:
    fmt = struct.pack("<HHIIHH", 1, 1, 22050, 44100, 2, 16)
    data = pcm.astype("<i2").tobytes()
    return b"RIFF" + struct.pack("<I", declared) + b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt + \
        b"data" + struct.pack("<I", declared) + data


def test_parse_wav_reads_a_streamed_wav_with_placeholder_sizes() -> None:
    pcm = np.array([0, 16384, -16384, 32767, 7], dtype=np.int16)
    rate, samples = parse_wav(_wav(pcm, 0x7FFFFFFF) + b"\x01")  # odd trailing byte: half a sample
    assert rate == 22050
    assert np.array_equal(samples, pcm.astype(np.float32) / 32768)


def test_parse_wav_refuses_what_is_not_a_wav() -> None:
    with pytest.raises(EngineError, match="did not write a WAV"):
        parse_wav(b"Error: nonsense")
