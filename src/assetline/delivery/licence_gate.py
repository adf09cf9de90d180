"""The licence gate: may these inputs appear in an asset used on this channel, in this territory, on this day?

``check_usage`` returns *every* reason that blocks *every* input, in input order and, per input, in the order
``missing, channel, territory, not_yet_valid, expired, commercial``; an empty list means the use is covered.

Matching rules
--------------
- Channels: compared case-insensitively; ``'*'`` in the licence allows any channel.
- Territories: ISO 3166-1 alpha-2 codes, case-insensitive; ``'*'`` allows any. ``'UK'`` is read as ``'GB'``.
  A licence may name a region group, which stands for its member countries (``REGION_GROUPS``):

  - ``EU``  — the 27 EU member states: AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT
    RO SE SI SK (Greece as ISO ``GR``; the EU's own abbreviation ``EL`` is accepted as an alias).
  - ``EEA`` — the EU plus IS, LI and NO.
  - ``GCC`` — the Gulf Cooperation Council: AE BH KW OM QA SA.

  A usage territory that is itself a group is covered only when every member is. An unknown usage territory
  (``''``: the segment has no country) is blocked by any licence that restricts territories.
- Dates: ``valid_from`` and ``valid_until`` are inclusive; ``None`` means open-ended.
- Commercial use: a commercial usage is blocked when ``terms.commercial_use`` is false.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from assetline.errors import LicenceError
from assetline.spec.common import Licence

ReasonCode = Literal["missing", "channel", "territory", "not_yet_valid", "expired", "commercial", "file_size"]
"""Why an input blocks a use; "file_size" is set by delivery when a signed file exceeds the channel limit."""

_EU = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
})
REGION_GROUPS: dict[str, frozenset[str]] = {
    "EU": _EU,
    "EEA": _EU | {"IS", "LI", "NO"},
    "GCC": frozenset({"AE", "BH", "KW", "OM", "QA", "SA"}),
}
"""Region groups a licence may name instead of listing countries."""
_ALIASES = {"UK": "GB", "EL": "GR"}


@dataclass(frozen=True)
class LicensedInput:
    """One human-made (or third-party) input that went into an asset."""

    role: str
    """'logo' | 'photo' | 'font' | 'reference' | 'model' | …"""
    ref: str
    """The input's id or file reference, as the brand kit names it."""
    sha256: str
    licence: Licence | None


@dataclass(frozen=True)
class Usage:
    """Where and when the asset is going to be used."""

    channel: str
    territory: str
    """ISO 3166 code of the segment's country; '' when the segment names none."""
    on: date
    commercial: bool = True


@dataclass(frozen=True)
class LicenceBlock:
    """One reason why one input may not be used as asked."""

    input_ref: str
    role: str
    licence_name: str | None
    owner: str | None
    reason_code: ReasonCode
    message: str


def _norm(code: str) -> str:
    code = code.strip().upper()
    return _ALIASES.get(code, code)


def expand_territories(codes: Iterable[str]) -> frozenset[str] | None:
    """The country codes a territory list covers; None when it contains '*' (everywhere)."""
    out: set[str] = set()
    for raw in codes:
        code = _norm(raw)
        if code == "*":
            return None
        out |= REGION_GROUPS.get(code, {code})
    return frozenset(out)


def _label(inp: LicensedInput) -> str:
    lic = inp.licence
    who = f"{inp.role} '{inp.ref}'"
    if lic is None:
        return who
    return f"{who} ({lic.name}, owner {lic.owner})"


def _block(inp: LicensedInput, code: ReasonCode, message: str) -> LicenceBlock:
    lic = inp.licence
    return LicenceBlock(
        input_ref=inp.ref,
        role=inp.role,
        licence_name=lic.name if lic else None,
        owner=lic.owner if lic else None,
        reason_code=code,
        message=message,
    )


def _check_one(inp: LicensedInput, usage: Usage) -> list[LicenceBlock]:
    lic = inp.licence
    assert lic is not None
    label = _label(inp)
    terms = lic.terms
    blocks: list[LicenceBlock] = []

    # 1. Channel
    channels = [c.strip().lower() for c in terms.channels]
    if "*" not in channels and usage.channel.strip().lower() not in channels:
        allowed = ", ".join(terms.channels) or "none"
        blocks.append(_block(inp, "channel", f"{label} does not allow channel '{usage.channel}' (allows: {allowed})"))

    # 2. Territory
    covered = expand_territories(terms.territories)
    if covered is not None:
        allowed = ", ".join(terms.territories) or "none"
        wanted = _norm(usage.territory)
        if not wanted:
            blocks.append(_block(
                inp, "territory",
                f"{label} is licensed only for territories {allowed}, but the segment has no country, "
                "so the territory cannot be checked",
            ))
        else:
            need = REGION_GROUPS.get(wanted, frozenset({wanted}))
            missing = sorted(need - covered)
            if missing:
                detail = "" if wanted not in REGION_GROUPS else f" (not covered: {', '.join(missing)})"
                blocks.append(_block(
                    inp, "territory",
                    f"{label} does not allow territory '{usage.territory.strip().upper()}'{detail} (allows: {allowed})",
                ))

    # 3. Validity window (inclusive at both ends)
    if lic.valid_from is not None and usage.on < lic.valid_from:
        blocks.append(_block(
            inp, "not_yet_valid",
            f"{label} is not valid until {lic.valid_from.isoformat()} (use date {usage.on.isoformat()})",
        ))
    if lic.valid_until is not None and usage.on > lic.valid_until:
        blocks.append(_block(
            inp, "expired",
            f"{label} expired on {lic.valid_until.isoformat()} (use date {usage.on.isoformat()})",
        ))

    # 4. Commercial use
    if usage.commercial and not terms.commercial_use:
        blocks.append(_block(inp, "commercial", f"{label} does not allow commercial use"))
    return blocks


def check_usage(inputs: list[LicensedInput], usage: Usage, allow_unlicensed: bool = False) -> list[LicenceBlock]:
    """Every reason any of ``inputs`` may not be used as ``usage`` describes (empty: all clear).

    An input without a licence record is blocked (reason ``missing``) unless ``allow_unlicensed``."""
    blocks: list[LicenceBlock] = []
    for inp in inputs:
        if inp.licence is None:
            if not allow_unlicensed:
                blocks.append(_block(
                    inp, "missing",
                    f"{inp.role} '{inp.ref}' has no licence on record, so its use cannot be shown to be allowed",
                ))
            continue
        blocks.extend(_check_one(inp, usage))
    return blocks


def raise_for_blocks(blocks: list[LicenceBlock]) -> None:
    """Raise one LicenceError listing every block (does nothing when ``blocks`` is empty)."""
    if not blocks:
        return
    lines = "\n".join(f"  - {b.message}" for b in blocks)
    raise LicenceError(
        f"{len(blocks)} licence problem(s):\n{lines}",
        hint="fix or extend the licence records in the brand kit, or leave these assets out of the delivery",
    )


def licence_record(inp: LicensedInput) -> dict[str, Any]:
    """A JSON-ready summary of an input and its licence, the shape ``DeliveryItem.licences`` holds."""
    lic = inp.licence
    record: dict[str, Any] = {"ref": inp.ref, "role": inp.role, "sha256": inp.sha256}
    if lic is None:
        record.update({"name": None, "owner": None})
        return record
    record.update({
        "name": lic.name,
        "owner": lic.owner,
        "channels": list(lic.terms.channels),
        "territories": list(lic.terms.territories),
        "commercial_use": lic.terms.commercial_use,
        "ai_training": lic.terms.ai_training,
        "valid_from": lic.valid_from.isoformat() if lic.valid_from else None,
        "valid_until": lic.valid_until.isoformat() if lic.valid_until else None,
        "evidence": lic.evidence,
    })
    return record


def withheld_entry(asset_id: int, concept: str, segment: str, format_id: str, blocks: list[LicenceBlock],
                   variant: int = 1, revision: int | None = None) -> dict[str, Any]:
    """One entry of the ``blocked`` list ``write_bundle`` records: which asset was withheld, and every reason."""
    return {
        "asset_id": asset_id, "revision": revision, "concept": concept, "segment": segment,
        "format_id": format_id, "variant": variant,
        "reasons": [{"input_ref": b.input_ref, "role": b.role, "licence_name": b.licence_name, "owner": b.owner,
                     "reason_code": b.reason_code, "message": b.message} for b in blocks],
    }
