"""The board's filters and paging, read from the query string and written back into links.

Empty values mean "any" (the filter form sends ``status=`` for "All"). Values the campaign does not have are
refused with a clear message rather than silently showing an empty board.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Annotated, Any

from fastapi import Depends, Query

from assetline.errors import InvalidRequestError
from assetline.review.lifecycle import STATUSES
from assetline.review.service import MAX_PAGE, BoardFilter

FILTER_NAMES = ("status", "concept", "segment", "format", "qc_flag")
PER_PAGE = 60
ANY_FLAG = "*"


@dataclass(frozen=True)
class BoardQuery:
    status: str | None = None
    concept: str | None = None
    segment: str | None = None
    format: str | None = None
    qc_flag: str | None = None
    page: int = 1
    per_page: int = PER_PAGE

    @property
    def filters(self) -> BoardFilter:
        return BoardFilter(self.status, self.concept, self.segment, self.format, self.qc_flag)

    @property
    def active(self) -> bool:
        return any(getattr(self, name) for name in FILTER_NAMES)

    def params(self, page: bool = True) -> dict[str, Any]:
        """Non-default values, for links (``query(params, page=3)``)."""
        values = {k: v for k, v in asdict(self).items() if k in FILTER_NAMES and v}
        if page and self.page != 1:
            values["page"] = self.page
        if self.per_page != PER_PAGE:
            values["per_page"] = self.per_page
        return values

    def check(self, facets: dict[str, list[str]]) -> None:
        """Refuse values this campaign does not have (a typo in a URL, a filter from another campaign)."""
        if self.status and self.status not in STATUSES:
            raise InvalidRequestError(f"unknown status '{self.status}'", hint=f"use one of: {', '.join(STATUSES)}")
        for name in ("concept", "segment", "format"):
            value = getattr(self, name)
            if value and value not in facets.get(name, []):
                known = ", ".join(facets.get(name, [])) or "none"
                raise InvalidRequestError(f"this campaign has no {name} '{value}'", hint=f"it has: {known}")
        if self.qc_flag and self.qc_flag != ANY_FLAG and self.qc_flag not in facets.get("qc_flag", []):
            known = ", ".join(facets.get("qc_flag", [])) or "no flags at all"
            raise InvalidRequestError(f"no asset of this campaign is flagged by '{self.qc_flag}'",
                                      hint=f"flags in this campaign: {known}")


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def board_query(
    status: Annotated[str | None, Query(max_length=64)] = None,
    concept: Annotated[str | None, Query(max_length=64)] = None,
    segment: Annotated[str | None, Query(max_length=64)] = None,
    format: Annotated[str | None, Query(max_length=64)] = None,
    qc_flag: Annotated[str | None, Query(max_length=100)] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = PER_PAGE,
) -> BoardQuery:
    return BoardQuery(_clean(status), _clean(concept), _clean(segment), _clean(format), _clean(qc_flag), page,
                      per_page)


BoardQueryDep = Annotated[BoardQuery, Depends(board_query)]


def query_from(values: Mapping[str, str | None], page: int = 1) -> BoardQuery:
    """The board view named by posted hidden fields (bulk and decision forms carry the view they came from)."""
    return BoardQuery(status=_clean(values.get("status")), concept=_clean(values.get("concept")),
                      segment=_clean(values.get("segment")), format=_clean(values.get("format")),
                      qc_flag=_clean(values.get("qc_flag")), page=max(1, page))
