"""The options of `profile add|list|edit|delete`, `matches` and `evaluate-matching`."""

from __future__ import annotations

import argparse
from typing import Any

from catalynx_desktop.domain.profile import ProfileStatus


def _fields(parser: argparse.ArgumentParser, *, name_required: bool) -> None:
    """Every profile field as a flag (edit: only the flags given change)."""
    parser.add_argument("--name", required=name_required, help="the organization's name")
    parser.add_argument("--ein", help="its EIN (NN-NNNNNNN or 9 digits): never matched as a funder")
    parser.add_argument("--ntee", help="its own NTEE code (e.g. K31)")
    parser.add_argument("--targets", help="NTEE codes it works in, comma separated (e.g. K31,K30)")
    parser.add_argument("--focus", help="focus and program areas, comma separated")
    parser.add_argument("--keywords", help="keywords, comma separated")
    scope = parser.add_mutually_exclusive_group()
    scope.add_argument("--states", help="two-letter states, comma separated (e.g. VT,NH)")
    scope.add_argument("--nationwide", action="store_true", default=None, help="works nationwide")
    parser.add_argument("--min-amount", type=_amount, help="smallest grant worth asking for (whole dollars)")
    parser.add_argument("--max-amount", type=_amount, help="largest ask (whole dollars)")
    parser.add_argument("--revenue", type=_amount, help="annual revenue (whole dollars)")
    parser.add_argument("--status", choices=[s.value for s in ProfileStatus], help="default: active")


def _amount(text: str) -> int:
    cleaned = text.replace(",", "").replace("$", "").strip()
    try:
        return int(cleaned)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of dollars") from None


def add_profile_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    profile = commands.add_parser("profile", parents=[common], help="add, list, edit or delete profiles")
    actions = profile.add_subparsers(dest="action", required=True)
    _fields(
        actions.add_parser("add", parents=[common], help="add a profile; prints its id last"),
        name_required=True,
    )
    actions.add_parser("list", parents=[common], help="list profiles with their ids")
    edit = actions.add_parser("edit", parents=[common], help="change the fields given")
    edit.add_argument("id", type=int, help="the profile's id (see: profile list)")
    _fields(edit, name_required=False)
    delete = actions.add_parser("delete", parents=[common], help="delete a profile and its opportunities")
    delete.add_argument("id", type=int, help="the profile's id (see: profile list)")


def add_matching_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    matches = commands.add_parser("matches", parents=[common], help="a profile's funding matches, best first")
    matches.add_argument("--profile", type=int, required=True, help="the profile's id")
    matches.add_argument("--json", action="store_true", help="a JSON list of objects")
    matches.add_argument("--limit", type=int, help="show at most this many")
    evaluate = commands.add_parser(
        "evaluate-matching",
        parents=[common],
        help="back-test the ranking on the imported 990 grants (recall@20, recall@100, MRR vs largest givers)",
    )
    evaluate.add_argument("--year", type=int, help="the year to hide (default: the latest with grants)")
    evaluate.add_argument("--json", action="store_true", help="the figures as JSON")
    evaluate.add_argument(
        "--recipients", type=int, default=500, help="recipients to test at most (an even spread; default 500)"
    )
