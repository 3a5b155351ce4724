"""HTML building blocks for reports: escaping, money and dates in words, data and label tables.

Every value from the data goes through `e` (html.escape), numbers included. Qt's rich-text engine
reads these too (ui/reports/dossier_pdf.py): tables carry align attributes it understands.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from datetime import date


def e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def money(amount: int | None) -> str:
    return "not stated" if amount is None else f"${amount:,}"


def money_or_dash(amount: int | None) -> str:
    return "—" if amount is None else f"${amount:,}"


def day(text: str | date | None) -> str:
    """'2027-03-01' -> 'Mar 1, 2027'; '' -> ''."""
    if not text:
        return ""
    try:
        when = text if isinstance(text, date) else date.fromisoformat(str(text)[:10])
    except ValueError:
        return str(text)
    return f"{when:%b} {when.day}, {when.year}"


NUMERIC = ' class="num" align="right"'


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], numeric: Sequence[int] = ()) -> str:
    """A data table; columns listed in `numeric` are right-aligned (Qt reads the align attribute)."""
    head = "".join(f"<th{NUMERIC if i in numeric else ''}>{e(h)}</th>" for i, h in enumerate(headers))
    body = []
    for row in rows:
        cells = "".join(f"<td{NUMERIC if i in numeric else ''}>{e(v)}</td>" for i, v in enumerate(row))
        body.append(f"<tr>{cells}</tr>")
    return (
        '<table class="data" width="100%" cellspacing="0">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def pairs(rows: Iterable[tuple[str, object]]) -> str:
    """A label / value table (no header row); rows with an empty value are left out."""
    body = "".join(
        f'<tr><td class="key" width="28%">{e(label)}</td><td>{e(value)}</td></tr>'
        for label, value in rows
        if value
    )
    return (
        f'<table class="data pairs" width="100%" cellspacing="0"><tbody>{body}</tbody></table>'
        if body
        else ""
    )


def para(text: str, css: str = "") -> str:
    css_attr = f' class="{css}"' if css else ""
    return f"<p{css_attr}>{e(text)}</p>"


def muted(text: str) -> str:
    return para(text, "muted")
