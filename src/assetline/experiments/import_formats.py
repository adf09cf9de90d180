"""Read the CSV exports of ad platforms into plain rows: one :class:`ExportRow` per ad and reporting day.

    table = read_table(data, "meta-export.csv")          # decode, find the header, split cells
    fmt = detect_format(table.header)                    # "meta" | "google" | "generic"
    rows = parse_rows(table, fmt)                        # [ExportRow(line=2, ad="orbit-…_v1_r1", day=…), …]

Three layouts are understood (docs/events.md lists every accepted column name):

- **meta**: Ads Manager → Reports → Export table data (CSV). "Ad name", "Reporting starts"/"Reporting ends"
  (or "Day"), "Impressions", "Link clicks" (else "Clicks (all)"), "Purchases" / "Website purchases" (else
  "Results"), "Purchases conversion value" / "Website purchases conversion value". A row with an empty ad name
  is Meta's summary row and is skipped.
- **google**: Google Ads → Ads → Download → CSV. A title line ("Ad report") and a date-range line come before the
  header; "Day", "Ad name" (else "Headline 1"), "Impr.", "Clicks", "Conversions" (may be fractional), "Conv.
  value"; "--" means none; "Total: …" rows at the end are skipped.
- **generic**: ``asset_id`` or ``ad_name``, optional ``date``, and any of ``impressions``, ``clicks``,
  ``conversions``, ``value``.

Numbers may carry thousands separators ("12,345"); an empty cell or "--" is 0. Everything else wrong (a
negative or unreadable number, clicks above impressions, a missing column, an empty or binary file, more than
:data:`MAX_ROWS` rows) raises :class:`ImportInputError` naming ``file:line``.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from assetline.errors import InvalidRequestError
from assetline.experiments.ingest import MAX_COUNT

FORMATS = ("meta", "google", "generic")
MAX_ROWS = 200_000
"""Data rows per file (about a year of daily rows for 500 ads); split bigger exports by date range."""
MAX_BYTES = 64 * 1024 * 1024
HEADER_SEARCH = 10
"""The header must be among the first lines (Google puts a title and a date range above it)."""
METRICS = ("impressions", "clicks", "conversions", "value")


class ImportInputError(InvalidRequestError, ValueError):
    """A file that cannot be imported as it is (HTTP 422, CLI exit 2). Also a ``ValueError``."""


@dataclass(frozen=True)
class Layout:
    """Where one platform keeps each field: alternatives in order of preference (normalised header names)."""

    ad: tuple[str, ...]
    day: tuple[str, ...]
    day_end: tuple[str, ...]
    metrics: dict[str, tuple[str, ...]]
    blank_ad_is_summary: bool = False


LAYOUTS: dict[str, Layout] = {
    "meta": Layout(
        ad=("ad name",), day=("day", "reporting starts"), day_end=("reporting ends",),
        metrics={"impressions": ("impressions",), "clicks": ("link clicks", "clicks (all)"),
                 "conversions": ("purchases", "website purchases", "results"),
                 "value": ("purchases conversion value", "website purchases conversion value")},
        blank_ad_is_summary=True),
    "google": Layout(
        ad=("ad name", "headline 1"), day=("day", "date"), day_end=(),
        metrics={"impressions": ("impr.", "impressions"), "clicks": ("clicks",),
                 "conversions": ("conversions",), "value": ("conv. value", "conversion value")}),
    "generic": Layout(
        ad=("asset_id", "ad_name"), day=("date",), day_end=(),
        metrics={m: (m,) for m in METRICS}),
}
_META_MARKS = {"reporting starts", "reporting ends", "ad set name", "link clicks", "clicks (all)",
               "purchases conversion value", "website purchases conversion value"}
_GOOGLE_MARKS = {"impr.", "conv. value", "ad group", "currency code", "headline 1"}
_KNOWN = {n for lay in LAYOUTS.values() for names in (lay.ad, lay.day, *lay.metrics.values()) for n in names}
_NUMBER = re.compile(r"^(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")
_CURRENCY = "$€£¥₹"
_NONE = {"", "--", "-", "—"}


@dataclass(frozen=True)
class Table:
    """A decoded CSV: the header (normalised names) and its data rows, each with its 1-based line number."""

    label: str
    header: list[str]
    header_line: int
    rows: list[tuple[int, list[str]]]


@dataclass(frozen=True)
class ExportRow:
    """One data row of an export: which ad, which reporting day (ISO date, "start..end", or "" for none), and the
    numbers of the metric columns the file has (a missing column is absent, not 0)."""

    line: int
    ad: str
    day: str
    metrics: dict[str, Decimal]


def normalise(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").strip().lower().split())


# ---------------------------------------------------------------------------------------------- decoding
def decode(data: bytes, label: str) -> str:
    """UTF-8 (with or without BOM), else UTF-16 (Meta's and Google's "Excel" exports); anything else is refused."""
    if not data.strip():
        raise ImportInputError(f"{label}: the file is empty", hint="export the report again with some rows")
    if len(data) > MAX_BYTES:
        raise ImportInputError(f"{label}: {len(data) / 1024 / 1024:.0f} MB is over the {MAX_BYTES // 1024 // 1024} "
                               "MB limit", hint=f"split the export by date range (at most {MAX_ROWS:,} rows a file)")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings: tuple[str, ...] = ("utf-16",)
    elif len(data) >= 4 and data[1] == 0 and data[3] == 0:  # UTF-16-LE without a BOM: every other byte is 0
        encodings = ("utf-16-le",)
    else:
        encodings = ("utf-8-sig",)
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text
    raise ImportInputError(f"{label}: the file is not UTF-8 or UTF-16 text (is it a spreadsheet or a zip?)",
                           hint="export the report as CSV; in a spreadsheet, save as 'CSV UTF-8'")


def _delimiter(first_lines: list[str]) -> str:
    """The separator of the header: the one of , ; and tab that splits the busiest of the first lines most."""
    best, most = ",", 0
    for line in first_lines:
        for sep in (",", "\t", ";"):
            if line.count(sep) > most:
                best, most = sep, line.count(sep)
    return best


def read_table(data: bytes, label: str) -> Table:
    """Decode ``data`` and split it into the header row and the data rows below it."""
    text = decode(data, label)
    sep = _delimiter(text.splitlines()[:HEADER_SEARCH])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    header: list[str] | None = None
    header_line = 0
    rows: list[tuple[int, list[str]]] = []
    try:
        for cells in reader:
            if header is None:
                names = [normalise(c) for c in cells]
                if len(set(names) & _KNOWN) >= 2:
                    header, header_line = names, reader.line_num
                elif reader.line_num >= HEADER_SEARCH:
                    break
                continue
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise ImportInputError(f"{label}: more than {MAX_ROWS:,} data rows",
                                       hint="split the export by date range; nothing was stored")
            rows.append((reader.line_num, cells))
    except csv.Error as exc:
        raise ImportInputError(f"{label}:{reader.line_num}: unreadable CSV ({exc})",
                               hint="export the report again as CSV") from None
    if header is None:
        raise ImportInputError(f"{label}: no header row with known column names in the first {HEADER_SEARCH} lines",
                               hint="see docs/events.md for the columns of Meta, Google Ads and generic files")
    duplicated = sorted({n for n in header if n and header.count(n) > 1})
    if duplicated:
        raise ImportInputError(f"{label}:{header_line}: column {duplicated[0]!r} appears twice",
                               hint="remove the duplicate column")
    return Table(label, header, header_line, rows)


# ---------------------------------------------------------------------------------------------- formats
def detect_format(header: Sequence[str]) -> str:
    """Which platform wrote a header: "meta", "google" or "generic" (an :class:`ImportInputError` if none fits)."""
    names = {normalise(h) for h in header}
    if names & _META_MARKS:
        return "meta"
    if names & _GOOGLE_MARKS:
        return "google"
    if names & {"asset_id", "ad_name"} and names & set(METRICS):
        return "generic"
    raise ImportInputError("cannot tell which platform wrote this file from its header",
                           hint="pass --format meta|google|generic; docs/events.md lists the columns of each")


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    for name in names:
        if name in header:
            return header.index(name)
    return None


def number(cell: str, where: str, what: str, integer: bool = False) -> Decimal:
    """A count or amount, exactly: thousands separators allowed, empty or "--" is 0; negative or unreadable is
    refused."""
    text = cell.strip().replace("\u00a0", "").replace(" ", "")
    if text in _NONE:
        return Decimal(0)
    if text.startswith("-"):
        raise ImportInputError(f"{where}: {what} is negative ({cell.strip()!r})",
                               hint="counts and values must be 0 or more; nothing was stored")
    text = text.lstrip(_CURRENCY) if what == "value" else text
    if not _NUMBER.match(text):
        raise ImportInputError(f"{where}: {what} is not a number ({cell.strip()!r})",
                               hint="write numbers like 12345, 12,345 or 12345.67 (English format)")
    if len(text) > 24:
        raise ImportInputError(f"{where}: {what} is too large ({cell.strip()!r})", hint="check the cell")
    value = Decimal(text.replace(",", ""))
    if integer and value != value.to_integral_value():
        raise ImportInputError(f"{where}: {what} must be a whole number ({cell.strip()!r})",
                               hint="impressions and clicks are whole numbers; only conversions may be fractional")
    return value


_DATE_FORMATS = ("%Y-%m-%d", "%b %d, %Y", "%B %d, %Y", "%a, %b %d, %Y", "%A, %B %d, %Y")


def parse_day(cell: str, where: str) -> date:
    text = " ".join(cell.strip().split())
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ImportInputError(f"{where}: {cell.strip()!r} is not a date",
                           hint="dates must look like 2026-03-31 or Mar 31, 2026")


def _is_summary(cells: list[str], ad: str, layout: Layout) -> bool:
    first = next((c.strip() for c in cells if c.strip()), "")
    return first.lower().startswith("total") or (layout.blank_ad_is_summary and not ad)


def parse_rows(table: Table, fmt: str) -> tuple[list[ExportRow], int]:
    """The data rows of ``table`` read as ``fmt``, and how many summary (total) rows were skipped."""
    if fmt not in FORMATS:
        raise ImportInputError(f"unknown format {fmt!r}", hint=f"one of: auto, {', '.join(FORMATS)}")
    layout = LAYOUTS[fmt]
    header = table.header
    ad_col = _column(header, layout.ad)
    metric_cols = {m: c for m, names in layout.metrics.items() if (c := _column(header, names)) is not None}
    at = f"{table.label}:{table.header_line}"
    if ad_col is None:
        raise ImportInputError(f"{at}: no ad column for a {fmt} export (one of: {', '.join(layout.ad)})",
                               hint="add the column to the report and export it again")
    if not metric_cols:
        wanted = "; ".join(" or ".join(n) for n in layout.metrics.values())
        raise ImportInputError(f"{at}: no count column for a {fmt} export (any of: {wanted})",
                               hint="add the columns to the report and export it again")
    day_col, end_col = _column(header, layout.day), _column(header, layout.day_end)
    rows: list[ExportRow] = []
    summaries = 0
    for line, cells in table.rows:
        where = f"{table.label}:{line}"
        cells = cells + [""] * (len(header) - len(cells))
        ad = cells[ad_col].strip()
        if _is_summary(cells, ad, layout):
            summaries += 1
            continue
        if not ad:
            raise ImportInputError(f"{where}: the {header[ad_col]!r} cell is empty",
                                   hint="every row must name its ad (the delivered file name, or a<asset id>)")
        metrics = {m: number(cells[c], where, m, integer=m in ("impressions", "clicks"))
                   for m, c in metric_cols.items()}
        big = next((m for m, v in metrics.items() if m != "value" and v > MAX_COUNT), None)
        if big:
            raise ImportInputError(f"{where}: {metrics[big]:.0f} {big} in one row is over the limit of {MAX_COUNT:,}",
                                   hint="export the report by day so that each row holds less")
        if "impressions" in metrics and "clicks" in metrics and metrics["clicks"] > metrics["impressions"]:
            raise ImportInputError(f"{where}: {metrics['clicks']:.0f} clicks but only {metrics['impressions']:.0f} "
                                   "impressions", hint="a row cannot have more clicks than impressions")
        day = ""
        if day_col is not None and cells[day_col].strip():
            day = parse_day(cells[day_col], where).isoformat()
            if end_col is not None and cells[end_col].strip() and header[day_col] != "day":
                end = parse_day(cells[end_col], where).isoformat()
                if end < day:
                    raise ImportInputError(f"{where}: the reporting period ends ({end}) before it starts ({day})",
                                           hint="check the Reporting starts and Reporting ends cells")
                day = day if end == day else f"{day}..{end}"
        rows.append(ExportRow(line, ad, day, metrics))
    if not rows:
        raise ImportInputError(f"{table.label}: no data rows below the header (line {table.header_line})",
                               hint="export the report with at least one ad row")
    return rows, summaries
