"""Issue 13's acceptance test through the command line, on the real Vermont BMF (eo_vt.csv):
funders only (no peer food shelves, never the profile's own EIN), community and blank-NTEE
private foundations kept; the user's gifts one row per gift; 990 evidence changes the ranking.
Each command runs in its own process, as a user would run it."""

from __future__ import annotations

import asyncio
import csv
import json
import sqlite3
from pathlib import Path
from typing import Any

from catalynx_desktop.storage.database import Database
from catalynx_desktop.storage.giving_store import store_returns
from tests.storage.giving_helpers import grant, pf_return
from tests.test_cli import DATA, cli

OWN_EIN = "030324429"  # RANDOLPH AREA FOOD SHELF (K31Z, a public charity)
VCF, BEN_AND_JERRYS = "222712160", "030300865"  # community foundation (T31); private foundation, blank NTEE
KINDS = {"private foundation", "grantmaking public charity", "federal program", "your grantor"}


def bmf_rows() -> dict[str, dict[str, str]]:
    with (DATA / "eo_vt.csv").open(encoding="ascii", newline="") as f:
        return {row["EIN"]: row for row in csv.DictReader(f)}


def add_profile(data_dir: Path) -> str:
    out = cli(
        "profile", "add", "--name", "Randolph Area Food Shelf", "--ein", "03-0324429", "--ntee", "K31",
        "--targets", "K31,K30", "--states", "VT", "--min-amount", "5000", "--max-amount", "50000",
        "--revenue", "415650", "--keywords", "food,hunger", "--data-dir", str(data_dir),
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    profile_id = out.stdout.strip().splitlines()[-1]
    assert profile_id.isdigit()
    return profile_id


def matches(data_dir: Path, profile_id: str) -> list[dict[str, Any]]:
    out = cli("matches", "--profile", profile_id, "--json", "--data-dir", str(data_dir))
    assert out.returncode == 0, out.stderr
    found: list[dict[str, Any]] = json.loads(out.stdout)
    assert [m["score"] for m in found] == sorted((m["score"] for m in found), reverse=True)
    return found


def discover(data_dir: Path, profile_id: str) -> None:
    out = cli("discover", "--profile", profile_id, "--data-dir", str(data_dir))
    assert out.returncode == 0, out.stderr + out.stdout


def store_giving(path: Path, arts_name: str) -> None:
    """Ben & Jerry's gives to Vermont food shelves (and to this one); another foundation gives
    only to an arts group: its mission falls to 0 on evidence."""
    food = (
        grant("RANDOLPH AREA FOOD SHELF", 20_000),
        grant("CAMBRIDGE COMMUNITY FOOD SHELF INC", 15_000),
        grant("LYNDON AREA THRIFT STORE & EMERGENCY FOOD SHELF", 10_000),
    )
    returns = [
        pf_return("202201", BEN_AND_JERRYS, 2022, food, preselected=False, name="BEN & JERRYS FOUNDATION"),
        pf_return("202301", BEN_AND_JERRYS, 2023, food, preselected=False, name="BEN & JERRYS FOUNDATION"),
        pf_return("202302", "203794102", 2023, (grant(arts_name, 40_000),), preselected=False,
                  name="THREE THIRTY THREE FOUNDATION INC"),
    ]  # fmt: skip

    async def write() -> None:
        db = await Database.open(path)
        try:
            await db.write(lambda conn: store_returns(conn, returns))
        finally:
            await db.close()

    asyncio.run(write())


def test_vermont_food_shelf_matches_funders_only_then_evidence_reranks(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    assert cli("import", str(DATA / "eo_vt.csv"), "--data-dir", str(data_dir)).returncode == 0
    profile_id = add_profile(data_dir)
    listed = cli("profile", "list", "--data-dir", str(data_dir))
    assert listed.returncode == 0 and f"\n{profile_id}\tRandolph Area Food Shelf" in listed.stdout
    discover(data_dir, profile_id)
    before = matches(data_dir, profile_id)
    bmf = bmf_rows()
    eins = [m["ein"] for m in before]
    assert OWN_EIN not in eins
    assert {VCF, BEN_AND_JERRYS} <= set(eins)
    assert bmf[BEN_AND_JERRYS]["NTEE_CD"] == ""  # kept although its NTEE code is blank
    for m in before:
        assert m["kind"] in KINDS and m["reasons"] and isinstance(m["id"], int)
        assert "FOOD SHELF" not in m["name"] and "PANTRY" not in m["name"]
        row = bmf[m["ein"]]
        # a public charity is here only as a grantmaker (community foundation, federated fund, T code)
        if row["FOUNDATION"] not in ("02", "03", "04") and row["SUBSECTION"] != "92":
            assert m["kind"] == "grantmaking public charity", m

    arts = next(r for r in bmf.values() if r["NTEE_CD"].startswith("A2") and r["FOUNDATION"] == "15")
    store_giving(data_dir / "catalynx.sqlite3", arts["NAME"])
    discover(data_dir, profile_id)
    after = matches(data_dir, profile_id)
    rank_before = eins.index(BEN_AND_JERRYS)
    rank_after = [m["ein"] for m in after].index(BEN_AND_JERRYS)
    bj = after[rank_after]
    assert rank_after < rank_before and rank_after == 0
    assert any("gave you $20k in 2023; 2 gifts" in r for r in bj["reasons"])
    assert any("of its grant dollars" in r for r in bj["reasons"])
    assert bj["amount"] == 15_000  # its median grant, not "rolling"
    score = {m["ein"]: m["score"] for m in after}
    old_score = {m["ein"]: m["score"] for m in before}
    assert score["203794102"] < old_score["203794102"]  # gives to the arts only: below the threshold now


def test_gift_list_keeps_every_gift_and_past_funders_always_show(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    assert cli("import", str(DATA / "eo_vt.csv"), "--data-dir", str(data_dir)).returncode == 0
    gifts = tmp_path / "gifts.csv"
    gifts.write_text(
        "Funder,EIN,Gift date,Amount,State,Purpose,Notes\n"
        'Ben & Jerry\'s Foundation,03-0300865,2026-06-01,"$25,000",VT,Food shelf expansion,Renewal due May\n'
        "Ben & Jerry's Foundation,030300865,2021-05-15,10000,VT,General support,\n"
        "Green Mountain Grocers Fund,,2023-03-01,5000,VT,Holiday meals,\n"
        "Green Mountain Grocers Fund,,2022-03-01,4000,VT,Holiday meals,first gift\n",
        encoding="utf-8",
    )
    for _ in range(2):  # re-importing the same list adds no gift
        out = cli("import", str(gifts), "--data-dir", str(data_dir))
        assert out.returncode == 0, out.stderr
    with sqlite3.connect(data_dir / "catalynx.sqlite3") as conn:
        stored = conn.execute("SELECT funder_ein, gift_date, amount FROM gifts ORDER BY gift_date").fetchall()
    assert stored == [
        (BEN_AND_JERRYS, "2021-05-15", 10_000),
        ("", "2022-03-01", 4_000),
        ("", "2023-03-01", 5_000),
        (BEN_AND_JERRYS, "2026-06-01", 25_000),
    ]
    profile_id = add_profile(data_dir)
    discover(data_dir, profile_id)
    found = {m["name"]: m for m in matches(data_dir, profile_id)}
    bj = next(m for m in found.values() if m["ein"] == BEN_AND_JERRYS)
    assert sum(1 for m in found.values() if m["ein"] == BEN_AND_JERRYS) == 1  # merged with its IRS record
    assert any("gave you $25k in 2026; 2 gifts, $35k in all" in r for r in bj["reasons"])
    grocers = found["Green Mountain Grocers Fund"]
    assert grocers["kind"] == "your grantor" and not grocers["ein"]
    relationship = next(r for r in grocers["reasons"] if r.startswith("relationship:"))
    assert "gave you $5,000 in 2023; 2 gifts, $9,000 in all" in relationship and "lapsed" in relationship


def test_profile_commands_validate_edit_and_delete(tmp_path: Path) -> None:
    data_dir = str(tmp_path / "data")
    bad = cli("profile", "add", "--name", "X", "--ein", "12-34", "--data-dir", data_dir)
    assert bad.returncode == 2 and "EIN '12-34' must be 9 digits" in bad.stderr
    bad = cli(
        "profile", "add", "--name", "X", "--min-amount", "9", "--max-amount", "1", "--data-dir", data_dir
    )
    assert bad.returncode == 2 and "Minimum amount is larger than the maximum amount" in bad.stderr
    profile_id = add_profile(tmp_path / "data")
    edited = cli("profile", "edit", profile_id, "--nationwide", "--status", "draft", "--data-dir", data_dir)
    assert edited.returncode == 0 and "nationwide" in edited.stdout and "draft" in edited.stdout
    assert "K31,K30" in edited.stdout  # fields not given are kept
    gone = cli("profile", "delete", profile_id, "--data-dir", data_dir)
    assert gone.returncode == 0
    missing = cli("matches", "--profile", profile_id, "--data-dir", data_dir)
    assert missing.returncode == 2 and "no profile" in missing.stderr


def test_evaluate_matching_back_tests_the_imported_grants(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    assert cli("import", str(DATA / "eo_vt.csv"), "--data-dir", str(data_dir)).returncode == 0
    empty = cli("evaluate-matching", "--data-dir", str(data_dir))
    assert empty.returncode == 2 and "import 990 returns with grants first" in empty.stderr
    bmf = bmf_rows()
    arts = next(r for r in bmf.values() if r["NTEE_CD"].startswith("A2") and r["FOUNDATION"] == "15")
    store_giving(data_dir / "catalynx.sqlite3", arts["NAME"])
    out = cli("evaluate-matching", "--year", "2023", "--json", "--data-dir", str(data_dir))
    assert out.returncode == 0, out.stderr
    figures = json.loads(out.stdout)
    assert figures["year"] == 2023 and figures["recipients"] == 4 and figures["funders"] == 1
    for ranking in ("matching", "baseline"):
        assert set(figures[ranking]) == {"recall@20", "recall@100", "mrr"}
        assert all(0.0 <= v <= 1.0 for v in figures[ranking].values())
    # Ben & Jerry's gave to the three food shelves in 2022 too: the only funder with evidence
    # outside 2023, ranked first for them by both methods
    assert figures["matching"]["recall@20"] == 0.75 and figures["baseline"]["recall@20"] == 0.75
    words = cli("evaluate-matching", "--year", "2023", "--data-dir", str(data_dir))
    assert "recall@20" in words.stdout and "largest givers first" in words.stdout
