"""Assetline benchmarks: ``make bench`` (or ``.venv/bin/python -m bench [--quick] [--only NAME ...]``).

Each module ``bench_<name>.py`` has ``NAME`` and ``run(quick) -> dict`` (a ``summary`` plus detail); it
prints its own tables. ``bench/__main__.py`` runs them, adds the machine's facts and writes
``bench/results/<name>.json`` and ``bench/results/summary.json`` (the folder is git-ignored).

    runner    1,000-cell campaign: cold run, no-op re-run, one headline edited
    compose   copy / visual / compose / encode ms per asset by format × layout
    qc        every QC gate over 1,000 composed assets, per check id
    qc_text   copy-rule, bias, pHash and pHash-index micro-benchmarks
"""
