"""Matches of a profile (best first, with who each funder is and why) and the back-test of the
ranking on the 990 grants imported: what `matches` and `evaluate-matching` show."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from typing import Any

from catalynx_desktop.domain.evaluation import BackTestResult, Progress, back_test
from catalynx_desktop.domain.funders import FunderKind
from catalynx_desktop.domain.records import RecordKind, Source
from catalynx_desktop.domain.scoring import ScoringWeights
from catalynx_desktop.storage import match_queries
from catalynx_desktop.storage.database import Database

_KIND_WORDS = {kind.value: kind.label for kind in FunderKind}


@dataclass(frozen=True)
class Match:
    id: int  # the opportunity's id
    ein: str | None  # 9 digits; None for a federal program
    name: str
    kind: str  # in words: private foundation, grantmaking public charity, federal program, your grantor
    score: float
    amount: int | None  # a foundation's median grant or a program's award ceiling; None = unknown
    reasons: list[str]  # "dimension: why", every dimension

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "ein": self.ein,
            "name": self.name,
            "kind": self.kind,
            "score": self.score,
            "amount": self.amount,
            "reasons": self.reasons,
        }


def _kind(source: str, record_kind: str | None, breakdown: dict[str, Any]) -> str:
    stored = breakdown.get("kind")
    if stored in _KIND_WORDS:
        return _KIND_WORDS[stored]
    if record_kind == RecordKind.FEDERAL_OPPORTUNITY.value:
        return FunderKind.FEDERAL_PROGRAM.label
    if source == Source.USER_LIST.value:
        return FunderKind.YOUR_GRANTOR.label
    if record_kind == RecordKind.FOUNDATION.value:
        return FunderKind.PRIVATE_FOUNDATION.label
    return FunderKind.GRANTMAKING_PUBLIC_CHARITY.label


def _match(row: tuple[Any, ...]) -> Match:
    opp_id, source, ein, record_kind, title, funder, score, breakdown_text, amount = row
    breakdown = json.loads(breakdown_text or "{}")
    federal = record_kind == RecordKind.FEDERAL_OPPORTUNITY.value
    reasons = [f"{name}: {reason}" for name, _v, _w, reason in breakdown.get("dims", ())]
    if breakdown.get("funder"):
        reasons.insert(0, f"funder: {breakdown['funder']}")
    return Match(
        id=opp_id,
        ein=None if federal or not ein else str(ein),
        name=title if federal else (funder or title),
        kind=_kind(source, record_kind, breakdown),
        score=round(float(score), 4),
        amount=amount or None,
        reasons=reasons,
    )


class Matching:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def matches(self, profile_id: int, limit: int | None = None) -> list[Match]:
        rows = await self._db.read(
            lambda conn: match_queries.profile_matches(conn, profile_id, limit), background=True
        )
        return [_match(r) for r in rows]

    async def grant_years(self) -> list[int]:
        """The tax years of the stored grants the back-test can hide, latest first."""
        return await self._db.read(match_queries.grant_years, background=True)

    async def evaluate(
        self,
        year: int | None,
        weights: ScoringWeights,
        max_recipients: int | None = 500,
        *,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> BackTestResult:
        """Back-test on the stored grants (TooLittleData, a ValueError, when there are none to
        test on). `progress(done, total)` is delivered on the calling loop at most 10 times a
        second; setting `cancel` stops the test within ~0.1 s (InterruptedError): the read looks at it
        every 50,000 grants, the back-test every 50,000 grants of evidence and before each recipient."""

        def load(conn: sqlite3.Connection) -> tuple[list[Any], dict[str, Any]]:
            grants = match_queries.grant_facts(conn, cancel.is_set if cancel is not None else None)
            eins = {g.funder_ein for g in grants} | {g.recipient_ein for g in grants if g.recipient_ein}
            return grants, match_queries.organizations(conn, eins)

        grants, organizations = await self._db.read(load, background=True)
        if cancel is not None and cancel.is_set():  # cancelled while the grants were read
            raise InterruptedError("the back-test was cancelled")
        report = _throttled(progress, asyncio.get_running_loop()) if progress is not None else None
        return await asyncio.to_thread(
            back_test,
            grants,
            organizations,
            year,
            weights=weights,
            max_recipients=max_recipients,
            progress=report,
            cancelled=cancel.is_set if cancel is not None else None,
        )


def _throttled(progress: Progress, loop: asyncio.AbstractEventLoop, interval_s: float = 0.1) -> Progress:
    """`progress` called on `loop` from the worker thread, at most every `interval_s` (and at the end)."""
    last = 0.0

    def report(done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if done >= total or now - last >= interval_s:
            last = now
            loop.call_soon_threadsafe(progress, done, total)

    return report
