"""CSV imports of platform exports (experiments/imports.py, import_formats.py) against a delivered workspace.

The fixture files under data/ name real delivered assets of ``delivered_base`` by their delivered file names
(asset ids are those of the workspace: 5–8 and 13–16 are acme's meta-feed ads, 1–4 and 9–12 its IAB ads,
17–18 globex's). Expected numbers are summed by hand from the files.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from assetline.errors import AssetlineError, ConflictError, InvalidRequestError, NotFoundError
from assetline.experiments.import_formats import MAX_ROWS, detect_format, read_table
from assetline.experiments.imports import ImportResult, event_id, import_csv
from assetline.store.db import Database
from assetline.store.models import PerformanceEvent
from assetline.store.performance import AssetCounts, PerformanceRepository
from reviewkit import ReviewWorkspace

DATA = Path(__file__).parent / "data"
META, GOOGLE, GENERIC = DATA / "meta_ads_export.csv", DATA / "google_ads_ad_report.csv", DATA / "generic_events.csv"
SLUG = "acme-launch"
PREFIX = "orbit-coffee_acme-launch_"

# asset id → (impressions, clicks, conversions, value), summed by hand from the files.
META_SUMS = {5: (27_500, 512, 8, 199.60), 6: (22_479, 358, 1, 24.95), 7: (8_115, 96, 0, 0.0),
             16: (18_874, 261, 5, 1_199.60)}
GOOGLE_SUMS = {1: (41_640, 183, 4, 99.81),   # 1.50 → 2 and 2.50 → 2 (half to even)
               2: (36_731, 131, 4, 99.81),   # 0.50 → 0 (its 12.48 kept) and 3.50 → 4
               9: (37_452, 134, 1, 24.95)}   # "--" is 0
GENERIC_SUMS = {3: (10_100, 82, 3, 29.85), 4: (4_800, 35, 0, 0.0), 11: (3_000, 10, 1, 9.95)}


class Store:
    def __init__(self, ws: ReviewWorkspace) -> None:
        self.db = Database(ws.settings().db_url)

    def run(self, source: Path | bytes, tenant: str = "acme", slug: str = SLUG, **kw: Any) -> ImportResult:
        with self.db.session() as s:
            return import_csv(s, tenant, slug, source, **kw)

    def counts(self, tenant: str = "acme") -> dict[int, AssetCounts]:
        with self.db.session() as s:
            return PerformanceRepository(s, tenant).counts()

    def events(self) -> int:
        with self.db.session() as s:
            return s.scalar(select(func.count()).select_from(PerformanceEvent)) or 0


def sums(counts: dict[int, AssetCounts]) -> dict[int, tuple[int, int, int, float]]:
    return {a: (c.impressions, c.clicks, c.conversions, round(c.value_sum, 6)) for a, c in counts.items()}


@pytest.fixture
def store(delivered_base: ReviewWorkspace, tmp_path: Path) -> Iterator[Store]:
    st = Store(delivered_base.copy_to(tmp_path / "ws"))
    yield st
    st.db.dispose()


@pytest.fixture(scope="module")
def shared(delivered_base: ReviewWorkspace, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One copy for the tests that must store nothing (each checks that against its own before)."""
    st = Store(delivered_base.copy_to(tmp_path_factory.mktemp("imports") / "ws"))
    st.run(GENERIC)  # some counts already there, so "unchanged" means something
    yield st
    st.db.dispose()


# ------------------------------------------------------------------------------------------ happy paths
@pytest.mark.parametrize(("path", "fmt", "expected", "rows", "summaries"), [
    (META, "meta", META_SUMS, 8, 1),
    (GOOGLE, "google", GOOGLE_SUMS, 6, 2),
    (GENERIC, "generic", GENERIC_SUMS, 4, 0),
], ids=["meta", "google", "generic"])
def test_counts_after_import_equal_the_files_sums(store: Store, path: Path, fmt: str,
                                                  expected: dict[int, tuple[int, int, int, float]], rows: int,
                                                  summaries: int) -> None:
    result = store.run(path)
    assert result.format == fmt and result.rows == rows and result.summary_rows == summaries
    assert sums(store.counts()) == expected
    assert {a.asset_id: (a.impressions, a.clicks, a.conversions, round(a.value, 6))
            for a in result.assets} == expected
    assert result.accepted == result.events == store.events() and result.duplicates == 0
    assert store.counts("globex") == {}


def test_value_sum_squares_spread_the_value_over_the_conversions(store: Store) -> None:
    store.run(GOOGLE)
    # asset 2: day 1 value 12.48 over max(0, 1) = 1 conversion, day 2 value 87.33 over 4 conversions.
    assert store.counts()[2].value_sum_squares == pytest.approx(12.48 ** 2 + 87.33 ** 2 / 4)


def test_importing_the_same_file_twice_stores_nothing_the_second_time(store: Store) -> None:
    first = store.run(META)
    stored, counts = store.events(), store.counts()
    again = store.run(META, fmt="meta")
    assert again.accepted == 0 and again.duplicates == again.events == first.events
    assert store.events() == stored and store.counts() == counts


def test_event_ids_are_deterministic_and_name_format_campaign_asset_day_metric(store: Store) -> None:
    store.run(GENERIC)
    with store.db.session() as s:
        ids = set(s.scalars(select(PerformanceEvent.event_id)))
    assert event_id("generic", SLUG, 3, "2026-03-02", "impression") in ids
    assert event_id("generic", SLUG, 3, "2026-03-02", "value") in ids
    assert event_id("generic", SLUG, 4, "2026-03-02", "conversion") not in ids  # no conversions: no event
    assert len(ids) == 2 * 4 + 2 + 4  # a3: two days x 4 metrics; asset 4: two; a11: four


def test_a_corrected_export_conflicts_and_stores_nothing(store: Store) -> None:
    store.run(META)
    before, stored = store.counts(), store.events()
    text = META.read_text(encoding="utf-8").replace('"12,480",231', '"12,480",233')
    text += f"2026-03-04,2026-03-04,Acme launch,London commuters,{PREFIX}morning-launch_london-commuters_" \
            "meta-feed-1x1_v1_r1,active,1,x,900,9,12,1,24.95,3.00\n"   # a new day in the same file
    with pytest.raises(ConflictError) as err:
        store.run(text.encode("utf-8"), filename="meta-corrected.csv")
    message = str(err.value)
    assert "meta-corrected.csv" in message and "click count of asset 5 on 2026-03-02 (line 2)" in message
    assert "append-only" in message
    assert store.counts() == before and store.events() == stored  # not even the new day


def test_utf16_export_reads_like_utf8(store: Store) -> None:
    data = codecs.BOM_UTF16_LE + META.read_text(encoding="utf-8").replace("\n", "\r\n").encode("utf-16-le")
    assert store.run(data).format == "meta"
    assert sums(store.counts()) == META_SUMS


def test_tab_separated_utf8_with_bom(store: Store) -> None:
    text = "\ufeffasset_id\tdate\timpressions\tclicks\n7\t2026-03-05\t1,000\t5\n"
    store.run(text.encode("utf-8"))
    assert sums(store.counts()) == {7: (1000, 5, 0, 0.0)}


def test_generic_by_ad_name_without_dates(store: Store) -> None:
    name = f"{PREFIX}lift-off_dubai-professionals_meta-feed-1x1_v1_r1"
    text = f"ad_name,impressions,clicks,value\n{name.upper()},100,4,\n{name}.jpg,50,1,12.5\n"
    result = store.run(text.encode("utf-8"))
    assert sums(store.counts()) == {15: (150, 5, 0, 12.5)}
    assert result.events == 3  # one undated sum: impressions, clicks, value (count 1)


def test_skip_unknown_imports_the_rest_and_counts_the_skipped(store: Store) -> None:
    text = GENERIC.read_text(encoding="utf-8") + "a17,2026-03-02,10,1,,\nspring-promo-banner,2026-03-02,10,1,,\n"
    result = store.run(text.encode("utf-8"), skip_unknown=True)
    assert result.skipped == 2 and result.unknown == ["a17", "spring-promo-banner"]
    assert sums(store.counts()) == GENERIC_SUMS
    assert store.counts("globex") == {}


def test_files_over_10000_events_are_stored_in_one_transaction(store: Store) -> None:
    start = date(2019, 1, 1)
    days = 2_600  # x 4 metrics = 10,400 events: two ingest batches
    lines = ["asset_id,date,impressions,clicks,conversions,value"]
    lines += [f"a12,{start + timedelta(days=i)},{100 + i % 7},{i % 5 + 1},1,2.5" for i in range(days)]
    result = store.run("\n".join(lines).encode("utf-8"))
    assert result.events == result.accepted == 4 * days
    c = store.counts()[12]
    assert (c.impressions, c.clicks, c.conversions) == (sum(100 + i % 7 for i in range(days)),
                                                        sum(i % 5 + 1 for i in range(days)), days)
    assert c.value_sum == pytest.approx(2.5 * days)


def test_detect_format() -> None:
    assert detect_format(read_table(META.read_bytes(), "m").header) == "meta"
    assert detect_format(read_table(GOOGLE.read_bytes(), "g").header) == "google"
    assert detect_format(["asset_id", "clicks"]) == "generic"
    with pytest.raises(InvalidRequestError, match="cannot tell"):
        detect_format(["name", "clicks"])


# ------------------------------------------------------------------------------------------ bad input
def meta_with(old: str, new: str) -> bytes:
    text = META.read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1).encode("utf-8")


GOOGLE_TEXT = GOOGLE.read_text(encoding="utf-8")
BAD: list[tuple[str, bytes, dict[str, Any], type[AssetlineError], str]] = [
    ("negative", meta_with('"12,480",231', '"12,480",-231'), {}, InvalidRequestError,
     "bad.csv:2: clicks is negative ('-231')"),
    ("not-a-number", meta_with('"11,902"', '"11,9O2"'), {}, InvalidRequestError,
     "bad.csv:3: impressions is not a number ('11,9O2')"),
    ("european-decimal", meta_with("74.85", '"74,85"'), {}, InvalidRequestError,
     "bad.csv:2: value is not a number ('74,85')"),
    ("fractional-clicks", meta_with(",231,", ",231.5,"), {}, InvalidRequestError,
     "bad.csv:2: clicks must be a whole number"),
    ("clicks-over-impressions", meta_with('"8,115",96', "95,96"), {}, InvalidRequestError,
     "bad.csv:4: 96 clicks but only 95 impressions"),
    ("bad-date", meta_with("2026-03-03,2026-03-03,Acme launch,London commuters,",
                           "03/04/2026,03/04/2026,Acme launch,London commuters,"), {}, InvalidRequestError,
     "bad.csv:6: '03/04/2026' is not a date"),
    ("no-count-columns", b"Day,Ad name,Campaign\n2026-03-02,x,y\n", {"fmt": "google"}, InvalidRequestError,
     "bad.csv:1: no count column for a google export"),
    ("no-ad-column", b"Reporting starts,Impressions,Link clicks\n2026-03-02,10,1\n", {}, InvalidRequestError,
     "bad.csv:1: no ad column for a meta export (one of: ad name)"),
    ("unknown-layout", b"name,clicks,impressions\nx,1,2\n", {}, InvalidRequestError,
     "cannot tell which platform wrote this file"),
    ("no-header", b"hello\nworld\n", {}, InvalidRequestError, "bad.csv: no header row with known column names"),
    ("empty", b"", {}, InvalidRequestError, "bad.csv: the file is empty"),
    ("blank", b" \n\n  \n", {}, InvalidRequestError, "bad.csv: the file is empty"),
    ("header-only", GOOGLE_TEXT.split("\n2026")[0].encode("utf-8"), {}, InvalidRequestError,
     "bad.csv: no data rows below the header (line 3)"),
    ("totals-only", (GOOGLE_TEXT.split("\n2026")[0] + "\nTotal: Account,,,,,,,1,1,0,0,0\n").encode("utf-8"), {},
     InvalidRequestError, "bad.csv: no data rows"),
    ("latin-1", "asset_id,impressions\na3,10\ncafé,1\n".encode("latin-1"), {}, InvalidRequestError,
     "bad.csv: the file is not UTF-8 or UTF-16 text"),
    ("binary", b"PK\x03\x04\x14\x00\x00\x00\x08\x00" * 20, {}, InvalidRequestError,
     "bad.csv: the file is not UTF-8 or UTF-16 text"),
    ("duplicate-column", b"asset_id,clicks,clicks\na3,1,2\n", {}, InvalidRequestError,
     "bad.csv:1: column 'clicks' appears twice"),
    ("empty-ad", b"asset_id,clicks\n,3\n", {}, InvalidRequestError, "bad.csv:2: the 'asset_id' cell is empty"),
    ("unknown-format", b"asset_id,clicks\na3,1\n", {"fmt": "xml"}, InvalidRequestError, "unknown format 'xml'"),
    ("wrong-format", GENERIC.read_bytes(), {"fmt": "meta"}, InvalidRequestError, "no ad column for a meta export"),
    ("over-a-billion", b"asset_id,impressions\na3,1000000001\n", {}, InvalidRequestError,
     "bad.csv:2: 1000000001 impressions in one row is over the limit of 1,000,000,000"),
]


@pytest.mark.parametrize(("data", "kw", "error", "message"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_input_is_a_clear_error_and_stores_nothing(shared: Store, data: bytes, kw: dict[str, Any],
                                                       error: type[AssetlineError], message: str) -> None:
    before, stored = shared.counts(), shared.events()
    with pytest.raises(error) as err:
        shared.run(data, filename="bad.csv", **kw)
    assert message in str(err.value)
    assert err.value.hint
    assert shared.counts() == before and shared.events() == stored


def test_unknown_ad_names_are_all_listed_with_their_lines(shared: Store) -> None:
    before = shared.counts()
    text = GENERIC.read_text(encoding="utf-8") + ("spring-promo,2026-03-02,10,1,,\na99999,2026-03-02,10,1,,\n"
                                                  "spring-promo,2026-03-03,10,1,,\n")
    with pytest.raises(InvalidRequestError) as err:
        shared.run(text.encode("utf-8"), filename="x.csv")
    message = str(err.value)
    assert "x.csv: 2 ad name(s) match no delivered asset of campaign 'acme-launch'" in message
    assert "'spring-promo' (lines 6, 8)" in message and "'a99999' (line 7)" in message
    assert "--skip-unknown" in message and shared.counts() == before


def test_another_tenants_asset_looks_exactly_like_a_missing_one(shared: Store) -> None:
    before = shared.counts("globex"), shared.counts()
    messages = []
    for ref in ("a17", "a99999"):  # 17 is globex's delivered asset
        with pytest.raises(InvalidRequestError) as err:
            shared.run(f"asset_id,clicks\n{ref},1\n".encode(), filename="x.csv")
        messages.append(str(err.value).replace(ref, "REF"))
    assert messages[0] == messages[1]
    name = "orbit-coffee_globex-launch_morning-launch_london-commuters_iab-300x250_v1_r1"  # globex's file
    with pytest.raises(InvalidRequestError, match="match no delivered asset"):
        shared.run(f"ad_name,clicks\n{name},1\n".encode(), filename="x.csv")
    assert (shared.counts("globex"), shared.counts()) == before


def test_another_tenants_campaign_looks_exactly_like_a_missing_one(shared: Store) -> None:
    answers = []
    for slug in ("globex-launch", "no-such-campaign"):
        with pytest.raises(NotFoundError) as err:
            shared.run(GENERIC, slug=slug)
        answers.append(str(err.value).replace(slug, "SLUG"))
    assert answers[0] == answers[1]


def test_missing_file_is_not_found(shared: Store, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="no file"):
        shared.run(tmp_path / "nope.csv")


def test_more_rows_than_the_limit_is_refused(shared: Store) -> None:
    before = shared.counts()
    data = ("asset_id,impressions\n" + "a3,1\n" * (MAX_ROWS + 1)).encode("utf-8")
    with pytest.raises(InvalidRequestError, match=f"more than {MAX_ROWS:,} data rows"):
        shared.run(data, filename="huge.csv")
    assert shared.counts() == before
