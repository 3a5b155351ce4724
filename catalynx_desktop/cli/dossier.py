"""`catalynx-desktop dossier --opportunity ID --out FILE.pdf|FILE.html`: the funder dossier of one
opportunity, as a printable PDF (Qt's own printing, offscreen without a display) or as HTML."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when the command runs: app.py (and the window's start) stay lean
    from catalynx_desktop.domain.dossier import Dossier

COMMAND = "dossier"
FORMATS = (".pdf", ".html", ".htm")


def add_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    parser = commands.add_parser(
        COMMAND, parents=[common], help="write the funder dossier of an opportunity as PDF or HTML"
    )
    parser.add_argument("--opportunity", type=int, required=True, metavar="ID", help="the opportunity's id")
    parser.add_argument("--out", required=True, metavar="FILE", help="FILE.pdf or FILE.html")


async def _read(args: argparse.Namespace) -> Dossier | None:
    from catalynx_desktop.paths import resolve_paths
    from catalynx_desktop.storage.database import Database
    from catalynx_desktop.storage.dossier_store import load_dossier

    paths = resolve_paths(args.data_dir).ensure()
    db = await Database.open(paths.database)
    try:
        return await load_dossier(db, args.opportunity, date.today())
    finally:
        await db.close()


def run(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.suffix.lower() not in FORMATS:
        print(f"{COMMAND}: --out must end in .pdf or .html (got {out.name})", file=sys.stderr)
        return 2
    if not out.parent.is_dir():
        print(f"{COMMAND}: the folder of {out} does not exist", file=sys.stderr)
        return 2
    from catalynx_desktop.export.dossier_html import dossier_title, render_dossier_html, write_dossier_html

    dossier = asyncio.run(_read(args))
    if dossier is None:
        print(f"{COMMAND}: there is no opportunity {args.opportunity}", file=sys.stderr)
        return 2
    if out.suffix.lower() == ".pdf":
        # Qt only for the PDF: the HTML path never loads it.
        from catalynx_desktop.ui.reports.dossier_pdf import gui_application, write_dossier_pdf

        gui_application()
        pages = write_dossier_pdf(out, render_dossier_html(dossier), dossier_title(dossier))
        print(f"wrote the dossier of {dossier.funder_name} ({pages} pages) to {out}")
    else:
        write_dossier_html(out, dossier)
        print(f"wrote the dossier of {dossier.funder_name} to {out}")
    return 0
