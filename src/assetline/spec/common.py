"""Small shared types for specs: strict base model, colours, identifiers, licences."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

_HEX = re.compile(r"^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


class SpecModel(BaseModel):
    """Base for every spec model: unknown keys are errors (typos must not pass silently)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, populate_by_name=True)


def _hex_colour(value: str) -> str:
    m = _HEX.match(value.strip())
    if not m:
        raise ValueError("not a colour: write it as hex, e.g. '#1F3A5F'")
    digits = m.group(1)
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return "#" + digits.upper()


def _identifier(value: str) -> str:
    if not _ID.match(value):
        raise ValueError(
            "ids use lower-case letters, digits, '.', '_' and '-', start with a letter or digit, ≤ 64 chars"
        )
    return value


HexColour = Annotated[str, AfterValidator(_hex_colour)]
Identifier = Annotated[str, AfterValidator(_identifier)]


def hex_to_rgb(value: str) -> tuple[int, int, int]:
    """'#1F3A5F' → (31, 58, 95)."""
    v = _hex_colour(value)
    return int(v[1:3], 16), int(v[3:5], 16), int(v[5:7], 16)


class LicenceTerms(SpecModel):
    """What the licence allows. '*' means any."""

    channels: list[str] = Field(default_factory=lambda: ["*"], description="Channel names allowed ('*' = all).")
    territories: list[str] = Field(default_factory=lambda: ["*"], description="ISO 3166 codes allowed ('*' = all).")
    commercial_use: bool = True
    ai_training: bool = Field(default=False, description="May the asset be used to train AI models?")


class Licence(SpecModel):
    """Who owns an input file and what we may do with it."""

    owner: str
    name: str = Field(description="Licence name, e.g. 'CC0-1.0', 'BSD-3-Clause', 'proprietary'.")
    terms: LicenceTerms = Field(default_factory=LicenceTerms)
    valid_from: date | None = None
    valid_until: date | None = None
    evidence: str | None = Field(default=None, description="Link or document id proving the licence.")
