"""What `import` accepts as an input, checked in one place before any format is sniffed.

A regular file, or a folder: a folder of IRS 990 returns is importable, and detection
(sources/detect.py) tells any other folder, with `folder_reason`, that it is a folder and names the
files in it that could be imported instead.
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
        return path  # detection decides: a folder of IRS 990 returns, or folder_reason's message
    if path.exists():
        raise FormatError(path, "this is not a regular file (a device, pipe or socket); pass a file")
    raise FormatError(path, "no such file: it does not exist")


def folder_reason(folder: Path) -> str:
    """What to say of a folder that holds no IRS 990 returns."""
    try:
        names = sorted(
            p.name for p in folder.iterdir() if p.suffix.lower() in IMPORTABLE_SUFFIXES and p.is_file()
        )
    except OSError as error:
        return f"this is a folder (and it cannot be listed: {error.strerror}); pass the files to import"
    said = "this is a folder, and it holds no IRS 990 return XML files"
    if not names:
        kinds = ", ".join(IMPORTABLE_SUFFIXES)
        return f"{said} and no {kinds} file; pass the files to import, not a folder"
    shown = ", ".join(names[:_LISTED]) + (
        f" and {len(names) - _LISTED:,} more" if len(names) > _LISTED else ""
    )
    return f"{said}; pass the files in it to import instead ({shown})"
