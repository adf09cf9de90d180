"""Which of a brand kit's assets may train its LoRA, and what licence the LoRA inherits. No torch here.

An asset is used for training when all of these hold (otherwise it is *refused*, with the reason)::

    kind is 'photo' or 'reference'          ('protected' works are never used for training)
    it has a licence record                 (kits with `licensing.allow_unlicensed` may have assets without one)
    licence.terms.ai_training is true
    the licence is valid today              (valid_from ≤ today ≤ valid_until, where set)

``commercial_use`` is not a reason to refuse: it is carried into the LoRA's licence instead (the intersection of
the training assets' terms), so the delivery licence gate withholds commercial use of anything made with a LoRA
trained on a non-commercial asset. Usage::

    selection = select_training_assets(loaded_brand, only=("coffee",))
    selection.used, selection.refused          # TrainingAsset / Refusal lists
    terms = derived_terms(selection.used)      # LicenceTerms the LoRA may be used under
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from assetline.errors import LicenceError, NotFoundError
from assetline.spec.brand import InputAsset
from assetline.spec.common import Licence, LicenceTerms
from assetline.spec.loader import LoadedBrand

TRAINABLE_KINDS = ("photo", "reference")


@dataclass(frozen=True)
class TrainingAsset:
    """One asset the LoRA is trained on."""

    id: str
    file: Path
    sha256: str
    description: str
    licence: Licence

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "file": self.file.name, "path": str(self.file), "sha256": self.sha256,
                "description": self.description,
                "licence": {"name": self.licence.name, "owner": self.licence.owner,
                            "evidence": self.licence.evidence}}


@dataclass(frozen=True)
class Refusal:
    """An asset of the kit that is not used for training, and why."""

    id: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "reason": self.reason}


@dataclass(frozen=True)
class Selection:
    used: tuple[TrainingAsset, ...]
    refused: tuple[Refusal, ...]


def refusal_reason(asset: InputAsset, today: date) -> str | None:
    """Why ``asset`` may not train a LoRA (None when it may)."""
    if asset.kind not in TRAINABLE_KINDS:
        return f"kind '{asset.kind}' is never used for training"
    lic = asset.licence
    if lic is None:
        return "no licence record"
    if not lic.terms.ai_training:
        return f"licence '{lic.name}' ({lic.owner}) does not allow AI training"
    if lic.valid_until is not None and lic.valid_until < today:
        return f"licence expired {lic.valid_until.isoformat()}"
    if lic.valid_from is not None and lic.valid_from > today:
        return f"licence not valid before {lic.valid_from.isoformat()}"
    return None


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def select_training_assets(brand: LoadedBrand, only: Sequence[str] | None = None,
                           today: date | None = None) -> Selection:
    """The kit's assets split into used and refused. ``only`` restricts to those ids (in kit order); naming an
    unknown id raises NotFoundError, naming a refused one raises LicenceError with the reason. Raises LicenceError
    listing every reason when no asset remains."""
    today = today or date.today()
    kit = brand.kit
    assets = list(kit.assets)
    if only:
        known = {a.id for a in assets}
        unknown = [i for i in only if i not in known]
        if unknown:
            raise NotFoundError(f"brand kit '{kit.id}' has no asset(s) {', '.join(repr(i) for i in unknown)}",
                                hint=f"asset ids in {brand.path.name}: {', '.join(sorted(known)) or '(none)'}")
        wanted = set(only)
        for a in assets:
            reason = refusal_reason(a, today) if a.id in wanted else None
            if reason:
                raise LicenceError(f"asset '{a.id}' cannot be used for training: {reason}",
                                   hint="leave it out of --assets, or fix its licence record in the brand kit")
        assets = [a for a in assets if a.id in wanted]
    used: list[TrainingAsset] = []
    refused: list[Refusal] = []
    for a in assets:
        reason = refusal_reason(a, today)
        if reason is not None or a.licence is None:
            refused.append(Refusal(a.id, reason or "no licence record"))
            continue
        path = brand.file(a.file)
        used.append(TrainingAsset(id=a.id, file=path, sha256=sha256_file(path), description=a.description,
                                  licence=a.licence))
    if not used:
        reasons = "; ".join(f"'{r.id}': {r.reason}" for r in refused) or "the kit lists no assets"
        raise LicenceError(f"no asset of brand kit '{kit.id}' may be used for AI training ({reasons})",
                           hint="training needs assets of kind photo/reference whose licence has "
                                "`terms: {ai_training: true}` and is valid today")
    return Selection(used=tuple(used), refused=tuple(refused))


def _intersect(lists: Sequence[Sequence[str]]) -> list[str]:
    """Intersection of allow-lists where '*' means any (order of the first restricted list)."""
    restricted = [list(x) for x in lists if "*" not in x]
    if not restricted:
        return ["*"]
    out = restricted[0]
    for other in restricted[1:]:
        out = [x for x in out if x in other]
    return out


def derived_terms(used: Sequence[TrainingAsset]) -> LicenceTerms:
    """The terms every training asset allows: channels and territories intersected, commercial use and AI
    training only when all allow it. Raises LicenceError when the assets share no channel or territory."""
    licences = [u.licence for u in used]
    channels = _intersect([lic.terms.channels for lic in licences])
    territories = _intersect([lic.terms.territories for lic in licences])
    for label, values in (("channel", channels), ("territory", territories)):
        if not values:
            raise LicenceError(f"the training assets' licences have no {label} in common, so the LoRA could be "
                               "used nowhere", hint="pick assets with compatible licences with --assets")
    return LicenceTerms(channels=channels, territories=territories,
                        commercial_use=all(lic.terms.commercial_use for lic in licences),
                        ai_training=all(lic.terms.ai_training for lic in licences))


def validity_window(used: Sequence[TrainingAsset]) -> tuple[date | None, date | None]:
    """(latest valid_from, earliest valid_until) of the training assets' licences."""
    froms = [u.licence.valid_from for u in used if u.licence.valid_from is not None]
    untils = [u.licence.valid_until for u in used if u.licence.valid_until is not None]
    return (max(froms) if froms else None, min(untils) if untils else None)
