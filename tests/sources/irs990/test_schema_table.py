"""The era table against the IRSx variable subset (shared/data/irs990/irsx_variables_grants_subset.csv):
every 2013 and 2014+ xpath of the fields we read is a path our table builds for that era."""

from __future__ import annotations

import csv
import itertools

from catalynx_desktop.sources.irs990 import schema
from catalynx_desktop.sources.irs990.schema import Era, era_of
from tests.sources.irs990.conftest import ROOTS

# IRSx fields of these groups that the parser does not keep (not asked for by the issue).
NOT_READ = {
    "ContributingManagerNm",
    "ShareholderManagerNm",
    "NonCashAssistanceDesc",
    "ValuationMethodUsedDesc",
    "GrantRecordsMaintainedInd",
    "Total501c3OrgCnt",
    "TotalOtherOrgCnt",
    "BusinessNameControlTxt",
    "InCareOfNm",
    "PhoneNum",
    "ExplanationTxt",
    "FormAndLineReferenceDesc",
}


def _alternatives(path: str) -> list[str]:
    return path.split("|")


def _join(*parts: str) -> list[str]:
    return ["/".join(p) for p in itertools.product(*(_alternatives(part) for part in parts))]


def _with_addresses(prefix: str, us: str, foreign: str, era: Era) -> set[str]:
    paths = set()
    for leaf in schema.US_ADDRESS.values():
        paths.update(_join(prefix, us, leaf[era]))
    for leaf in schema.FOREIGN_ADDRESS.values():
        paths.update(_join(prefix, foreign, leaf[era]))
    return paths


def table_paths(era: Era) -> set[str]:
    """Every full path (from the form or header element) the table reads in `era`."""
    pf, grant, app = schema.FORM_990PF, schema.PF_GRANT, schema.PF_APPLICATION
    paths: set[str] = set()
    for key in ("preselected", "paid_total", "future_total"):
        paths.update(_join("/IRS990PF", pf[key][era]))
    for group in (pf["paid"][era], pf["future"][era]):
        for key in ("person", "name1", "name2", "relationship", "status", "purpose", "amount"):
            paths.update(_join("/IRS990PF", group, grant[key][era]))
        paths |= _with_addresses(
            f"/IRS990PF/{group}", grant["us_address"][era], grant["foreign_address"][era], era
        )
    group = pf["application"][era]
    for key in ("name", "phone", "email", "form", "deadlines", "restrictions"):
        paths.update(_join("/IRS990PF", group, app[key][era]))
    paths |= _with_addresses(f"/IRS990PF/{group}", app["us_address"][era], app["foreign_address"][era], era)
    rows, recipient = schema.SCHEDULE_I, schema.SCHEDULE_I_RECIPIENT
    for key in ("name1", "name2", "ein", "irc_section", "cash", "noncash", "purpose"):
        paths.update(_join("/IRS990ScheduleI", rows["recipients"][era], recipient[key][era]))
    paths |= _with_addresses(
        f"/IRS990ScheduleI/{rows['recipients'][era]}",
        recipient["us_address"][era],
        recipient["foreign_address"][era],
        era,
    )
    for leaf in schema.SCHEDULE_I_INDIVIDUALS.values():
        paths.update(_join("/IRS990ScheduleI", rows["individuals"][era], leaf[era]))
    header = schema.HEADER
    for key in ("ein", "name1", "name2"):
        paths.update(_join("/ReturnHeader", header[key][era]))
    paths |= _with_addresses("/ReturnHeader", header["us_address"][era], header["foreign_address"][era], era)
    return paths


def test_every_irsx_path_we_read_is_built_by_the_table_for_its_years() -> None:
    with (ROOTS[-1] / "irsx_variables_grants_subset.csv").open(newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    built = {
        Era.Y2013: table_paths(Era.Y2013),
        Era.Y2014: table_paths(Era.Y2014),
        Era.Y2021: table_paths(Era.Y2021),
    }
    checked = 0
    for row in rows:
        xpath, start, end = row["xpath"], int(row["version_start"]), row["version_end"]
        if xpath.rsplit("/", 1)[-1] in NOT_READ:
            continue
        if start <= 2013 and (not end or int(end) >= 2013):
            assert xpath in built[Era.Y2013], f"2013: {xpath}"
            checked += 1
        if not end:
            assert xpath in built[Era.Y2014] and xpath in built[Era.Y2021], f"2014+: {xpath}"
            checked += 1
    assert checked > 150


def test_versions_map_to_eras() -> None:
    assert [era_of(v) for v in ("2008v2.7", "2012v2.0", "2013v3.0", "2014v5.0", "2020v4.1", "2021v4.2")] == [
        Era.LEGACY,
        Era.LEGACY,
        Era.Y2013,
        Era.Y2014,
        Era.Y2014,
        Era.Y2021,
    ]
    assert era_of("2031v1.0") is Era.Y2021 and era_of("") is Era.Y2021 and era_of("v1") is Era.Y2021
