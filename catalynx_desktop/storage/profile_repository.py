"""Profiles: create, read, update, delete, and the profile list with per-stage counts in one query."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from catalynx_desktop.domain.profile import Profile, ProfileStatus, ProfileSummary
from catalynx_desktop.domain.stages import PIPELINE, Stage
from catalynx_desktop.storage.database import Database

_PROFILE_COLUMNS = (
    "id, name, ein, ntee_code, target_ntee_codes, focus_areas, keywords, states, nationwide, "
    "min_amount, max_amount, annual_revenue, status"
)

# One query: profiles joined to the trigger-maintained counts table (a few rows per profile),
# pivoted per stage. The stage names are our own constants, not user input.
_STAGE_SUMS = ", ".join(
    f"COALESCE(SUM(CASE WHEN c.stage = '{stage.value}' THEN c.n END), 0)" for stage in PIPELINE
)
LIST_WITH_COUNTS_SQL = f"""
    SELECT {", ".join("p." + c.strip() for c in _PROFILE_COLUMNS.split(","))}, {_STAGE_SUMS}
    FROM profiles AS p
    LEFT JOIN profile_stage_counts AS c ON c.profile_id = p.id
    GROUP BY p.id
    ORDER BY p.name COLLATE NOCASE, p.id
"""


def _profile_from_row(row: tuple[Any, ...]) -> Profile:
    return Profile(
        id=row[0],
        name=row[1],
        ein=row[2],
        ntee_code=row[3],
        target_ntee_codes=tuple(json.loads(row[4])),
        focus_areas=tuple(json.loads(row[5])),
        keywords=tuple(json.loads(row[6])),
        states=tuple(json.loads(row[7])),
        nationwide=bool(row[8]),
        min_amount=row[9],
        max_amount=row[10],
        annual_revenue=row[11],
        status=ProfileStatus(row[12]),
    )


def _profile_params(profile: Profile) -> dict[str, object]:
    return {
        "name": profile.name,
        "ein": profile.ein,
        "ntee_code": profile.ntee_code,
        "target_ntee_codes": json.dumps(list(profile.target_ntee_codes)),
        "focus_areas": json.dumps(list(profile.focus_areas)),
        "keywords": json.dumps(list(profile.keywords)),
        "states": json.dumps(list(profile.states)),
        "nationwide": int(profile.nationwide),
        "min_amount": profile.min_amount,
        "max_amount": profile.max_amount,
        "annual_revenue": profile.annual_revenue,
        "status": profile.status.value,
    }


# Profiles decoded from their stored values. The list is re-read after every write (its counts
# move), but its profiles rarely change, and decoding four JSON arrays per profile cost 3x the
# query itself. Profile is frozen, so sharing an instance is safe; keyed by every stored value,
# so an edited profile simply misses. Bounded: cleared when it outgrows any real profile list.
_DECODED_MAX = 1024
_decoded: dict[tuple[Any, ...], Profile] = {}


def _decoded_profile(values: tuple[Any, ...]) -> Profile:
    profile = _decoded.get(values)
    if profile is None:
        if len(_decoded) >= _DECODED_MAX:
            _decoded.clear()
        profile = _decoded[values] = _profile_from_row(values)
    return profile


def list_summaries_sync(conn: sqlite3.Connection) -> list[ProfileSummary]:
    summaries = []
    for row in conn.execute(LIST_WITH_COUNTS_SQL):
        counts = dict(zip(PIPELINE, row[13:], strict=True))
        summaries.append(ProfileSummary(_decoded_profile(row[:13]), counts))
    return summaries


class ProfileRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def list_summaries(self) -> list[ProfileSummary]:
        return await self._db.read(list_summaries_sync)

    async def get(self, profile_id: int) -> Profile | None:
        row = await self._db.fetch_one(f"SELECT {_PROFILE_COLUMNS} FROM profiles WHERE id = ?", (profile_id,))
        return _profile_from_row(row) if row else None

    async def names(self) -> dict[int, str]:
        """Every profile's name by id (runs and messages name profiles, never show their ids)."""
        rows = await self._db.fetch_all("SELECT id, name FROM profiles")
        return {int(profile_id): str(name) for profile_id, name in rows}

    async def stage_counts(self, profile_id: int) -> dict[Stage, int]:
        rows = await self._db.fetch_all(
            "SELECT stage, n FROM profile_stage_counts WHERE profile_id = ?", (profile_id,)
        )
        counts = dict.fromkeys(PIPELINE, 0)
        counts.update({Stage(stage): n for stage, n in rows})
        return counts

    async def create(self, profile: Profile) -> Profile:
        profile = profile.validated()
        params = _profile_params(profile)
        columns = ", ".join(params)
        placeholders = ", ".join(f":{name}" for name in params)

        def insert(conn: sqlite3.Connection) -> int:
            cursor = conn.execute(f"INSERT INTO profiles ({columns}) VALUES ({placeholders})", params)
            return int(cursor.lastrowid or 0)

        new_id = await self._db.write(insert)
        return Profile(**{**profile.__dict__, "id": new_id})

    async def update(self, profile: Profile) -> Profile:
        if profile.id is None:
            raise ValueError("cannot update a profile that has no id")
        profile = profile.validated()
        params = _profile_params(profile)
        assignments = ", ".join(f"{name} = :{name}" for name in params)
        params["id"] = profile.id

        def update(conn: sqlite3.Connection) -> int:
            return conn.execute(
                f"UPDATE profiles SET {assignments}, "
                "updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = :id",
                params,
            ).rowcount

        if await self._db.write(update) != 1:
            raise LookupError(f"profile {profile.id} no longer exists")
        return profile

    async def delete(self, profile_id: int) -> None:
        """Deletes the profile and (by ON DELETE CASCADE) its opportunities and their history."""
        await self._db.write(lambda conn: conn.execute("DELETE FROM profiles WHERE id = ?", (profile_id,)))
