"""Render time per asset by format and layout for the built-in engines.

    .venv/bin/python -m bench --only compose [--quick]

For every layout × format: the copy engine, the visual engine, the composer and the channel encoder are
timed separately (median of a few repetitions, ms), with requests built as the runner's worker builds
them (see bench/_fixture.py). Full: every format in the catalogue; --quick: the 8 demo formats plus 3.
"""

from __future__ import annotations

import statistics
from typing import Any

from assetline.run.encode import encode_for_channel
from assetline.spec.campaign import LAYOUTS
from bench._common import median_ms, show
from bench._fixture import LAYOUT_CONCEPT, DemoFixture, formats_for
from bench._fixture import RUNNER_BACKGROUND_META as PASS_META

NAME = "compose"
STAGES = ("copy", "visual", "compose", "encode")


def run(quick: bool = False) -> dict[str, Any]:
    fx = DemoFixture.load()
    formats = formats_for(quick)
    reps = 2 if quick else 3
    segment = next(s for s in fx.loaded.campaign.segments if s.language == "en")
    output = fx.loaded.campaign.output

    # Warm caches (fonts, logos, photos) once so the first cell is not charged for them.
    fx.render(fx.concepts["morning-launch"], segment, formats[0], 0, "hero")

    rows: list[dict[str, Any]] = []
    for fmt in formats:
        for layout in LAYOUTS:
            concept = fx.concepts[LAYOUT_CONCEPT[layout]]
            key = f"{concept.id}/{segment.id}/{fmt.id}/v0"
            copy_ms, copy = median_ms(
                lambda c=concept, f=fmt: fx.copy_engine.generate(fx.copy_request(c, segment, f, 0)), reps)
            visual_ms, visual = median_ms(
                lambda c=concept, f=fmt: fx.visual_engine.generate(fx.visual_request(c, f, 0)), reps)
            meta = visual.metadata if PASS_META else {}
            compose_ms, result = median_ms(
                lambda f=fmt, cp=copy, v=visual, m=meta, lay=layout, k=key: fx.compose_engine.compose(
                    fx.compose_request(f, cp, v.image, m, lay, k)), reps)
            encode_ms, (data, media, _) = median_ms(
                lambda f=fmt, r=result: encode_for_channel(r.image, f, output), reps)
            rows.append({"format": fmt.id, "size": f"{fmt.width}x{fmt.height}", "layout": layout,
                         "concept": concept.id, "copy_ms": round(copy_ms, 3),
                         "visual_ms": round(visual_ms, 2),
                         "compose_ms": round(compose_ms, 2), "encode_ms": round(encode_ms, 2),
                         "total_ms": round(copy_ms + visual_ms + compose_ms + encode_ms, 2),
                         "bytes": len(data), "media_type": media, "warnings": list(result.warnings)})

    # Tables: total per format × layout, then per stage by format.
    by = {(r["format"], r["layout"]): r for r in rows}
    show(f"Compose: total ms per asset (copy+visual+compose+encode, median of {reps}) by format × layout",
         ["format", "size", *LAYOUTS, "mean"],
         [[f.id, f"{f.width}x{f.height}", *(by[(f.id, lay)]["total_ms"] for lay in LAYOUTS),
           statistics.mean(by[(f.id, lay)]["total_ms"] for lay in LAYOUTS)] for f in formats])
    show("Compose: composer-only ms by format × layout",
         ["format", *LAYOUTS],
         [[f.id, *(by[(f.id, lay)]["compose_ms"] for lay in LAYOUTS)] for f in formats])
    stage_by_format = [[f.id, *(statistics.mean(by[(f.id, lay)][f"{s}_ms"] for lay in LAYOUTS)
                                for s in STAGES)] for f in formats]
    show("Compose: mean ms per stage by format (over layouts)", ["format", *STAGES], stage_by_format, 2)
    stage_by_layout = [[lay, *(statistics.mean(by[(f.id, lay)][f"{s}_ms"] for f in formats) for s in STAGES)]
                       for lay in LAYOUTS]
    show("Compose: mean ms per stage by layout (over formats)", ["layout", *STAGES], stage_by_layout, 2)

    stage_mean = {s: round(statistics.mean(r[f"{s}_ms"] for r in rows), 2) for s in STAGES}
    slowest = max(rows, key=lambda r: r["total_ms"])
    summary = {"combinations": len(rows), "formats": len(formats), "layouts": len(LAYOUTS),
               "repetitions": reps,
               "mean_ms_per_asset": round(statistics.mean(r["total_ms"] for r in rows), 1),
               "median_ms_per_asset": round(statistics.median(r["total_ms"] for r in rows), 1),
               "mean_ms_by_stage": stage_mean,
               "slowest": {k: slowest[k]
                           for k in ("format", "layout", "total_ms", "compose_ms", "visual_ms")}}
    show("Compose: summary", ["stage", "mean ms"], [[s, v] for s, v in stage_mean.items()], 2)
    print(f"mean {summary['mean_ms_per_asset']} ms/asset over {len(rows)} format×layout pairs; slowest "
          f"{slowest['format']} × {slowest['layout']} at {slowest['total_ms']} ms\n", flush=True)
    return {"summary": summary, "rows": rows,
            "notes": ["segment: " + segment.id, "background_meta passed to composer: " + str(PASS_META),
                      "visual image handed to the composer in memory (the runner round-trips it through a "
                      "PNG blob; that cost is not included)"]}
