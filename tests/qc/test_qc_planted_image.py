"""Planted image defects: recall and false-flag rate of the image checks (see planted.py).

Run with ``-s`` to see the per-case table and the numbers.
"""

from __future__ import annotations

import time

from planted import brand, cases

from assetline.qc.base import CheckContext
from assetline.qc.checks.channel import ChannelSpecCheck
from assetline.qc.checks.contrast import ContrastCheck
from assetline.qc.checks.logo import LogoCheck
from assetline.qc.checks.palette import PaletteCheck
from assetline.qc.checks.safety import NudityCheck
from assetline.qc.registry import CheckRegistry
from assetline.qc.standalone import logo_templates


def test_planted_image_defects() -> None:
    reg = CheckRegistry()
    for cls in (PaletteCheck, ContrastCheck, LogoCheck, ChannelSpecCheck, NudityCheck):
        reg.add(cls)
    ctx = CheckContext(resources={"logo_templates": logo_templates(brand())})
    all_cases = cases()
    assert len(all_cases) >= 60
    hits, misses, false_flags, clean = 0, [], [], 0
    per_class: dict[str, list[bool]] = {}
    for case in all_cases:
        asset = case.build()
        start = time.perf_counter()
        results = {r.check_id: r for r in reg.run_asset(asset, ctx)}
        ms = (time.perf_counter() - start) * 1000
        flagged = sorted(k for k, r in results.items() if r.status in ("warn", "fail"))
        if case.target is None:
            clean += 1
            if flagged:
                false_flags.append((case.name, [results[k].message for k in flagged]))
            print(f"{'FALSE FLAG' if flagged else 'clean ok':10s} {case.name:44s} {ms:6.0f} ms {flagged}")
        else:
            ok = results[case.target].status in ("warn", "fail")
            per_class.setdefault(case.target, []).append(ok)
            hits += ok
            if not ok:
                misses.append((case.name, results[case.target].message))
            print(
                f"{'caught' if ok else 'MISSED':10s} {case.name:44s} {ms:6.0f} ms "
                f"{results[case.target].message}"
            )
    defects = hits + len(misses)
    recall, false_rate = hits / defects, len(false_flags) / clean
    for target, oks in sorted(per_class.items()):
        print(f"recall {target:14s} {sum(oks)}/{len(oks)}")
    print(
        f"image checks: {defects} planted defects, recall {recall:.3f}; {clean} clean assets, "
        f"false-flag rate {false_rate:.3f}"
    )
    assert recall >= 0.95, misses
    assert false_rate <= 0.05, false_flags
