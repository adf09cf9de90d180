"""The C2PA manifest definition for one asset, built from a ``ProvenanceRecord`` the caller fills in.

Pure data in, a JSON-ready dict out (the definition ``c2pa.Builder`` takes): no I/O, no database.

    record = ProvenanceRecord(asset_id=42, title="spring-meta-feed.jpg", format_id="meta-feed-1080",
                              source_type=choose_source_type(used_trained_model=False, has_human_made_inputs=True),
                              engines=[EngineInfo("builtin.visual", "3")], ingredients=[logo, photo], ...)
    definition = build_manifest(record)
    signed = sign(data, "image/jpeg", definition, keys, record.ingredients)

What goes in (labels as they read back):

    c2pa.actions.v2        c2pa.created (digitalSourceType, softwareAgent, when, engines) and one c2pa.placed per
                           logo/photo/illustration ingredient, linked to it by ``parameters.ingredientIds``
    c2pa.training-mining   c2pa.ai_training, c2pa.ai_generative_training, c2pa.ai_inference, c2pa.data_mining:
                           'allowed' only when the brand allows AI training, else 'notAllowed'
    com.assetline.qc       the QC results
    com.assetline.review   the review decisions (who, role, decision, note, at)
    com.assetline.licences licence summary and one entry per ingredient (title, kind, sha256, licence)
    com.assetline.lineage  asset id, revision, content key, watermark id, format, engines, lineage URL/digest
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import KW_ONLY, dataclass, field
from enum import Enum
from importlib.metadata import PackageNotFoundError, version
from pathlib import PurePath
from typing import Any

from assetline.errors import ProvenanceError

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
TRAINED_ALGORITHMIC_MEDIA = IPTC + "trainedAlgorithmicMedia"
"""Made by a model trained on sampled content (diffusion, GAN …), with nothing human-made placed in it."""
COMPOSITE_WITH_TRAINED = IPTC + "compositeWithTrainedAlgorithmicMedia"
"""Trained-model output combined with other media (a generated background with a real logo or photo)."""
ALGORITHMIC_MEDIA = IPTC + "algorithmicMedia"
"""Made purely by an algorithm not based on sampled training data (Assetline's procedural engines)."""
COMPOSITE = IPTC + "composite"
"""A composite of several elements, none from a trained model (procedural background + licensed photo/logo)."""

KNOWN_SOURCE_TYPES = frozenset(IPTC + code for code in (
    "trainedAlgorithmicMedia", "compositeWithTrainedAlgorithmicMedia", "algorithmicMedia", "composite",
    "compositeSynthetic", "compositeCapture", "digitalCapture", "digitalCreation", "humanEdits",
    "algorithmicallyEnhanced", "dataDrivenMedia", "screenCapture", "virtualRecording", "computationalCapture",
    "negativeFilm", "positiveFilm", "print"))

HUMAN_MADE_KINDS = frozenset({"logo", "photo", "illustration", "artwork", "video", "audio"})
"""Ingredient kinds made by people whose pixels (or samples) are placed into the asset. Fonts and copy are not:
they are typeset by the layout, like any other algorithmic step."""
PLACED_KINDS = HUMAN_MADE_KINDS
"""Ingredient kinds that get a ``c2pa.placed`` action."""

TRAINING_MINING_KEYS = ("c2pa.ai_training", "c2pa.ai_generative_training", "c2pa.ai_inference", "c2pa.data_mining")
LABEL_QC = "com.assetline.qc"
LABEL_REVIEW = "com.assetline.review"
LABEL_LICENCES = "com.assetline.licences"
LABEL_LINEAGE = "com.assetline.lineage"
LABEL_TRAINING = "c2pa.training-mining"
REVIEW_FIELDS = ("who", "role", "decision", "at")
RELATIONSHIPS = ("componentOf", "inputTo", "parentOf")


def assetline_version() -> str:
    """The installed Assetline version, '0' when the package metadata is missing (running from a checkout)."""
    try:
        return version("assetline")
    except PackageNotFoundError:
        return "0"


def choose_source_type(used_trained_model: bool, has_human_made_inputs: bool) -> str:
    """The IPTC digital source type of a finished asset.

    ``used_trained_model``: any visible element (pixels or rendered text) came from a model trained on sampled
    content. ``has_human_made_inputs``: a human-made photo, logo or illustration is placed in it (see
    ``HUMAN_MADE_KINDS``; ``has_human_made(ingredients)`` decides it from the ingredient list).

        trained + human-made parts    → compositeWithTrainedAlgorithmicMedia
        trained only                  → trainedAlgorithmicMedia
        procedural + human-made parts → composite
        procedural only               → algorithmicMedia
    """
    if used_trained_model:
        return COMPOSITE_WITH_TRAINED if has_human_made_inputs else TRAINED_ALGORITHMIC_MEDIA
    return COMPOSITE if has_human_made_inputs else ALGORITHMIC_MEDIA


@dataclass(frozen=True)
class Ingredient:
    """An input placed in (or used for) the asset. ``data`` is the input's bytes when the signer should hash it
    (and carry its own Content Credentials, if it has any) into the manifest; None records it by reference."""

    title: str
    sha256: str
    mime: str
    kind: str
    """'logo' | 'photo' | 'illustration' | 'font' | 'model' | …"""
    _: KW_ONLY
    relationship: str = "componentOf"
    licence: Mapping[str, Any] | None = None
    data: bytes | None = field(default=None, repr=False)

    @classmethod
    def from_bytes(cls, title: str, data: bytes, mime: str, kind: str,
                   licence: Mapping[str, Any] | None = None, *, keep_data: bool = True) -> Ingredient:
        return cls(title, hashlib.sha256(data).hexdigest(), mime, kind, licence=licence,
                   data=data if keep_data else None)

    @property
    def label(self) -> str:
        """The id that links this ingredient to its ``c2pa.placed`` action inside one manifest."""
        return f"{self.kind}-{self.sha256[:16]}"

    def definition(self) -> dict[str, Any]:
        """The c2pa ingredient definition (JSON) for ``Builder.add_ingredient`` or the manifest's list."""
        out: dict[str, Any] = {"title": self.title, "format": self.mime, "relationship": self.relationship,
                               "label": self.label, "instance_id": f"sha256:{self.sha256}",
                               "description": self.kind}
        return out


@dataclass(frozen=True)
class EngineInfo:
    """An engine that produced part of the asset."""

    id: str
    version: str


@dataclass
class ProvenanceRecord:
    """What the caller knows about one asset revision; ``build_manifest`` turns it into a C2PA definition."""

    asset_id: int
    title: str
    format_id: str
    source_type: str
    engines: Sequence[EngineInfo] = ()
    ingredients: Sequence[Ingredient] = ()
    qc_results: Sequence[Mapping[str, Any]] = ()
    review_decisions: Sequence[Mapping[str, Any]] = ()
    """Each: who, role, decision ('approved' | 'rejected' | …), note, at (datetime or ISO text)."""
    licences: Mapping[str, Any] | None = None
    """A summary for people (e.g. {'status': 'cleared', 'expires': '2027-01-31'}); per-ingredient licences are
    taken from the ingredients."""
    ai_training_allowed: bool = False
    revision: int = 1
    content_key: str | None = None
    watermark_id: int | None = None
    lineage_url: str | None = None
    lineage_digest: str | None = None
    created_at: dt.datetime | None = None
    claim_generator: str = "Assetline"
    claim_generator_version: str = field(default_factory=assetline_version)


def has_human_made(ingredients: Sequence[Ingredient]) -> bool:
    """Whether any ingredient is a human-made photo, logo or illustration placed into the asset."""
    return any(i.kind in HUMAN_MADE_KINDS for i in ingredients)


def check_record(record: ProvenanceRecord) -> None:
    """Raise ProvenanceError naming the first field that cannot go into a manifest."""
    if isinstance(record.asset_id, bool) or not isinstance(record.asset_id, int) or record.asset_id < 0:
        raise ProvenanceError(f"asset_id must be a non-negative integer, not {record.asset_id!r}")
    if not record.title.strip():
        raise ProvenanceError("the manifest title is empty", hint="use the delivered file name")
    if record.source_type not in KNOWN_SOURCE_TYPES:
        raise ProvenanceError(f"'{record.source_type}' is not an IPTC digital source type",
                              hint="use choose_source_type(...) or one of the constants in "
                                   "assetline.provenance.manifest")
    if record.revision < 1:
        raise ProvenanceError(f"revision must be 1 or more, not {record.revision}")
    for ing in record.ingredients:
        if len(ing.sha256) != 64 or any(c not in "0123456789abcdef" for c in ing.sha256):
            raise ProvenanceError(f"ingredient '{ing.title}': sha256 must be 64 lower-case hex digits",
                                  hint="use Ingredient.from_bytes(...) to compute it")
        if ing.data is not None and hashlib.sha256(ing.data).hexdigest() != ing.sha256:
            raise ProvenanceError(f"ingredient '{ing.title}': its data does not hash to the recorded sha256",
                                  hint="the file changed since it was recorded; record it again")
        if ing.relationship not in RELATIONSHIPS:
            raise ProvenanceError(f"ingredient '{ing.title}': relationship '{ing.relationship}' is not one of "
                                  f"{', '.join(RELATIONSHIPS)}", hint="placed logos and photos are 'componentOf'")
        if not ing.kind:
            raise ProvenanceError(f"ingredient '{ing.title}' has no kind", hint="'logo', 'photo', 'font', …")
    for i, decision in enumerate(record.review_decisions):
        missing = [k for k in REVIEW_FIELDS if not decision.get(k)]
        if missing:
            raise ProvenanceError(f"review decision {i + 1} lacks {', '.join(missing)}",
                                  hint=f"each decision needs {', '.join(REVIEW_FIELDS)} (note is optional)")


def jsonable(value: Any, where: str = "value") -> Any:
    """``value`` as plain JSON data: datetimes → ISO 8601, dataclasses/enums/paths unwrapped, sets sorted."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ProvenanceError(f"{where}: {value} cannot be written to a manifest (JSON has no NaN/inf)")
        return value
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Enum):
        return jsonable(value.value, where)
    if isinstance(value, PurePath):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name), f"{where}.{f.name}") for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): jsonable(v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted(jsonable(v, where) for v in value)
    if isinstance(value, (list, tuple)):
        return [jsonable(v, f"{where}[{i}]") for i, v in enumerate(value)]
    raise ProvenanceError(f"{where}: a {type(value).__name__} cannot be written to a manifest",
                          hint="pass JSON-like data (str, numbers, lists, dicts, datetimes)")


def _unique(ingredients: Sequence[Ingredient]) -> list[Ingredient]:
    seen: set[str] = set()
    out = []
    for ing in ingredients:
        if ing.label not in seen:
            seen.add(ing.label)
            out.append(ing)
    return out


def _actions(record: ProvenanceRecord) -> list[dict[str, Any]]:
    created_at = record.created_at or dt.datetime.now(dt.UTC)
    created: dict[str, Any] = {
        "action": "c2pa.created",
        "digitalSourceType": record.source_type,
        "softwareAgent": {"name": record.claim_generator, "version": record.claim_generator_version},
        "when": jsonable(created_at),
    }
    if record.engines:
        created["parameters"] = {"com.assetline.engines": [{"id": e.id, "version": e.version}
                                                           for e in record.engines]}
    actions = [created]
    for ing in _unique(record.ingredients):
        if ing.kind in PLACED_KINDS:
            actions.append({"action": "c2pa.placed",
                            "parameters": {"ingredientIds": [ing.label], "com.assetline.kind": ing.kind,
                                           "com.assetline.title": ing.title}})
    return actions


def training_mining(allowed: bool) -> dict[str, Any]:
    """The ``c2pa.training-mining`` assertion data: every entry allowed, or every entry notAllowed."""
    use = "allowed" if allowed else "notAllowed"
    return {"entries": {key: {"use": use} for key in TRAINING_MINING_KEYS}}


def build_manifest(record: ProvenanceRecord) -> dict[str, Any]:
    """The manifest definition (a JSON-ready dict for ``c2pa.Builder``). Ingredients are added by ``sign``,
    which receives the same ``record.ingredients``; ``format`` is set there from the signed file's type."""
    # 1. Check inputs
    check_record(record)
    ingredients = _unique(record.ingredients)
    # 2. Standard assertions: actions and training/mining
    assertions: list[dict[str, Any]] = [
        {"label": "c2pa.actions", "data": {"actions": _actions(record)}},
        {"label": LABEL_TRAINING, "data": training_mining(record.ai_training_allowed)},
    ]
    # 3. Assetline's own assertions
    assertions.append({"label": LABEL_QC, "data": {"results": jsonable(list(record.qc_results), "qc_results")}})
    assertions.append({"label": LABEL_REVIEW,
                       "data": {"decisions": jsonable(list(record.review_decisions), "review_decisions")}})
    assertions.append({"label": LABEL_LICENCES, "data": {
        "summary": jsonable(record.licences, "licences"),
        "ingredients": [{"title": i.title, "kind": i.kind, "mime": i.mime, "sha256": i.sha256,
                         "licence": jsonable(i.licence, f"ingredient {i.title} licence")} for i in ingredients],
    }})
    lineage: dict[str, Any] = {"asset_id": record.asset_id, "revision": record.revision,
                               "format_id": record.format_id, "content_key": record.content_key,
                               "watermark_id": record.watermark_id,
                               "engines": [{"id": e.id, "version": e.version} for e in record.engines]}
    if record.lineage_url:
        lineage["lineage_url"] = record.lineage_url
    if record.lineage_digest:
        lineage["lineage_digest"] = record.lineage_digest
    assertions.append({"label": LABEL_LINEAGE, "data": lineage})
    # 4. The definition
    definition = {
        "claim_generator_info": [{"name": record.claim_generator, "version": record.claim_generator_version}],
        "title": record.title,
        "assertions": assertions,
    }
    json.dumps(definition)  # fail here, with our types, rather than inside the native library
    return definition
