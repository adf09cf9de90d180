"""Loading plugin classes from an entry-point group (shared by the engine and check registries).

Extension points (each a group in a package's pyproject.toml, name = the class's ``id``):
    assetline.engines   engine classes (engines/base.py protocols)
    assetline.checks    QC check classes (qc/base.py protocols)
"""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Any

from assetline.errors import AssetlineError


def load_plugins(group: str, kind: str, error: type[AssetlineError]) -> list[tuple[str, type[Any]]]:
    """(entry-point name, loaded class) for every plugin in ``group``; a plugin that fails to import
    raises ``error`` naming it (a broken plugin must say so, not vanish)."""
    found = []
    for ep in entry_points(group=group):
        try:
            found.append((ep.name, ep.load()))
        except Exception as exc:
            raise error(f"{kind} plugin '{ep.name}' ({ep.value}) failed to import: {exc}",
                        hint="fix or uninstall the package that provides it") from exc
    return found
