"""What `import` accepts as an input, checked in one place before any format is sniffed.

Today that is one regular file. A folder gets a message that says it is a folder and names the
files in it that could be imported instead; when folders of IRS 990 returns become importable,
this is the function that accepts them.
"""

from __future__ import annotations

from pathlib import Path

from catalynx_desktop.sources.base import FormatError

IMPORTABLE_SUFFIXES = (".csv", ".xml", ".zip", ".xlsx")
_LISTED = 5


def check_importable(path: Path | str) -> Path:
    """`path` if it can be imported, else FormatError with one message that says what to pass."""
    path = Path(path)
    if path.is_file():
        return path
    if path.is_dir():
        raise FormatError(path, _folder_reason(path))
    if path.exists():
        raise FormatError(path, "this is not a regular file (a device, pipe or socket); pass a file")
    raise FormatError(path, "no such file: it does not exist")


def _folder_reason(folder: Path) -> str:
    try:
        names = sorted(
            p.name for p in folder.iterdir() if p.suffix.lower() in IMPORTABLE_SUFFIXES and p.is_file()
        )
    except OSError as error:
        return f"this is a folder (and it cannot be listed: {error.strerror}); pass the files to import"
    kinds = ", ".join(IMPORTABLE_SUFFIXES)
    if not names:
        return f"this is a folder, and it holds no {kinds} file; pass the files to import, not a folder"
    shown = ", ".join(names[:_LISTED]) + (
        f" and {len(names) - _LISTED:,} more" if len(names) > _LISTED else ""
    )
    return f"this is a folder; pass the files in it to import instead ({shown})"
