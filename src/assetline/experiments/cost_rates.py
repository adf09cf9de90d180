"""Cost rates: what a CPU-second, an engine call and a reviewer hour cost, read from TOML (see docs/cost.md).

The rates live in the workspace's ``assetline.toml`` under ``[cost]`` (``Settings`` ignores that section), or
in a separate file given with ``--rates FILE.toml`` (the same ``[cost]`` table, or its keys at the top level).
A rates file replaces the workspace's rates; it is not merged with them::

    [cost]
    currency = "EUR"
    compute_per_second = 0.0001        # every step's measured seconds
    reviewer_per_hour = 45.0
    max_review_minutes = 60            # one decision never counts for more than this

    [cost.engines."llm.openai"]
    per_call = 0.002
    per_second = 0.0

Unknown keys, negative or non-finite numbers and non-numbers are refused with the key's path in the message
(``CostRatesError``, an ``InvalidRequestError``: the CLI exits 2, the API answers 422).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assetline.config import WORKSPACE_FILE
from assetline.errors import InvalidRequestError

COST_SECTION = "cost"
DEFAULT_MAX_REVIEW_MINUTES = 60.0
"""One decision counts for at most this many review minutes: a queue left overnight is not an hour of work."""

Rate = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class CostRatesError(InvalidRequestError):
    """The rates file (or the workspace's [cost] section) is not valid."""


class EngineRate(BaseModel):
    """What one engine costs: a price per call (per artifact it made) and per second it ran."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    per_call: Rate = 0.0
    per_second: Rate = 0.0


class CostRates(BaseModel):
    """Every rate of the cost report; all default to 0 (the report then shows time, not money)."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. USD, EUR.")
    compute_per_second: Rate = Field(default=0.0, description="Per second of measured step time (any engine).")
    reviewer_per_hour: Rate = Field(default=0.0, description="Per hour of review time.")
    max_review_minutes: Annotated[float, Field(gt=0, le=24 * 60, allow_inf_nan=False)] = DEFAULT_MAX_REVIEW_MINUTES
    engines: dict[str, EngineRate] = Field(default_factory=dict, description="Engine id → its rates.")

    def engine(self, engine_id: str) -> EngineRate:
        """The rates of ``engine_id`` (free when the rates do not name it)."""
        return self.engines.get(engine_id) or EngineRate()


def _location(loc: tuple[int | str, ...]) -> str:
    parts = [f'"{p}"' if isinstance(p, str) and not p.isidentifier() else str(p) for p in loc]
    return ".".join(parts)


def rates_from_table(table: Any, source: str) -> CostRates:
    """Validate a ``[cost]`` table; ``source`` names where it came from in the error message."""
    if not isinstance(table, dict):
        raise CostRatesError(f"{source}: [{COST_SECTION}] must be a table, not {type(table).__name__}",
                             hint="see docs/cost.md for the format")
    try:
        return CostRates.model_validate(table)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = _location(tuple(first["loc"]))
        what = "unknown key" if first["type"] == "extra_forbidden" else first["msg"].lower()
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise CostRatesError(f"{source}: [{COST_SECTION}] {where}: {what}{more}",
                             hint="rates are numbers ≥ 0; keys: currency, compute_per_second, reviewer_per_hour, "
                                  "max_review_minutes, engines.<id>.per_call, engines.<id>.per_second") from None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CostRatesError(f"rates file {path} does not exist", hint="check the path given to --rates") from None
    except IsADirectoryError:
        raise CostRatesError(f"rates file {path} is a folder, not a TOML file") from None
    except UnicodeDecodeError:
        raise CostRatesError(f"rates file {path} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise CostRatesError(f"{path}: not valid TOML ({exc})", hint="fix the file; see docs/cost.md") from None


def load_rates_file(path: Path | str) -> CostRates:
    """Rates from a TOML file: its ``[cost]`` table, or (without one) its top-level keys."""
    file = Path(path)
    data = _read_toml(file)
    table = data.get(COST_SECTION, data)
    return rates_from_table(table, str(file))


def load_workspace_rates(workspace: Path | str) -> CostRates:
    """The ``[cost]`` section of the workspace's assetline.toml (defaults when there is none)."""
    file = Path(workspace) / WORKSPACE_FILE
    if not file.is_file():
        return CostRates()
    data = _read_toml(file)
    return rates_from_table(data.get(COST_SECTION, {}), str(file))


def load_rates(workspace: Path | str, rates_file: Path | str | None = None) -> CostRates:
    """``rates_file`` when given, else the workspace's ``[cost]`` section."""
    return load_rates_file(rates_file) if rates_file is not None else load_workspace_rates(workspace)
