"""The next round of a campaign: a new brief that keeps what won, drops what lost, and explores around the winners.

    result = next_round(session, tenant_id, "launch-season", Path("round2/campaign.yaml"))
    result.changes      # [Change(kind='drop_layout', where='concepts[0].layouts', detail=…, evidence=…), …]
    result.to_dict()    # what `assetline next-round --json` prints

What it decides, from the running counts (``metric``, default ctr) — each decision needs the data to say so:

1. **Concepts** are compared over all segments. A concept is dropped when its P(best) is below ``drop_below``
   (0.05) *and* it and the best concept both have enough data (stats.enough_data). The best is never dropped,
   and concepts without data are kept (they have not been tested yet).
2. Within each kept concept, its **layouts** and its **headline and CTA templates** are compared on that
   concept's assets only (the choices a brief expresses per concept; comparing within a concept keeps the concept's
   own effect out). Losers are dropped by the same rule; never the last option of a list. A winner (P(best) ≥
   0.95 with enough data) moves to the front of its list; the header asks for variations of it.
   Which template a text came from is found by expanding the concept's templates for each segment, as the
   built-in copy engine does (a text no template renders — written by an LLM engine — is reported, not edited).
3. When anything won, ``variants`` grows by one: one more variant per cell, exploring around the winners.
4. The new campaign gets a new id (``launch-season-r2``, then ``-r3`` …; the next one free in the store), its
   ``brand`` path and the engines' path settings are rewritten relative to the new file, and a header comment
   lists every change with its evidence (P(best), impressions, rates). The rest of the file, comments included,
   is the original's (ruamel round trip).

The file is written atomically, after the spec loader has accepted it, and never over an existing file unless
``force``. Palette colour, visual style and engine are reported in the header, not edited: the brand kit holds
the palette, and the style of a concept is its creative direction.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from sqlalchemy.orm import Session

from assetline.engines.copy.expand import expand_field
from assetline.engines.copy.language import resolve_copy
from assetline.engines.copy.variables import segment_variables
from assetline.errors import AssetlineError, InvalidRequestError, NotFoundError, SpecError
from assetline.experiments.attributes import campaign_attributes
from assetline.experiments.insights import (
    DRAWS,
    WIN_PROBABILITY,
    AttributeInsight,
    Insights,
    ValueStats,
    analyse,
    campaign_insights,
    check_metric,
    seed_for,
)
from assetline.experiments.plots import format_probability, format_rate
from assetline.experiments.stats import DataThresholds, enough_data
from assetline.experiments.stats_counts import Counts, MeanCounts, ProportionCounts
from assetline.spec.campaign import Concept, Segment
from assetline.spec.loader import load_campaign
from assetline.store.performance import AssetCounts, PerformanceRepository
from assetline.store.repositories import Repository

DROP_BELOW = 0.05
COPY_FIELDS = ("headline", "cta")
_ROUND = re.compile(r"^(?P<base>.+)-r(?P<n>\d+)$")
_ROUND_NAME = re.compile(r" — round \d+$")


@dataclass(frozen=True)
class Change:
    kind: str
    """new_id, drop_concept, drop_layout, lead_layout, drop_copy, lead_copy, variants, note."""
    where: str
    """Where in the brief (YAML path), or '' for notes."""
    detail: str
    evidence: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "where": self.where, "detail": self.detail, "evidence": self.evidence}


@dataclass
class NextRound:
    campaign: str
    new_id: str
    out: Path
    metric: str
    round: int
    changes: list[Change] = field(default_factory=list)
    winners: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"campaign": self.campaign, "new_id": self.new_id, "out": str(self.out), "metric": self.metric,
                "round": self.round, "changes": [c.to_dict() for c in self.changes], "winners": self.winners,
                "warnings": self.warnings}


# ---------------------------------------------------------------------------------------------------- helpers
def next_id(current: str, taken: set[str]) -> tuple[str, int]:
    """``x`` → ``x-r2``, ``x-r2`` → ``x-r3`` …, skipping ids already in ``taken``."""
    m = _ROUND.match(current)
    base, n = (m.group("base"), int(m.group("n")) + 1) if m else (current, 2)
    while True:
        suffix = f"-r{n}"
        candidate = base[:64 - len(suffix)] + suffix
        if candidate not in taken:
            return candidate, n
        n += 1


def _probability(p: float) -> str:
    """P(best) with three decimals between the extremes, so that a value just under the drop threshold (0.0496)
    does not read as the threshold itself (0.05)."""
    return format_probability(p) if p < 0.005 or p > 0.995 else f"{p:.3f}"


def _evidence(metric: str, v: ValueStats, best: ValueStats | None = None) -> str:
    text = f"P(best) {_probability(v.p_best)}, {v.units:,} impressions, {format_rate(metric, v.rate)}"
    if best is not None and best.value != v.value:
        text += f" (best: {format_rate(metric, best.rate)})"
    return text


def value_counts(v: ValueStats) -> Counts:
    """The stats counts of one value of an insight (a mean's spread is not needed by enough_data)."""
    if v.successes is not None:
        return ProportionCounts(units=v.units, conversions=v.successes)
    return MeanCounts(units=v.units, sum=v.total, sum_squares=v.total * v.total / v.units if v.units else 0.0)


def losers(insight: AttributeInsight, drop_below: float, thresholds: DataThresholds | None) -> set[str]:
    """Values the data rules out: P(best) below ``drop_below`` and enough data on both it and the best."""
    best = insight.get(insight.leader)
    assert best is not None
    return {v.value for v in insight.values
            if v.value != insight.leader and v.p_best < drop_below
            and enough_data(value_counts(v), value_counts(best), thresholds=thresholds).enough}


def template_keys(concept: Concept, segments: Sequence[Segment], field_name: str) -> dict[tuple[str, str], str]:
    """(segment id, rendered text) → 'translation:index' of the template that renders it, for the builtin copy
    grammar (texts it cannot render are absent)."""
    out: dict[tuple[str, str], str] = {}
    for segment in segments:
        options, translation = resolve_copy(concept, segment.language)
        templates = list(getattr(options, field_name))
        if not templates:
            continue
        try:
            expansion = expand_field(templates, segment_variables(segment), lenient=True)
        except (ValueError, AssetlineError, KeyError):
            continue
        for c in expansion.candidates:
            out[(segment.id, c.text)] = f"{translation or ''}:{c.template_index}"
    return out


def _copy_node(concept_node: Any, translation: str, field_name: str) -> Any:
    node = concept_node["translations"][translation] if translation else concept_node["copy"]
    return node[field_name]


def _reorder(seq: Any, drop: set[int], lead: int | None) -> None:
    """Drop the indices ``drop`` of a ruamel sequence and move ``lead`` (an old index) first, in place."""
    items = [(i, seq[i]) for i in range(len(seq)) if i not in drop]
    if lead is not None:
        items.sort(key=lambda item: item[0] != lead)
    del seq[:]
    seq.extend(v for _, v in items)


def _rebase(value: Any, old_dir: Path, new_dir: Path) -> Any:
    if not isinstance(value, str) or not value or "://" in value or Path(value).expanduser().is_absolute():
        return value
    return os.path.relpath((old_dir / value).resolve(), new_dir)


def _path_fields(engine_id: str) -> tuple[str, ...]:
    from assetline.engines.base import engine_trait
    from assetline.engines.registry import EngineRegistry

    try:
        return tuple(engine_trait(EngineRegistry.discover().get(engine_id), "path_fields"))
    except AssetlineError:
        return ()


def write_atomically(out: Path, text: str, check: bool = True) -> None:
    """Write ``text`` to ``out`` via a temporary file in the same folder (created when missing); with ``check``,
    the spec loader must accept the temporary file first. Nothing is left behind when it fails: no temporary
    file, no folder it created. A folder that cannot be created or written is an InvalidRequestError."""
    created: list[Path] = []
    tmp: Path | None = None
    try:
        created = [p for p in (out.parent, *out.parent.parents) if not p.exists()]
        above = out.parent.parents[len(created) - 1] if created else out.parent
        if not above.is_dir():
            raise InvalidRequestError(f"cannot write {out}: {above} is a file, not a folder",
                                      hint="choose an --out in a folder you can write to")
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".yaml", dir=out.parent)
        tmp = Path(name)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if check:
            load_campaign(tmp)
        os.replace(tmp, out)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            if tmp is not None:
                tmp.unlink(missing_ok=True)
            for folder in created:  # deepest first: leave no empty folder behind that we made
                if folder.is_dir() and not any(folder.iterdir()):
                    folder.rmdir()
        if isinstance(exc, OSError):
            reason = exc.strerror or type(exc).__name__
            raise InvalidRequestError(f"cannot write {out}: {reason}",
                                      hint="choose an --out in a folder you can write to") from exc
        raise


# ---------------------------------------------------------------------------------------------------- entry point
def next_round(session: Session, tenant_id: str, campaign_slug: str, out: Path, metric: str = "ctr", *,
               force: bool = False, drop_below: float = DROP_BELOW, thresholds: DataThresholds | None = None,
               win_probability: float = WIN_PROBABILITY, add_variant: bool = True) -> NextRound:
    """Write the next round's brief of ``campaign_slug`` to ``out`` (see the module docstring)."""
    # 1. Check inputs
    chosen = check_metric(metric)
    if not 0 < drop_below < 0.5:
        raise InvalidRequestError("drop_below must be between 0 and 0.5")
    campaign = Repository(session, tenant_id).get_campaign(campaign_slug)
    spec_path = Path(campaign.spec_path)
    if not spec_path.is_file():
        raise NotFoundError(f"the brief of campaign '{campaign.slug}' is gone: {spec_path}",
                            hint="restore the file (the next round is written from it)")
    out = Path(out).expanduser().absolute()
    if out.resolve() == spec_path.resolve():
        raise InvalidRequestError(f"{out} is the campaign's own brief", hint="write the next round to a new file")
    if out.exists() and not out.is_file():
        raise InvalidRequestError(f"{out} is not a file", hint="--out names the YAML file to write")
    loaded = load_campaign(spec_path)
    inputs = {Path(f).resolve() for f in (loaded.brand.path, *loaded.brand.files.values())}
    if out.resolve() in inputs:
        raise InvalidRequestError(f"{out} is an input of the campaign (its brand kit or one of the kit's files)",
                                  hint="write the next round to a new file")
    if out.exists() and not force:
        raise InvalidRequestError(f"{out} exists", hint="choose another --out, or pass --force to replace it")
    spec = loaded.campaign
    insights: Insights = campaign_insights(session, tenant_id, campaign.slug, metric, thresholds=thresholds,
                                           win_probability=win_probability)
    yaml = YAML(typ="rt")
    yaml.width = 120
    yaml.preserve_quotes = True
    original = spec_path.read_text(encoding="utf-8")
    data = yaml.load(original)
    taken = {c.slug for c in Repository(session, tenant_id).list_campaigns()}
    new_id, number = next_id(spec.id, taken | {spec.id})
    result = NextRound(campaign=campaign.slug, new_id=new_id, out=out, metric=chosen.name, round=number)
    result.winners = [w._asdict() for w in insights.winners()]
    if insights.explanation:
        result.warnings.append(insights.explanation)
    if spec.id != campaign.slug:
        result.warnings.append(f"the brief's id is '{spec.id}', the stored campaign '{campaign.slug}'")

    # 2. Concepts, over all segments
    won_anything = False
    dropped_concepts: set[str] = set()
    concept_insight = insights.attribute("concept")
    if concept_insight is not None:
        dropped_concepts = losers(concept_insight, drop_below, thresholds) & {c.id for c in spec.concepts}
        best = concept_insight.get(concept_insight.leader)
        for cid in sorted(dropped_concepts):
            v = concept_insight.get(cid)
            assert v is not None
            result.changes.append(Change("drop_concept", f"concepts[{cid}]", f"dropped concept '{cid}'",
                                         _evidence(chosen.name, v, best)))
        won_anything |= concept_insight.winner is not None

    # 3. Within each kept concept: layouts, then copy templates
    rows = campaign_attributes(session, tenant_id, campaign.id)
    counts = PerformanceRepository(session, tenant_id).counts_for_campaign(campaign.id)
    for index, concept in enumerate(spec.concepts):
        if concept.id in dropped_concepts:
            continue
        node = data["concepts"][index]
        mine = [r for r in rows.values() if r.concept == concept.id and counts.get(r.asset_id)]
        # 3a. Layouts
        by_layout: dict[str, list[AssetCounts]] = {}
        for r in mine:
            if r.layout:
                by_layout.setdefault(r.layout, []).append(counts[r.asset_id])
        layout = analyse("layout", by_layout, chosen, seed_for(campaign.slug, concept.id, "layout", chosen.name),
                         thresholds=thresholds, win_probability=win_probability, draws=DRAWS)
        if layout is not None and concept.layouts:
            listed = list(concept.layouts)
            drop = {i for i, name in enumerate(listed) if name in losers(layout, drop_below, thresholds)}
            if len(drop) == len(listed):
                drop = {i for i in drop if listed[i] != layout.leader} or set(range(1, len(listed)))
            lead = listed.index(layout.winner) if layout.winner in listed else None
            best = layout.get(layout.leader)
            for i in sorted(drop):
                v = layout.get(listed[i])
                if v is not None:
                    result.changes.append(Change("drop_layout", f"concepts[{concept.id}].layouts",
                                                 f"dropped layout '{listed[i]}' of concept '{concept.id}'",
                                                 _evidence(chosen.name, v, best)))
            if layout.winner is not None and best is not None:
                won_anything = True
                result.changes.append(Change("lead_layout", f"concepts[{concept.id}].layouts",
                                             f"layout '{layout.winner}' won for concept '{concept.id}'"
                                             + (" and leads its list" if lead is not None else ""),
                                             _evidence(chosen.name, best)))
            if drop or (lead is not None and lead != 0):
                _reorder(node["layouts"], drop, lead)
        elif layout is not None and layout.winner is not None:
            best = layout.get(layout.winner)
            assert best is not None
            result.changes.append(Change("note", "", f"layout '{layout.winner}' won for concept '{concept.id}', "
                                         "whose layouts the composer picks per format (the brief lists none)",
                                         _evidence(chosen.name, best)))
        # 3b. Headline and CTA templates
        for field_name in COPY_FIELDS:
            keys = template_keys(concept, spec.segments, field_name)
            by_key: dict[str, list[AssetCounts]] = {}
            unmatched: set[str] = set()
            for r in mine:
                text = r.value(field_name)
                if text is None:
                    continue
                key = keys.get((r.segment, text))
                if key is None:
                    unmatched.add(text)
                    continue
                by_key.setdefault(key, []).append(counts[r.asset_id])
            if unmatched:
                result.warnings.append(f"concept '{concept.id}': {len(unmatched)} {field_name} text(s) come from no "
                                       "template of the brief (an engine wrote them); they are not edited")
            for translation in sorted({k.split(":")[0] for k in by_key}):
                group = {k: v for k, v in by_key.items() if k.split(":")[0] == translation}
                insight = analyse(field_name, group, chosen,
                                  seed_for(campaign.slug, concept.id, field_name, translation, chosen.name),
                                  thresholds=thresholds, win_probability=win_probability, draws=DRAWS)
                if insight is None:
                    continue
                seq = _copy_node(node, translation, field_name)
                listed = list(seq)
                drop = {int(k.split(":")[1]) for k in losers(insight, drop_below, thresholds)}
                drop = {i for i in drop if i < len(listed)}
                if len(drop) >= len(listed):
                    drop = set()
                lead = int(insight.winner.split(":")[1]) if insight.winner else None
                where = (f"concepts[{concept.id}]." + (f"translations.{translation}." if translation else "copy.")
                         + field_name)
                best = insight.get(insight.leader)
                for i in sorted(drop):
                    v = insight.get(f"{translation}:{i}")
                    assert v is not None
                    result.changes.append(Change("drop_copy", where, f"dropped {field_name} '{listed[i]}'",
                                                 _evidence(chosen.name, v, best)))
                if lead is not None and best is not None:
                    won_anything = True
                    result.changes.append(Change("lead_copy", where, f"{field_name} '{listed[lead]}' won"
                                                 + (" and leads its list" if lead != 0 else ""),
                                                 _evidence(chosen.name, best)))
                if drop or (lead is not None and lead != 0):
                    _reorder(seq, drop, lead)

    # 4. Drop the losing concepts (after the per-concept edits, which index the original list)
    for index in sorted((i for i, c in enumerate(spec.concepts) if c.id in dropped_concepts), reverse=True):
        del data["concepts"][index]
    motion_concepts = (data.get("motion") or {}).get("concepts")
    if motion_concepts:  # a dropped concept gets no videos either
        for index in sorted((i for i, cid in enumerate(motion_concepts) if cid in dropped_concepts), reverse=True):
            del motion_concepts[index]
        if not motion_concepts:  # every concept with videos lost: no motion formats (empty would mean all)
            from assetline.spec.formats import get_format

            data["formats"] = [f for f in data["formats"] if (fmt := get_format(f)) is None or fmt.video is None]

    # 5. More variants around the winners
    if won_anything and add_variant and spec.variants < 100:
        data["variants"] = spec.variants + 1
        result.changes.append(Change("variants", "variants", f"variants {spec.variants} → {spec.variants + 1}",
                                     "one more variant per cell, to explore around the winners"))

    # 6. Attributes the brief does not edit: reported
    for w in insights.winners():
        if w.segment is None and w.attribute in ("style", "palette", "engine"):
            result.changes.append(Change("note", "", f"{w.attribute} '{w.value}' won over all segments (not "
                                         "edited: set it in the concepts' visual direction or the brand kit)",
                                         f"P(best) {_probability(w.p_best)}"))

    # 7. New id, paths relative to the new file, header
    data["id"] = new_id
    data["name"] = _ROUND_NAME.sub("", str(spec.name)) + f" — round {number}"
    result.changes.insert(0, Change("new_id", "id", f"id {spec.id} → {new_id}", ""))
    old_dir, new_dir = spec_path.parent.resolve(), out.parent.resolve()
    data["brand"] = _rebase(str(data["brand"]), old_dir, new_dir)
    settings = (data.get("engines") or {}).get("settings") or {}
    for engine_id, block in settings.items():
        for key in _path_fields(str(engine_id)):
            if isinstance(block, dict) and key in block:
                block[key] = _rebase(block[key], old_dir, new_dir)
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    text = header(result, insights, spec_path) + buffer.getvalue()
    try:
        write_atomically(out, text)
    except SpecError as exc:  # a bug: the edits produced a brief the loader refuses
        raise AssetlineError(f"the next-round brief did not load: {exc.message}",
                             hint="report this; the original brief is unchanged") from exc
    return result


def header(result: NextRound, insights: Insights, source: Path) -> str:
    lines = [f"Next round {result.round} of campaign '{result.campaign}', written by `assetline next-round` from",
             f"{source} and the {insights.metric_label.lower()} of {insights.assets_with_data} assets with data.",
             "Edit it (add variations of the winning copy next to it), then run it: assetline run <this file>.",
             "Changes:"]
    for c in result.changes:
        lines.append(f"  - {c.detail}" + (f" [{c.evidence}]" if c.evidence else ""))
    if len(result.changes) == 1:
        lines.append("  (no other change: the data does not yet say which options win or lose)")
    for w in result.warnings:
        lines.append(f"  ! {w}")
    return "".join(f"# {line}\n" for line in lines) + "#\n"
