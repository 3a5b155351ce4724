"""`funder EIN [--json]`: what the imported 990 returns say about one funder."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from catalynx_desktop.app_logging import configure_logging
from catalynx_desktop.paths import resolve_paths


async def funder_command(args: argparse.Namespace) -> int:
    from catalynx_desktop.services import AppServices
    from catalynx_desktop.services.funders import normalize_ein

    ein = normalize_ein(args.ein)
    if ein is None:
        print(f"funder: {args.ein!r} is not an EIN (9 digits, e.g. 04-6662754)", file=sys.stderr)
        return 2
    paths = resolve_paths(args.data_dir).ensure()
    configure_logging(paths)
    services = await AppServices.open(paths)
    try:
        summary = await services.funders.summary(ein)
    finally:
        await services.close()
    if summary is None:
        print(f"funder: no IRS 990 return of EIN {ein} is imported", file=sys.stderr)
        return 1
    print(json.dumps(summary, ensure_ascii=False) if args.json else readable(summary))
    return 0


def _money(value: Any) -> str:
    return "—" if value is None else f"${value:,}"


def readable(summary: dict[str, Any]) -> str:
    """The summary as a few lines a person reads."""
    where = ", ".join(p for p in (summary.get("city"), summary.get("state")) if p)
    accepts = {True: "yes", False: "no (preselected organizations only)", None: "not stated"}[
        summary.get("accepts_applications")
    ]
    lines = [
        f"{summary['name']} (EIN {summary['ein']}){' — ' + where if where else ''}",
        f"  grants paid in {summary.get('latest_tax_year') or '—'}: {_money(summary.get('latest_grants_paid'))}; "
        f"{summary.get('grant_count', 0):,} grants listed, median {_money(summary.get('median_grant'))}",
        f"  accepts applications: {accepts}",
        f"  returns ({len(summary['returns'])}):",
    ]
    for r in summary["returns"]:
        flags = ("amended, " if r.get("amended") else "") + ("counts" if r.get("counts") else "superseded")
        lines.append(
            f"    {r['tax_period']} {r['return_type']:<5} {r['object_id']} ({flags}): "
            f"{r['grants_paid_count']:,} grants paid {_money(r['grants_paid_total'])}, "
            f"{r['future_grants_count']:,} approved for future payment, {r['officers_count']:,} people"
        )
    return "\n".join(lines)
