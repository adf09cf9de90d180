"""Every input file of a brand kit needs a licence record unless the kit's policy allows unlicensed inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from assetline.errors import SpecError
from assetline.spec.loader import load_brand_kit


def _drop_logo_licence(brief: Path, allow: bool) -> Path:
    path = brief / "brand.yaml"
    text = path.read_text(encoding="utf-8")
    marker = "    licence: {owner: Orbit Coffee (fictional), name: proprietary}\n"
    assert marker in text
    text = text.replace(marker, "", 1)
    if allow:
        text += "licensing: {allow_unlicensed: true}\n"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_unlicensed_logo_is_a_located_spec_error(demo_brief: Path) -> None:
    path = _drop_logo_licence(demo_brief, allow=False)
    with pytest.raises(SpecError) as err:
        load_brand_kit(path)
    assert "logo 'orbit-dark' has no licence record" in str(err.value)
    assert err.value.location is not None and err.value.location.line is not None
    assert "allow_unlicensed" in (err.value.hint or "")


def test_the_policy_may_allow_unlicensed_inputs(demo_brief: Path) -> None:
    kit = load_brand_kit(_drop_logo_licence(demo_brief, allow=True)).kit
    assert kit.logos[0].licence is None and kit.licensing.allow_unlicensed


def test_a_lora_needs_a_licence_too(demo_brief: Path) -> None:
    path = demo_brief / "brand.yaml"
    text = path.read_text(encoding="utf-8").replace("imagery:\n  style: photo\n",
                                                    "imagery:\n  style: photo\n  lora: orbit-style.safetensors\n")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError, match=r"model 'orbit-style\.safetensors' has no licence record"):
        load_brand_kit(path)
    path.write_text(text.replace("  lora: orbit-style.safetensors\n",
                                 "  lora: orbit-style.safetensors\n"
                                 "  lora_licence: {owner: Orbit Coffee, name: proprietary}\n"), encoding="utf-8")
    with pytest.raises(SpecError, match=r"brand\.yaml:\d+:\d+: imagery\.lora not found: .*orbit-style"):
        load_brand_kit(path)  # licensed, but the file is not there
    (demo_brief / "orbit-style.safetensors").write_bytes(b"weights")
    loaded = load_brand_kit(path)
    assert loaded.kit.imagery.lora_licence is not None
    assert loaded.models["lora"] == (demo_brief / "orbit-style.safetensors").resolve()
