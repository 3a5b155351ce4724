"""Fuzzing the query layer: random sort / stage / search / filter specs, SQL metacharacters and
nonsense values, against a small real database.

Every call either returns the rows a plain-Python reference filter picks (in the query's order),
or raises the app's own InvalidQuery (a ValueError the window shows as a message) exactly when the
spec is not a proper query; never an sqlite3 error, TypeError, OverflowError, KeyError... The
schema and the data are the same afterwards ("; DROP TABLE" changes nothing), and no SQL is built
from what the user typed:
* through the repository (what the window calls), every statement SQLite runs is traced
  (set_trace_callback, which shows bound values as quoted literals): with the literals removed,
  none contains the marker every hostile string carries;
* through the query functions themselves, on a connection that could write, every SQL *template*
  the code passes to execute() is recorded before binding: none contains the marker at all.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.internal.conjecture import providers as hypothesis_providers

from catalynx_desktop.domain.query import OpportunityFilters, OpportunityQuery, SortKey
from catalynx_desktop.domain.stages import Stage, stage_rank
from catalynx_desktop.storage.database import Database
from catalynx_desktop.storage.migrations import migrate
from catalynx_desktop.storage.opportunity_queries import compile_query, count_rows, read_page
from catalynx_desktop.storage.opportunity_repository import OpportunityRepository
from catalynx_desktop.storage.opportunity_search import matching_ids, probe_first_page, rows_for_ids
from catalynx_desktop.storage.paging import Seek
from catalynx_desktop.storage.query_check import InvalidQuery
from catalynx_desktop.storage.record_search import fts_query
from catalynx_desktop.workflows.demo.generator import STAGE_WEIGHTS, DemoPlan
from catalynx_desktop.workflows.demo.loader import load_demo

REPOSITORY_EXAMPLES = 600
FUNCTION_EXAMPLES = 300
MARK = "zqxjmark"  # in every hostile string: must never reach SQL text outside a bound literal
TODAY = date.today()
INT64 = 2**63 - 1

# -- the database --------------------------------------------------------------------------------
TAGS = [
    "rural",
    "federal",
    "o'brien",
    'say "hi"',
    "x; drop table profiles; --",
    "100%",
    "a_b",
    "naïve",
    "🙂",
    "--",
    "/*",
    "\\",
]


def build_database(path: Path) -> None:
    migrate(path, path.parent / "backups")
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        load_demo(conn, DemoPlan(2, 1_500, seed=17))
        # the user's annotations to filter on, metacharacters included
        for n, tag in enumerate(TAGS):
            conn.execute(
                "UPDATE opportunities SET tags = ? WHERE id % ? = ?",
                (json.dumps([tag, TAGS[(n + 3) % len(TAGS)]]), len(TAGS), n),
            )
        # every stage holds rows, the outcome stages too (the demo leaves them empty), so that a
        # random stage filter finds rows to check (the stage trigger keeps the counts exact)
        for n, stage in enumerate(s for s in Stage if s not in STAGE_WEIGHTS):
            conn.execute(
                "UPDATE opportunities SET stage = ?, stage_rank = ? WHERE id % 13 = ?",
                (stage.value, stage_rank(stage), n),
            )
        conn.execute("UPDATE opportunities SET priority = 'high' WHERE id % 5 = 0")
        conn.execute("UPDATE opportunities SET priority = 'low' WHERE id % 7 = 0 AND id % 5 != 0")
        conn.execute(
            "UPDATE opportunities SET close_date = date('now', '+' || (id % 90) || ' days') WHERE id % 3 = 0"
        )
        conn.execute("UPDATE opportunities SET state = 'O''K' WHERE id % 97 = 0")
        # Few distinct amounts and scores, so that random filters land on real boundaries (and
        # sorts on ties, decided by id).
        conn.execute("UPDATE opportunities SET amount = (id * 7 % 40) * 5000, score = (id * 3 % 21) / 20.0")
        conn.execute("COMMIT")
    finally:
        conn.close()


@dataclass(frozen=True)
class Row:
    id: int
    profile_id: int
    stage: str
    stage_rank: int
    score: float
    amount: int
    close_date: str
    title: str
    funder_name: str
    discovered_at: str
    state: str
    source: str
    priority: str
    tags: tuple[str, ...]
    ntee_group: str | None
    words: frozenset[str]  # lower-cased tokens of the record's searchable text


_TOKEN = re.compile(r"[a-z0-9]+")


def load_rows(path: Path) -> list[Row]:
    conn = sqlite3.connect(path)
    try:
        found = conn.execute(
            "SELECT o.id, o.profile_id, o.stage, o.stage_rank, o.score, o.amount, o.close_date, o.title, "
            "o.funder_name, o.discovered_at, o.state, o.source, o.priority, o.tags, substr(r.ntee_code, 1, 1), "
            "lower(coalesce(r.name, '') || ' ' || coalesce(r.funder_name, '') || ' ' || coalesce(r.description, '')"
            " || ' ' || coalesce(r.city, '') || ' ' || coalesce(r.category, '') || ' ' || "
            "coalesce(r.opportunity_number, '')) "
            "FROM opportunities AS o LEFT JOIN source_records AS r ON r.id = o.source_record_id"
        ).fetchall()
    finally:
        conn.close()
    return [
        Row(*values[:13], tuple(json.loads(values[13])), values[14], frozenset(_TOKEN.findall(values[15])))
        for values in found
    ]


def schema_and_counts(conn: sqlite3.Connection) -> tuple:
    schema = conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
    counts = [
        conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]  # names from sqlite_master
        for kind, name, _sql in schema
        if kind == "table"
    ]
    digest = conn.execute(
        "SELECT sum(id * 7 + stage_rank), sum(amount), group_concat(tags, '') FROM opportunities"
    ).fetchone()
    return schema, counts, digest


# -- what a proper query is, and what it returns (independent of the code under test) ----------
COLUMN = {
    SortKey.SCORE: "score",
    SortKey.STAGE: "stage_rank",
    SortKey.CLOSE_DATE: "close_date",
    SortKey.AMOUNT: "amount",
    SortKey.TITLE: "title",
    SortKey.FUNDER: "funder_name",
    SortKey.DISCOVERED: "discovered_at",
}


def _text_ok(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def _whole(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) <= INT64
    return isinstance(value, float) and math.isfinite(value) and value == int(value) and abs(value) < 2.0**63


def is_proper(query: OpportunityQuery) -> bool:
    f = query.filters
    return (
        isinstance(query.profile_id, int)
        and not isinstance(query.profile_id, bool)
        and abs(query.profile_id) <= INT64
        and (query.stage is None or query.stage in [s.value for s in Stage])
        and query.sort in [k.value for k in SortKey]
        and isinstance(query.descending, bool)
        and isinstance(query.search, str)
        and all(v is None or _whole(v) for v in (f.min_amount, f.max_amount))
        and (
            f.closes_within_days is None
            or (_whole(f.closes_within_days) and 0 <= f.closes_within_days <= 36_500)
        )
        and all(
            v is None or (isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v))
            for v in (f.min_score, f.max_score)
        )
        and all(
            isinstance(vs, tuple | list) and len(vs) <= 1_000 and all(_text_ok(v) for v in vs)
            for vs in (f.states, f.sources, f.ntee_groups, f.priorities)
        )
        and _text_ok(f.tag)
    )


def reference(rows: list[Row], query: OpportunityQuery) -> list[int] | None:
    """The ids the query must return, in order; None when the search text cannot be decided here
    (then the result is checked against the filters alone)."""
    f = query.filters
    keep = []
    for r in rows:
        if r.profile_id != query.profile_id or (query.stage is not None and r.stage != query.stage):
            continue
        if f.min_amount is not None and not r.amount >= int(f.min_amount):
            continue
        if f.max_amount is not None and not r.amount <= int(f.max_amount):
            continue
        if f.closes_within_days is not None and not (
            TODAY.isoformat()
            <= r.close_date
            <= (TODAY + timedelta(days=int(f.closes_within_days))).isoformat()
        ):
            continue
        if f.min_score is not None and not r.score >= f.min_score:
            continue
        if f.max_score is not None and not r.score <= f.max_score:
            continue
        if f.states and r.state not in f.states:
            continue
        if f.sources and r.source not in f.sources:
            continue
        if f.priorities and r.priority not in f.priorities:
            continue
        if f.ntee_groups and (r.ntee_group is None or r.ntee_group not in f.ntee_groups):
            continue
        if f.tag and f.tag.strip().lower() not in r.tags:
            continue
        keep.append(r)
    column = COLUMN[SortKey(query.sort)]
    keep.sort(key=lambda r: (getattr(r, column), r.id), reverse=query.descending)
    words = re.findall(r"\w+", query.search.lower())[:16]
    if not words:
        return [r.id for r in keep]
    if all(re.fullmatch(r"[a-z0-9]+", w) for w in words):  # decidable: ASCII words, prefix match
        return [r.id for r in keep if all(any(t.startswith(w) for t in r.words) for w in words)]
    return None


def check_result(rows: list[Row], query: OpportunityQuery, got: list[int]) -> None:
    expected = reference(rows, query)
    if expected is not None:
        assert got == expected
        return
    # Search text the reference cannot decide (unicode, diacritics): a subset of the filtered
    # rows, in the query's order.
    unsearched = reference(
        rows, OpportunityQuery(query.profile_id, query.stage, query.sort, query.descending, "", query.filters)
    )
    assert unsearched is not None
    position = {opportunity_id: n for n, opportunity_id in enumerate(unsearched)}
    assert all(opportunity_id in position for opportunity_id in got)
    assert [position[i] for i in got] == sorted(position[i] for i in got)


# -- strategies ------------------------------------------------------------------------------------
PAYLOADS = [
    "'",
    "''",
    '"',
    ";",
    "--",
    "/*",
    "*/",
    "' OR 1=1 --",
    '"; DROP TABLE opportunities; --',
    "'); DROP TABLE profiles; --",
    "%",
    "_",
    "\\",
    "\x00",
    "NEAR(a b)",
    "AND",
    "OR",
    "NOT",
    "*",
    "^",
    ":",
    "(",
    ")",
    "{",
    "}",
    "title:x",
    "col1 : x",
    "é",
    "𝔘𝔫𝔦",
    "\u202e",
    "🙂",
    "NULL",
    "1e999",
    "0x10",
    "?",
    "?1",
    ":name",
    "@p",
    "$x",
    "\ud800",
    "x\x00y",
    "\n",
    "\t",
    "ǅ",
    "ß",
    "İ",
    "ﬁ",
    "   ",
]
hostile_text = st.lists(st.one_of(st.sampled_from(PAYLOADS), st.text(max_size=6)), max_size=4).map(
    lambda parts: "".join(parts) + " " + MARK
)
any_text = st.one_of(st.text(max_size=12), hostile_text)
nonsense = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**80), 2**80),
    st.floats(allow_nan=True, allow_infinity=True),
    any_text,
    st.lists(st.integers(), max_size=2),
    st.just(b"bytes"),
)

# Values the data really has (see build_database), so that filters land on boundaries and
# searches find something.
real_states = st.sampled_from(["OH", "NY", "NJ", "NE", "MN", "VT", "O'K", ""])
real_words = st.sampled_from(
    [
        "foundation",
        "charitable",
        "abbott",
        "green",
        "mountain",
        "trust",
        "heritage",
        "harb",
        "endow",
        "found",
        "zz",
    ]
)


def weighted(*choices: tuple[int, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """One of the strategies, picked in proportion to its weight."""
    return st.sampled_from([strategy for weight, strategy in choices for _ in range(weight)]).flatmap(
        lambda s: s
    )


def texts(real: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return weighted((4, real), (1, hostile_text))


def valid_queries() -> st.SearchStrategy[OpportunityQuery]:
    boundary = st.integers(0, 41).map(lambda n: n * 5_000)
    amount = st.one_of(
        st.none(),
        boundary,
        boundary.map(lambda a: a + 1),
        boundary.map(float),
        st.integers(-1_000, 3_000_000),
        st.integers(-INT64, INT64),
    )
    filters = st.builds(
        OpportunityFilters,
        min_amount=amount,
        max_amount=amount,
        closes_within_days=st.one_of(st.none(), st.integers(0, 120), st.integers(0, 36_500)),
        min_score=weighted((1, st.floats(-1, 2)), (3, st.integers(0, 21).map(lambda n: n / 20))),
        max_score=weighted((1, st.floats(-1, 2)), (3, st.integers(0, 21).map(lambda n: n / 20))),
        states=st.lists(texts(real_states), max_size=4).map(tuple),
        sources=st.lists(texts(st.sampled_from(["demo", "irs_bmf", "grants_gov"])), max_size=2).map(tuple),
        ntee_groups=st.lists(texts(st.sampled_from(list("ABEGHKNPQZ"))), max_size=3).map(tuple),
        priorities=st.lists(texts(st.sampled_from(["", "low", "high", "medium"])), max_size=2).map(tuple),
        tag=weighted(
            (3, st.sampled_from(TAGS)), (1, st.sampled_from(TAGS).map(str.upper)), (1, hostile_text)
        ),
    )
    # Mostly one or two filters at a time, so that results are not always empty.
    sparse = filters.flatmap(
        lambda full: st.sets(
            st.sampled_from(
                [
                    "min_amount",
                    "max_amount",
                    "closes_within_days",
                    "min_score",
                    "max_score",
                    "states",
                    "sources",
                    "ntee_groups",
                    "priorities",
                    "tag",
                ]
            ),
            min_size=1,
            max_size=3,
        ).map(lambda keep: OpportunityFilters(**{name: getattr(full, name) for name in keep}))
    )
    search = weighted(
        (6, st.just("")),
        (2, real_words),
        (1, st.lists(real_words, min_size=2, max_size=3).map(" ".join)),
        (2, hostile_text),
        (1, st.text(max_size=20)),
        (1, st.sampled_from(PAYLOADS)),
    )
    sparse = weighted((1, st.just(OpportunityFilters())), (4, sparse))
    return st.builds(
        OpportunityQuery,
        profile_id=st.sampled_from([1, 1, 1, 2, 2, 3, -1]),
        stage=st.one_of(st.none(), st.sampled_from(list(Stage)), st.sampled_from([s.value for s in Stage])),
        sort=st.one_of(st.sampled_from(list(SortKey)), st.sampled_from([k.value for k in SortKey])),
        descending=st.booleans(),
        search=search,
        filters=sparse,
    )


def broken(query: OpportunityQuery) -> st.SearchStrategy[OpportunityQuery]:
    """The valid `query` with one or more parts replaced by nonsense or hostile values."""
    wrong_sort = st.one_of(
        hostile_text,
        st.sampled_from(["title; DROP TABLE profiles", "id", "rowid", "score DESC, (SELECT 1)", "SCORE", ""]),
        nonsense,
    )
    wrong_stage = st.one_of(hostile_text, st.sampled_from(["Plan", "all", "0", ""]), st.integers(), nonsense)
    wrong_number = st.one_of(
        st.text(max_size=6),
        hostile_text,
        st.sampled_from(["10", "1e3", "nan"]),
        st.floats(allow_nan=True, allow_infinity=True).filter(lambda x: not _whole(x)),
        st.integers(INT64 + 1, 2**100),
        st.integers(-(2**100), -INT64 - 1),
        st.booleans(),
    )
    wrong_list = st.one_of(
        texts(real_states),
        st.lists(nonsense, min_size=1, max_size=3).map(tuple),
        st.just(tuple(["VT"] * 1_001)),
        st.just(("VT", "\ud800")),
        st.integers(),
    )
    parts = {
        "profile_id": st.one_of(
            st.integers(INT64 + 1, 2**90), st.booleans(), any_text, st.floats(), st.none()
        ),
        "stage": wrong_stage,
        "sort": wrong_sort,
        "descending": st.one_of(st.integers(0, 1), any_text, st.none()),
        "search": st.one_of(st.none(), st.integers(), st.binary(max_size=5)),
        "min_amount": wrong_number,
        "max_amount": wrong_number,
        "closes_within_days": st.one_of(wrong_number, st.integers(-(10**6), -1), st.integers(36_501, 10**9)),
        "min_score": st.one_of(
            st.floats(allow_nan=True, allow_infinity=True).filter(lambda x: not math.isfinite(x)),
            st.text(max_size=4),
            st.booleans(),
        ),
        "max_score": st.one_of(st.just(float("nan")), st.text(max_size=4)),
        "states": wrong_list,
        "sources": wrong_list,
        "ntee_groups": wrong_list,
        "priorities": wrong_list,
        "tag": st.one_of(st.integers(), st.none(), st.just("\udcff"), st.lists(st.text(), max_size=2)),
    }
    filter_names = {f for f in parts if f in OpportunityFilters.__dataclass_fields__}

    def apply(changes: dict[str, Any]) -> OpportunityQuery:
        filters = {n: v for n, v in changes.items() if n in filter_names}
        top = {n: v for n, v in changes.items() if n not in filter_names}
        values = {**query.__dict__, **top}
        values["filters"] = OpportunityFilters(**{**query.filters.__dict__, **filters})
        return OpportunityQuery(**values)

    return (
        st.dictionaries(st.sampled_from(sorted(parts)), st.none(), min_size=1, max_size=3)
        .flatmap(lambda chosen: st.fixed_dictionaries({name: parts[name] for name in chosen}))
        .map(apply)
    )


queries = st.one_of(valid_queries(), valid_queries().flatmap(broken))

# -- the tests ----------------------------------------------------------------------------------


class Tally:
    def __init__(self) -> None:
        self.rows = 0  # returned rows (checked against the reference)
        self.exact = 0  # ... and the reference decided the exact ids
        self.filtered = 0  # ... exact, with filters, and not empty
        self.refused = 0  # raised InvalidQuery

    def ran(self, rows: list[Row], query: OpportunityQuery, got: list[int]) -> None:
        self.rows += 1
        if reference(rows, query) is not None:
            self.exact += 1
            self.filtered += bool(got) and not query.filters.is_empty()

    def __str__(self) -> str:
        return (
            f"{self.rows + self.refused} cases: {self.rows} returned rows ({self.exact} checked exactly, "
            f"{self.filtered} of them filtered and not empty), {self.refused} refused"
        )


def _strip_literals(sql: str) -> str:
    """The SQL without its quoted literals ('...' with '' escapes) and blobs (X'..')."""
    return re.sub(r"'(?:[^']|'')*'", "''", sql)


@pytest.fixture(scope="module")
def fuzz_db(tmp_path_factory) -> Iterator[tuple[asyncio.AbstractEventLoop, Database, list[Row], list[str]]]:
    path = tmp_path_factory.mktemp("fuzz") / "catalynx.sqlite3"
    build_database(path)
    rows = load_rows(path)
    loop = asyncio.new_event_loop()
    db = loop.run_until_complete(Database.open(path))
    traced: list[str] = []
    for background in (False, True):
        loop.run_until_complete(
            db.read(lambda conn: conn.set_trace_callback(traced.append), background=background)
        )
    try:
        yield loop, db, rows, traced
    finally:
        loop.run_until_complete(db.close())
        loop.close()


@pytest.fixture(autouse=True)
def same_draws_whatever_is_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hypothesis (6.13x+) mixes string and number constants found in every local module loaded so
    far into ~5% of its draws, so the derandomized cases depended on which other tests ran first
    (a full run loaded the 990 parser: 48 filtered cases instead of 80). Without those constants the
    cases are the same alone and in a full run. Private API, pinned with hypothesis in pyproject."""
    empty = hypothesis_providers.Constants(
        integers=hypothesis_providers.SortedSet(),
        floats=hypothesis_providers.SortedSet(key=hypothesis_providers.float_to_int),
        bytes=hypothesis_providers.SortedSet(),
        strings=hypothesis_providers.SortedSet(),
    )
    monkeypatch.setattr(hypothesis_providers, "_get_local_constants", lambda: empty)
    monkeypatch.setattr(
        hypothesis_providers, "CONSTANTS_CACHE", type(hypothesis_providers.CONSTANTS_CACHE)(1024)
    )


def test_repository_fuzz(fuzz_db):
    loop, db, rows, traced = fuzz_db
    repo = OpportunityRepository(db)
    before = loop.run_until_complete(db.read(schema_and_counts))
    tally = Tally()

    async def open_all(query: OpportunityQuery) -> list[int]:
        result, first = await repo.open(query, 64)
        if getattr(result, "exact", True) is False:
            assert await result.complete(lambda: False)
        everything = await result.page(0, result.total)
        assert [r.id for r in first] == [r.id for r in everything[: len(first)]]
        return [r.id for r in everything]

    # derandomize: the same cases on every run (CI stays reproducible; the tallies below too)
    @settings(
        max_examples=REPOSITORY_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(query=queries)
    def case(query: OpportunityQuery) -> None:
        traced.clear()
        try:
            got = loop.run_until_complete(open_all(query))
        except InvalidQuery as error:
            assert not is_proper(query), f"a proper query was refused: {error}"
            assert str(error)
            tally.refused += 1
        else:
            assert is_proper(query), "an improper query ran"
            check_result(rows, query, got)
            tally.ran(rows, query, got)
        for statement in traced:
            assert MARK not in _strip_literals(statement).lower(), statement

    case()
    assert loop.run_until_complete(db.read(schema_and_counts)) == before
    print(f"\nrepository fuzz: {tally}")
    assert tally.rows >= REPOSITORY_EXAMPLES // 4 and tally.refused >= REPOSITORY_EXAMPLES // 4, str(tally)
    # A floor on the sample's own quality (filters that found rows), not on the app's behaviour:
    # with ten stages (four of them outcome stages) 63 of 600, alone and in a full run.
    assert tally.exact >= tally.rows // 2 and tally.filtered >= REPOSITORY_EXAMPLES // 10, str(tally)


class RecordingConnection:
    """A sqlite3 connection that records every SQL template handed to execute() (before binding)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self.templates: list[str] = []

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        self.templates.append(sql)
        return self._conn.execute(sql, *args)

    def executemany(self, sql: str, *args: Any) -> sqlite3.Cursor:
        self.templates.append(sql)
        return self._conn.executemany(sql, *args)

    def cursor(self) -> Any:
        raise AssertionError("the query code should not need cursors (they would escape the recording)")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


def test_query_functions_fuzz_on_a_writable_connection(tmp_path_factory):
    """The functions the repository is made of, on a plain read-write connection (no query_only):
    an injected statement would really run here. Every template is recorded before binding."""
    path = tmp_path_factory.mktemp("fuzz-functions") / "catalynx.sqlite3"
    build_database(path)
    rows = load_rows(path)
    raw = sqlite3.connect(path, isolation_level=None)
    conn = RecordingConnection(raw)
    before = schema_and_counts(raw)
    tally = Tally()

    def search_path(query: OpportunityQuery) -> list[int]:
        probed = probe_first_page(conn, query, 32)  # type: ignore[arg-type]
        ids = list(matching_ids(conn, query))  # type: ignore[arg-type]
        if probed is not None:
            assert [r.id for r in probed] == ids[:32]
        assert [r.id for r in rows_for_ids(conn, ids[:50])] == ids[:50]  # type: ignore[arg-type]
        return ids

    def plain_path(query: OpportunityQuery) -> list[int]:
        compiled = compile_query(query)
        total = count_rows(conn, query)  # type: ignore[arg-type]
        page = read_page(conn, compiled, Seek(True, None, 0, total + 1))  # type: ignore[arg-type]
        assert len(page.rows) == total
        return [r.id for r in page.rows]

    def run_query(query: OpportunityQuery, search_first: bool) -> list[int]:
        """Both paths (either may be the first to see a bad query); the repository's choice decides
        which one's rows count."""
        if search_first:
            searched = search_path(query)
            plain = plain_path(query)
        else:
            plain = plain_path(query)
            searched = search_path(query)
        if fts_query(query.search) or not query.filters.is_empty():
            return searched
        assert searched == plain
        return plain

    @settings(
        max_examples=FUNCTION_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(query=queries, search_first=st.booleans())
    def case(query: OpportunityQuery, search_first: bool) -> None:
        conn.templates.clear()
        try:
            got = run_query(query, search_first)
        except InvalidQuery:
            assert not is_proper(query)
            tally.refused += 1
        else:
            assert is_proper(query)
            check_result(rows, query, got)
            tally.ran(rows, query, got)
        for template in conn.templates:
            assert MARK not in template.lower(), template

    try:
        case()
        assert schema_and_counts(raw) == before
    finally:
        raw.close()
    print(f"\nquery-function fuzz: {tally}")
    assert tally.rows >= FUNCTION_EXAMPLES // 4 and tally.refused >= FUNCTION_EXAMPLES // 4, str(tally)


def test_invalid_query_messages_name_the_problem():
    from catalynx_desktop.storage.query_check import check_query

    cases = [
        (OpportunityQuery(1, None, "title; DROP TABLE profiles"), "sorted by"),  # type: ignore[arg-type]
        (OpportunityQuery(1, "nowhere"), "no stage"),  # type: ignore[arg-type]
        (OpportunityQuery(1, filters=OpportunityFilters(min_amount="abc")), "Amount from"),  # type: ignore[arg-type]
        (OpportunityQuery(1, filters=OpportunityFilters(max_amount=10**30)), "Amount up to"),
        (OpportunityQuery(1, filters=OpportunityFilters(min_score=float("nan"))), "Score from"),
        (OpportunityQuery(1, filters=OpportunityFilters(closes_within_days=-5)), "Closes within"),
        (OpportunityQuery(1, filters=OpportunityFilters(states="VT")), "states"),  # type: ignore[arg-type]
        (OpportunityQuery(1, filters=OpportunityFilters(tag="\ud800")), "tag"),
    ]
    for query, words in cases:
        with pytest.raises(InvalidQuery, match=re.escape(words)):
            check_query(query)
        assert isinstance(InvalidQuery("x"), ValueError)  # the window shows ValueErrors as messages
