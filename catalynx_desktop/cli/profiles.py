"""`profile add|list|edit|delete`: profiles from the command line, every field a flag."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import Any

from catalynx_desktop.app_logging import configure_logging
from catalynx_desktop.domain.profile import Profile, ProfileStatus
from catalynx_desktop.paths import resolve_paths


def _split(text: str | None) -> tuple[str, ...] | None:
    return None if text is None else tuple(p.strip() for p in text.split(",") if p.strip())


def profile_changes(args: argparse.Namespace) -> dict[str, Any]:
    """The Profile fields the flags give (flags not given: not in the result)."""
    changes: dict[str, Any] = {
        "name": args.name,
        "ein": args.ein,
        "ntee_code": args.ntee,
        "target_ntee_codes": _split(args.targets),
        "focus_areas": _split(args.focus),
        "keywords": _split(args.keywords),
        "min_amount": args.min_amount,
        "max_amount": args.max_amount,
        "annual_revenue": args.revenue,
        "status": ProfileStatus(args.status) if args.status else None,
    }
    if args.states is not None:
        changes["states"], changes["nationwide"] = _split(args.states), False
    if args.nationwide:
        changes["states"], changes["nationwide"] = (), True
    return {k: v for k, v in changes.items() if v is not None}


def describe(profile: Profile) -> str:
    scope = "nationwide" if profile.nationwide else ",".join(profile.states) or "no states"
    amounts = f"${profile.min_amount or 0:,}-" + (f"${profile.max_amount:,}" if profile.max_amount else "any")
    return (
        f"{profile.id}\t{profile.name}\tEIN {profile.ein or '-'}\tNTEE {profile.ntee_code or '-'}\t"
        f"targets {','.join(profile.target_ntee_codes) or '-'}\t{scope}\t{amounts}\t{profile.status.value}"
    )


async def profile_command(args: argparse.Namespace) -> int:
    from catalynx_desktop.services import AppServices

    paths = resolve_paths(args.data_dir).ensure()
    configure_logging(paths)
    services = await AppServices.open(paths)
    try:
        return await _run(services, args)
    except ValueError as error:  # domain/validation.py's messages name the field
        print(f"profile {args.action}: {error}", file=sys.stderr)
        return 2
    finally:
        await services.close()


async def _run(services: Any, args: argparse.Namespace) -> int:
    profiles = services.profiles
    if args.action == "add":
        created = await profiles.create(Profile(**profile_changes(args)))
        print(describe(created))
        print(created.id)  # alone on the last line, for scripts
        return 0
    if args.action == "list":
        print("id\tname\tEIN\tNTEE\ttargets\tstates\tamounts\tstatus")
        for summary in await profiles.list_summaries():
            print(describe(summary.profile))
        return 0
    found = await profiles.get(args.id)
    if found is None:
        print(f"profile {args.action}: there is no profile {args.id} (see: profile list)", file=sys.stderr)
        return 2
    if args.action == "edit":
        print(describe(await profiles.update(dataclasses.replace(found, **profile_changes(args)))))
        return 0
    await profiles.delete(args.id)
    print(f"deleted profile {args.id} ({found.name}) and its opportunities")
    return 0
