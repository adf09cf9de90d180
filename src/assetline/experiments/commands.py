"""What the CLI's `assetline experiments …` commands do, on one store transaction each (the CLI stays thin)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from assetline.errors import InvalidRequestError
from assetline.experiments import manage
from assetline.experiments.results import experiment_report


def spec_from(values: dict[str, Any]) -> manage.ExperimentSpec:
    """An ExperimentSpec from CLI values; pydantic's complaints become one InvalidRequestError."""
    try:
        return manage.ExperimentSpec.model_validate({k: v for k, v in values.items() if v is not None})
    except ValidationError as exc:
        parts = [f"{'.'.join(str(p) for p in e['loc']) or 'experiment'}: {e['msg']}" for e in exc.errors()]
        raise InvalidRequestError("; ".join(parts), hint="see `assetline experiments create --help`") from None


def parse_cap(text: str | None) -> dict[str, int] | None:
    """'3/86400' → {max_impressions: 3, per_seconds: 86400}."""
    if text is None:
        return None
    try:
        count, seconds = (int(p) for p in text.split("/"))
    except ValueError:
        raise InvalidRequestError(f"--cap must look like IMPRESSIONS/SECONDS (e.g. 3/86400), not {text!r}") from None
    return {"max_impressions": count, "per_seconds": seconds}


def parse_arms(text: str | None) -> list[int] | None:
    if text is None:
        return None
    try:
        return [int(p) for p in text.split(",") if p.strip()]
    except ValueError:
        raise InvalidRequestError(f"--arms must be asset ids separated by commas (e.g. 5,6,7), not {text!r}") from None


def create(session: Session, tenant_id: str, campaign: str, values: dict[str, Any], actor: str) -> dict[str, Any]:
    experiment = manage.create_experiment(session, tenant_id, campaign, spec_from(values), actor=actor)
    return manage.experiment_dict(session, experiment, campaign)


def listing(session: Session, tenant_id: str, campaign: str) -> list[dict[str, Any]]:
    return [manage.experiment_dict(session, e, campaign) for e in manage.list_experiments(session, tenant_id, campaign)]


def results(session: Session, tenant_id: str, campaign: str, slug: str) -> dict[str, Any]:
    return experiment_report(session, tenant_id, manage.get_experiment(session, tenant_id, campaign, slug))


def set_status(session: Session, tenant_id: str, campaign: str, slug: str, status: str) -> dict[str, Any]:
    return manage.experiment_dict(session, manage.set_status(session, tenant_id, campaign, slug, status), campaign)
