"""Run the benchmarks: ``python -m bench [--quick] [--only NAME ...] [--list]``."""

from __future__ import annotations

import argparse
import importlib
import json
import time
import traceback
from typing import Any

from bench._common import RESULTS, machine, write_json

BENCHMARKS = {"compose": "bench.bench_compose", "qc": "bench.bench_qc", "qc_text": "bench.bench_qc_text",
              "board": "bench.bench_board", "provenance": "bench.bench_provenance",
              "diffusion": "bench.bench_diffusion", "dco": "bench.bench_dco", "motion": "bench.bench_motion",
              "runner": "bench.bench_runner"}
"""Name → module, in the order they run (the runner, the longest, last)."""


def previous(names: list[str]) -> dict[str, Any]:
    """Entries of an earlier summary.json for benchmarks not run now (so --only updates, not erases)."""
    try:
        old = json.loads((RESULTS / "summary.json").read_text(encoding="utf-8"))["benchmarks"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return {k: v for k, v in old.items() if k in BENCHMARKS and k not in names}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    ap.add_argument("--only", action="append", choices=sorted(BENCHMARKS), metavar="NAME",
                    help=f"run only this benchmark (repeatable): {', '.join(BENCHMARKS)}")
    ap.add_argument("--quick", action="store_true", help="smaller sizes (a smoke run, not figures to quote)")
    ap.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = ap.parse_args(argv)
    if args.list:
        for name, module in BENCHMARKS.items():
            doc = (importlib.import_module(module).__doc__ or "").strip().splitlines()[0]
            print(f"{name:10} {doc}")
        return 0

    names = args.only or list(BENCHMARKS)
    info = machine()
    print(f"Assetline benchmarks ({'quick' if args.quick else 'full'}): {', '.join(names)}\n"
          f"machine: {info['cpu_count']} CPUs, load {info.get('load_average')}, Python {info['python']}, "
          f"{info['platform']}\n", flush=True)
    summary: dict[str, Any] = {"machine": info, "quick": args.quick, "benchmarks": previous(names)}
    failed = []
    for name in names:
        print(f"=== {name} ===", flush=True)
        start = time.perf_counter()
        try:
            result = importlib.import_module(BENCHMARKS[name]).run(quick=args.quick)
        except Exception:
            traceback.print_exc()
            failed.append(name)
            summary["benchmarks"][name] = {"error": traceback.format_exc(limit=3)}
            continue
        seconds = round(time.perf_counter() - start, 1)
        payload = {"benchmark": name, "quick": args.quick, "seconds": seconds, "machine": info, **result}
        path = write_json(name, payload)
        summary["benchmarks"][name] = {"quick": args.quick, "seconds": seconds, "date": info["date"],
                                       **result.get("summary", {})}
        print(f"[{name}: {seconds} s, wrote {path}]\n", flush=True)
    path = write_json("summary", summary)
    print(f"wrote {path}" + (f"; FAILED: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
