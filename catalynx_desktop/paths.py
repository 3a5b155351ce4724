"""Where the app keeps its files (platformdirs), with a --data-dir / CATALYNX_HOME override.

With an override every location (database, cache, logs, settings) lives under that one
directory, so a test or a second dataset never touches the user's real files.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from catalynx_desktop import APP_ID

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
        for directory in (self.data_dir, self.cache_dir, self.log_dir, self.config_dir):
            directory.mkdir(parents=True, exist_ok=True)
        return self


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
