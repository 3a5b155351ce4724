"""Back-test of the funder ranking on real giving (issue 13, item 4). Pure: data in, figures out.

For a year Y: every recipient organization that got grants in Y (and whose BMF record is known)
becomes a profile built from its own record (its NTEE code as the target, its state, its
revenue). Year Y is hidden: each funder's evidence is built from the other years only, and the
recipient's own past gifts from those years are its relationship signal. Every funder with
evidence is scored and ranked; the funders that really gave to the recipient in Y are the truth.

Figures, averaged over recipients: recall@K (share of the true funders in the top K) and mean
reciprocal rank (1 / rank of the first true funder, 0 when none is ranked). The baseline ranks
the same funders by dollars given in the other years ("largest givers first").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from catalynx_desktop.domain.evidence import GivingEvidence, GrantFact, evidence_by_funder, gifts_from_grants
from catalynx_desktop.domain.gifts import Gift
from catalynx_desktop.domain.matching import FUNDER_COLUMNS, FunderMatcher
from catalynx_desktop.domain.ntee import DEFAULT_NAMES, NteeNames
from catalynx_desktop.domain.profile import Profile
from catalynx_desktop.domain.records import RecordKind, Source
from catalynx_desktop.domain.scoring import DEFAULT_WEIGHTS, ScoringWeights

DEFAULT_KS = (20, 100)
# Below this many recipients the figures are averages of a handful of cases: the window says what
# to import instead of showing them (the command line still prints them, with the count).
FEW_RECIPIENTS = 10

Progress = Callable[[int, int], None]  # (recipients done, recipients in all), from the worker


class OrgFacts(NamedTuple):
    """What the back-test needs of an organization's BMF record (funder or recipient)."""

    ein: str
    name: str = ""
    state: str = ""
    ntee: str = ""
    subsection: str = ""
    foundation: str = ""
    activity: str = ""
    deductibility: str = ""
    status: str = ""
    sort_name: str = ""
    assets: int | None = None
    income: int | None = None
    revenue: int | None = None


@dataclass(frozen=True)
class Ranking:
    """recall@K per K and the mean reciprocal rank of one ranking method."""

    recall: Mapping[int, float]
    mrr: float


@dataclass(frozen=True)
class BackTestResult:
    year: int
    recipients: int  # recipients evaluated (got grants in Y, BMF record known)
    skipped: int  # recipients with grants in Y but no BMF record (no profile to build)
    funders: int  # funders ranked (with evidence outside Y)
    matcher: Ranking
    baseline: Ranking
    ks: tuple[int, ...] = field(default=DEFAULT_KS)

    def lines(self) -> list[str]:
        """The figures in words, for the command line and the README."""
        out = [
            f"year {self.year} hidden: {self.recipients:,} recipients, {self.funders:,} funders ranked"
            + (f" ({self.skipped:,} recipients without an IRS record skipped)" if self.skipped else "")
        ]
        for name, ranking in (("matching", self.matcher), ("largest givers first", self.baseline)):
            recalls = ", ".join(f"recall@{k} {ranking.recall[k]:.3f}" for k in self.ks)
            out.append(f"{name}: {recalls}, mean reciprocal rank {ranking.mrr:.3f}")
        return out


class TooLittleData(ValueError):
    """Nothing to back-test on; `advice` says in words what to import (the window shows it)."""

    def __init__(self, message: str, advice: str) -> None:
        super().__init__(message)
        self.advice = advice


_IMPORT_990 = (
    "Import IRS 990 e-file returns (a TEOS zip from the IRS, File > Import file…) for at least two "
    "tax years, with the IRS BMF extract (eo_XX.csv) of the states the grants went to."
)


def shortfall(result: BackTestResult) -> str | None:
    """What to import when a result is too thin to show as figures; None when it is enough."""
    if result.funders == 0:
        return (
            f"No funder has grants in a year other than {result.year}, and the back-test learns "
            f"from the other years. {_IMPORT_990}"
        )
    if result.recipients < FEW_RECIPIENTS:
        unknown = (
            f" ({result.skipped:,} more received grants but have no IRS BMF record here)"
            if result.skipped
            else ""
        )
        return (
            f"Only {result.recipients:,} organizations that received grants in {result.year} can be "
            f"tested{unknown}; the figures need at least {FEW_RECIPIENTS}. {_IMPORT_990}"
        )
    return None


def recipient_profile(org: OrgFacts) -> Profile:
    """A profile from a recipient's own BMF record: its field as the target, its state, its size."""
    code = org.ntee.strip().upper()
    return Profile(
        name=org.name or f"EIN {org.ein}",
        ein=org.ein,
        ntee_code=code or None,
        target_ntee_codes=(code[:3],) if len(code) >= 3 else (),
        states=(org.state,) if org.state else (),
        annual_revenue=org.revenue if org.revenue and org.revenue > 0 else None,
    )


def funder_row(ein: str, org: OrgFacts | None) -> tuple[Any, ...]:
    """A funder as FunderMatcher scores it (a funder missing from the BMF gets a bare row)."""
    org = org or OrgFacts(ein)
    private = org.foundation in ("02", "03", "04")
    values: dict[str, Any] = dict.fromkeys(FUNDER_COLUMNS)
    values.update(
        kind=(RecordKind.FOUNDATION if private else RecordKind.ORGANIZATION).value,
        state=org.state,
        ntee_code=org.ntee.upper(),
        subsection=org.subsection,
        foundation_code=org.foundation,
        is_grant_maker=int(private),
        assets=org.assets,
        income=org.income,
        status="",
        name=org.name,
        ein=ein,
        activity=org.activity,
        deductibility=org.deductibility,
        bmf_status=org.status,
        sort_name=org.sort_name,
        revenue=org.revenue,
        cfda_numbers="",
        source=Source.IRS_BMF.value,
    )
    return tuple(values[c] for c in FUNDER_COLUMNS)


def _ranking_figures(ranks: Iterable[tuple[list[str], set[str]]], ks: Sequence[int]) -> Ranking:
    recall_sums = dict.fromkeys(ks, 0.0)
    rr_sum, n = 0.0, 0
    for ranked, truth in ranks:
        n += 1
        position = {ein: i for i, ein in enumerate(ranked, start=1)}
        for k in ks:
            recall_sums[k] += sum(1 for ein in truth if position.get(ein, k + 1) <= k) / len(truth)
        first = min((position[ein] for ein in truth if ein in position), default=0)
        rr_sum += 1.0 / first if first else 0.0
    if not n:
        return Ranking(dict.fromkeys(ks, 0.0), 0.0)
    return Ranking({k: s / n for k, s in recall_sums.items()}, rr_sum / n)


def back_test(
    grants: Sequence[GrantFact],
    organizations: Mapping[str, OrgFacts],
    year: int | None = None,
    *,
    ks: Sequence[int] = DEFAULT_KS,
    weights: ScoringWeights = DEFAULT_WEIGHTS,
    ntee: NteeNames = DEFAULT_NAMES,
    max_recipients: int | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> BackTestResult:
    """Hide `year` (default: the latest), rank funders for each of its recipients, compare.

    `progress(done, total)` is called after each recipient; `cancelled()` is asked before each
    one (one recipient scores every funder: ~10 ms per 1,000), and when it says yes the test
    stops with InterruptedError.
    """
    if not grants:
        raise TooLittleData(
            "no grants to back-test: import 990 returns with grants first",
            f"No 990 grants are imported yet. {_IMPORT_990}",
        )
    year = year if year is not None else max(g.year for g in grants)
    hidden = [g for g in grants if g.year == year and g.recipient_ein and g.amount > 0]
    seen = [g for g in grants if g.year != year]
    if not hidden:
        raise TooLittleData(
            f"no grants to identified recipients in {year}",
            f"None of the grants of {year} names a recipient by EIN or matches an IRS record. {_IMPORT_990}",
        )
    truth: dict[str, set[str]] = defaultdict(set)
    for g in hidden:
        if g.funder_ein != g.recipient_ein:
            truth[g.recipient_ein].add(g.funder_ein)
    recipients = sorted(ein for ein in truth if ein in organizations)
    skipped = len(truth) - len(recipients)
    if max_recipients is not None and len(recipients) > max_recipients:
        step = len(recipients) / max_recipients  # an even, repeatable spread over the EINs
        recipients = [recipients[int(i * step)] for i in range(max_recipients)]
    evidence = evidence_by_funder(_watched(seen, cancelled) if cancelled is not None else seen)
    rows = [(ein, funder_row(ein, organizations.get(ein)), ev) for ein, ev in sorted(evidence.items())]
    given = {ein: sum(ev.dollars_by_year.values()) for ein, ev in evidence.items()}
    baseline_order = sorted(evidence, key=lambda ein: (-given[ein], ein))
    received = _grants_by_recipient(seen, set(recipients))
    matcher_ranks: list[tuple[list[str], set[str]]] = []
    baseline_ranks: list[tuple[list[str], set[str]]] = []
    for done, ein in enumerate(recipients):
        if cancelled is not None and cancelled():
            raise InterruptedError("the back-test was cancelled")
        if progress is not None:
            progress(done, len(recipients))
        ranked = _rank(
            recipient_profile(organizations[ein]),
            rows,
            gifts_from_grants(ein, received.get(ein, ()), {}),
            given,
            date(year, 12, 31),
            weights,
            ntee,
        )
        matcher_ranks.append((ranked, truth[ein]))
        baseline_ranks.append(([f for f in baseline_order if f != ein], truth[ein]))
    if progress is not None:
        progress(len(recipients), len(recipients))
    return BackTestResult(
        year=year,
        recipients=len(recipients),
        skipped=skipped,
        funders=len(rows),
        matcher=_ranking_figures(matcher_ranks, ks),
        baseline=_ranking_figures(baseline_ranks, ks),
        ks=tuple(ks),
    )


def _watched(
    grants: Iterable[GrantFact], cancelled: Callable[[], bool], every: int = 50_000
) -> Iterator[GrantFact]:
    """`grants`, asking `cancelled` every `every` rows (~50 ms of evidence building on millions)."""
    for i, grant in enumerate(grants):
        if i % every == 0 and cancelled():
            raise InterruptedError("the back-test was cancelled")
        yield grant


def _grants_by_recipient(grants: Iterable[GrantFact], wanted: set[str]) -> dict[str, list[GrantFact]]:
    out: dict[str, list[GrantFact]] = defaultdict(list)
    for g in grants:
        if g.recipient_ein in wanted:
            out[g.recipient_ein].append(g)
    return out


def _rank(
    profile: Profile,
    rows: Sequence[tuple[str, tuple[Any, ...], GivingEvidence]],
    gifts: Mapping[str, list[Gift]],
    given: Mapping[str, int],
    today: date,
    weights: ScoringWeights,
    ntee: NteeNames,
) -> list[str]:
    """Funder EINs best first; ties go to the larger giver, then the EIN (a stable order)."""
    matcher = FunderMatcher(profile, today, weights, ntee)
    scored: list[tuple[float, int, str]] = []
    for ein, row, ev in rows:
        outcome = matcher.score_row(row, ev, gifts.get(ein, ()))
        if outcome is not None:
            scored.append((-outcome.total, -given[ein], ein))
    scored.sort()
    return [ein for _, _, ein in scored]
