"""Engine discovery through the ``assetline.engines`` entry-point group.

Built-ins are declared in Assetline's own pyproject.toml under the same group, so they are found the
same way as third-party engines. A registry is an explicit object (no module globals): build one with
``EngineRegistry.discover()`` or pass engines in directly (tests, notebooks).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from assetline.errors import EngineError
from assetline.plugins import load_plugins

GROUP = "assetline.engines"


@dataclass
class EngineRegistry:
    classes: dict[str, type[Any]] = field(default_factory=dict)
    _instances: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def discover(cls, extra: Iterable[type[Any]] = ()) -> EngineRegistry:
        """Every engine advertised in the entry-point group, plus ``extra`` classes."""
        reg = cls()
        for name, engine_cls in load_plugins(GROUP, "engine", EngineError):
            reg.add(engine_cls, name=name)
        for engine_cls in extra:
            reg.add(engine_cls)
        return reg

    def add(self, engine_cls: type[Any], name: str | None = None) -> None:
        for attr in ("id", "version", "modality"):
            if not hasattr(engine_cls, attr):
                raise EngineError(f"engine class {engine_cls.__qualname__} has no '{attr}' attribute")
        engine_id = name or engine_cls.id
        if engine_id != engine_cls.id:
            raise EngineError(f"entry point '{engine_id}' names a class whose id is '{engine_cls.id}'",
                              hint="make the entry-point name equal to the engine's id")
        self.classes[engine_id] = engine_cls

    def get(self, engine_id: str, modality: str | None = None) -> Any:
        """A (cached) instance of engine ``engine_id``; checks its modality when given."""
        if engine_id not in self.classes:
            known = ", ".join(sorted(self.classes)) or "(none)"
            raise EngineError(f"unknown engine '{engine_id}'", hint=f"installed engines: {known}")
        engine_cls = self.classes[engine_id]
        if modality is not None and engine_cls.modality != modality:
            raise EngineError(f"engine '{engine_id}' makes {engine_cls.modality}, not {modality}")
        if engine_id not in self._instances:
            self._instances[engine_id] = engine_cls()
        return self._instances[engine_id]

    def version(self, engine_id: str) -> str:
        return str(self.get(engine_id).version)

    def describe(self) -> list[dict[str, str]]:
        return [{"id": k, "version": str(c.version), "modality": str(c.modality),
                 "class": f"{c.__module__}.{c.__qualname__}"} for k, c in sorted(self.classes.items())]
