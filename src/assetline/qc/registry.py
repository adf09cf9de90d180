"""Check discovery through the ``assetline.checks`` entry-point group.

Built-in checks are declared in Assetline's own pyproject.toml under the same group, so they are found
the same way as third-party checks. A registry is an explicit object (no module globals): build one
with ``CheckRegistry.discover()`` or pass check classes in directly (tests, notebooks).

A check class has ``id``, ``version`` and ``description`` class attributes and either
``run(asset, context) -> CheckResult`` (per asset, see ``qc.base.Check``) or
``run_batch(assets, context) -> list[CheckResult]`` (``qc.base.BatchCheck``). Its entry-point name must
equal its ``id``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from assetline.errors import CheckError
from assetline.plugins import load_plugins
from assetline.qc.base import AssetUnderCheck, BatchCheck, Check, CheckContext, CheckResult

GROUP = "assetline.checks"


@dataclass
class CheckRegistry:
    classes: dict[str, type[Any]] = field(default_factory=dict)
    _instances: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def discover(cls, extra: Iterable[type[Any]] = ()) -> CheckRegistry:
        """Every check advertised in the entry-point group, plus ``extra`` classes."""
        reg = cls()
        for name, check_cls in load_plugins(GROUP, "check", CheckError):
            reg.add(check_cls, name=name)
        for check_cls in extra:
            reg.add(check_cls)
        return reg

    def add(self, check_cls: type[Any], name: str | None = None) -> None:
        for attr in ("id", "version", "description"):
            if not hasattr(check_cls, attr):
                raise CheckError(f"check class {check_cls.__qualname__} has no '{attr}' attribute")
        if not (callable(getattr(check_cls, "run", None)) or callable(getattr(check_cls, "run_batch", None))):
            raise CheckError(f"check class {check_cls.__qualname__} has neither run() nor run_batch()")
        check_id = name or check_cls.id
        if check_id != check_cls.id:
            raise CheckError(
                f"entry point '{check_id}' names a class whose id is '{check_cls.id}'",
                hint="make the entry-point name equal to the check's id",
            )
        self.classes[check_id] = check_cls
        self._instances.pop(check_id, None)

    def get(self, check_id: str) -> Any:
        """A (cached) instance of check ``check_id``."""
        if check_id not in self.classes:
            known = ", ".join(sorted(self.classes)) or "(none)"
            raise CheckError(f"unknown check '{check_id}'", hint=f"installed checks: {known}")
        if check_id not in self._instances:
            self._instances[check_id] = self.classes[check_id]()
        return self._instances[check_id]

    def per_asset(self, only: Iterable[str] | None = None) -> list[Check]:
        """Instances of the per-asset checks (all, or those named in ``only``), sorted by id."""
        ids = sorted(self.classes) if only is None else list(only)
        return [c for c in (self.get(i) for i in ids) if isinstance(c, Check)]

    def batch(self, only: Iterable[str] | None = None) -> list[BatchCheck]:
        ids = sorted(self.classes) if only is None else list(only)
        return [c for c in (self.get(i) for i in ids) if isinstance(c, BatchCheck)]

    def run_asset(
        self, asset: AssetUnderCheck, context: CheckContext, only: Iterable[str] | None = None
    ) -> list[CheckResult]:
        """Run the per-asset checks on one asset. A check that raises is a bug: CheckError names it."""
        results = []
        for check in self.per_asset(only):
            try:
                results.append(check.run(asset, context))
            except Exception as exc:
                raise CheckError(
                    f"check '{check.id}' crashed on asset {asset.asset_id or '(unnamed)'}: "
                    f"{type(exc).__name__}: {exc}"
                ) from exc
        return results

    def run_batch(
        self, assets: list[AssetUnderCheck], context: CheckContext, only: Iterable[str] | None = None
    ) -> list[list[CheckResult]]:
        """Run the batch checks; returns, per asset (in order), that asset's batch results."""
        per_asset: list[list[CheckResult]] = [[] for _ in assets]
        for check in self.batch(only):
            try:
                results = check.run_batch(assets, context)
            except Exception as exc:
                raise CheckError(f"batch check '{check.id}' crashed: {type(exc).__name__}: {exc}") from exc
            if len(results) != len(assets):
                raise CheckError(
                    f"batch check '{check.id}' returned {len(results)} results for {len(assets)} assets"
                )
            for bucket, result in zip(per_asset, results, strict=True):
                bucket.append(result)
        return per_asset

    def versions(self) -> dict[str, str]:
        """check id → version (both enter the QC step's content key)."""
        return {k: str(c.version) for k, c in sorted(self.classes.items())}

    def describe(self) -> list[dict[str, str]]:
        return [
            {
                "id": k,
                "version": str(c.version),
                "kind": "batch" if hasattr(c, "run_batch") else "asset",
                "description": str(c.description),
                "class": f"{c.__module__}.{c.__qualname__}",
            }
            for k, c in sorted(self.classes.items())
        ]
