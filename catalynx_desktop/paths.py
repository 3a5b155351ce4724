"""Where the app keeps its files (platformdirs), with a --data-dir / CATALYNX_HOME override.

With an override every location (database, cache, logs, settings) lives under that one
directory, so a test or a second dataset never touches the user's real files.

`AppPaths.ensure()` is what every command runs first: the data directory (database, lock,
backups) and the settings directory must be writable, or it raises DataDirectoryError with one
message naming the folder; the cache and log directories are optional (the app runs without a
cache, and logs to stderr), so a problem there is only a logged warning.
"""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from catalynx_desktop import APP_ID, APP_NAME
from catalynx_desktop.domain.errors import ErrorKind, StorageError

log = logging.getLogger(__name__)

ENV_HOME = "CATALYNX_HOME"
DATABASE_FILENAME = "catalynx.sqlite3"


@dataclass(frozen=True)
class AppPaths:
    data_dir: Path
    cache_dir: Path
    log_dir: Path
    config_dir: Path

    @property
    def database(self) -> Path:
        return self.data_dir / DATABASE_FILENAME

    @property
    def backups_dir(self) -> Path:
        return self.data_dir / "backups"

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.json"

    def ensure(self) -> AppPaths:
        """Create the directories; raises DataDirectoryError if the data or settings directory
        cannot be created or written (nothing in them is changed then)."""
        for directory, what in ((self.data_dir, "data directory"), (self.config_dir, "settings directory")):
            problem = _unwritable(directory)
            if problem is not None:
                raise DataDirectoryError(directory, what, problem)
        for directory, what in ((self.cache_dir, "cache"), (self.log_dir, "log")):
            try:
                directory.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                why = (
                    "a file is in its place"
                    if isinstance(error, FileExistsError)
                    else error.strerror or error
                )
                log.warning(
                    "the %s directory %s cannot be used (%s); continuing without it", what, directory, why
                )
        return self

    def data_dir_problem(self) -> str | None:
        """Why the data directory cannot be written (None if it can, or does not exist yet).
        Creates nothing: for commands that only report, like `paths`."""
        return _unwritable(self.data_dir) if self.data_dir.exists() else None


class DataDirectoryError(StorageError):
    """The data (or settings) directory cannot be created or written: the app cannot work there."""

    def __init__(self, directory: Path, what: str, problem: str) -> None:
        state = "is not writable" if directory.is_dir() else "cannot be created"
        super().__init__(
            f"The {what} {directory} {state} ({problem}). {APP_NAME} keeps its database and "
            "settings there and cannot work without writing to them; nothing there was changed. "
            "Fix the folder's permissions (or the disk's read-only mount), or choose another data "
            "directory with --data-dir.",
            ErrorKind.ENVIRONMENT,
            directory,
        )
        self.problem = problem


def _unwritable(directory: Path) -> str | None:
    """None if `directory` exists (created if needed) and a file can be created in it, else why not.

    A real probe file, not os.access(): access() says nothing about read-only mounts on every
    platform, ACLs or network file systems."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=directory, prefix=".catalynx-write-test-"):
            pass
    except FileExistsError:
        return "it is a file, not a folder"
    except OSError as error:
        return error.strerror or str(error)
    return None


DEMO_MARKER = "DEMO-DATA.txt"  # in a data directory that holds generated demo data, never real work
DEMO_SUBDIR = "demo"  # where the window's "Load demo" puts the demo: <data dir>/demo


def is_demo_dir(data_dir: Path) -> bool:
    return (data_dir / DEMO_MARKER).exists()


def mark_demo_dir(data_dir: Path) -> None:
    (data_dir / DEMO_MARKER).write_text(
        "This data directory holds generated demo data (catalynx-desktop demo / Load demo).\n"
        "Keep real work in another directory; deleting this one removes the demo.\n",
        encoding="utf-8",
    )


def resolve_paths(data_dir: str | os.PathLike[str] | None = None) -> AppPaths:
    """Explicit data_dir wins, then $CATALYNX_HOME, then the platform's user directories."""
    override = data_dir if data_dir is not None else os.environ.get(ENV_HOME)
    if override:
        root = Path(override).expanduser().resolve()
        return AppPaths(
            data_dir=root,
            cache_dir=root / "cache",
            log_dir=root / "logs",
            config_dir=root / "config",
        )
    dirs = platformdirs.PlatformDirs(APP_ID, appauthor=False)
    return AppPaths(
        data_dir=Path(dirs.user_data_dir),
        cache_dir=Path(dirs.user_cache_dir),
        log_dir=Path(dirs.user_log_dir),
        config_dir=Path(dirs.user_config_dir),
    )
