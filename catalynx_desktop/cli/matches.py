"""`matches` (a profile's funding matches, best first) and `evaluate-matching` (the back-test)."""

from __future__ import annotations

import argparse
import json
import sys

from catalynx_desktop.app_logging import configure_logging
from catalynx_desktop.paths import resolve_paths


async def matches_command(args: argparse.Namespace) -> int:
    from catalynx_desktop.services import AppServices

    if args.limit is not None and args.limit < 1:
        print("matches: --limit must be at least 1", file=sys.stderr)
        return 2
    paths = resolve_paths(args.data_dir).ensure()
    configure_logging(paths)
    services = await AppServices.open(paths)
    try:
        if await services.profiles.get(args.profile) is None:
            print(f"matches: there is no profile {args.profile} (see: profile list)", file=sys.stderr)
            return 2
        found = await services.matching.matches(args.profile, args.limit)
    finally:
        await services.close()
    if args.json:
        print(json.dumps([m.as_json() for m in found], indent=1))
        return 0
    if not found:
        print("no matches yet: run `discover --profile ID` first")
    for rank, m in enumerate(found, start=1):
        amount = f"${m.amount:,}" if m.amount else "amount unknown"
        print(f"{rank:>4}. {m.score:.3f}  {m.name}  ({m.kind}, EIN {m.ein or '-'}, {amount})  [id {m.id}]")
        for reason in m.reasons:
            print(f"        {reason}")
    return 0


async def evaluate_command(args: argparse.Namespace) -> int:
    from catalynx_desktop.services import AppServices

    paths = resolve_paths(args.data_dir).ensure()
    configure_logging(paths)
    services = await AppServices.open(paths)
    try:
        weights = services.settings.scoring_weights()
        result = await services.matching.evaluate(args.year, weights, max_recipients=args.recipients)
    except ValueError as error:
        print(f"evaluate-matching: {error}", file=sys.stderr)
        return 2
    finally:
        await services.close()
    if args.json:
        figures = {
            "year": result.year,
            "recipients": result.recipients,
            "funders": result.funders,
            **{
                name: {**{f"recall@{k}": r.recall[k] for k in result.ks}, "mrr": r.mrr}
                for name, r in (("matching", result.matcher), ("baseline", result.baseline))
            },
        }
        print(json.dumps(figures, indent=1))
        return 0
    print("\n".join(result.lines()))
    return 0
