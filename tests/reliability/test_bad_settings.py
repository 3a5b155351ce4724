"""Issue 14, item 9: settings.json that is not the expected object, and damaged saved views in
ui.ini, exited at start-up with a traceback; saving settings on a full disk said "Something went
wrong: [Errno 28]" and left settings.tmp. Now each bad value is its default, the bad file is kept
aside, the window says so once, and a full disk is said in the app's usual words."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from catalynx_desktop.app import close_main_window, open_main_window
from catalynx_desktop.domain.errors import ErrorKind, StorageError
from catalynx_desktop.paths import resolve_paths
from catalynx_desktop.services import AppServices
from catalynx_desktop.settings import Settings
from tests.reliability.filesystems import fill, release, tmpfs

BAD_FILES = {
    "null": "null",
    "number": "5",
    "list": "[1, 2]",
    "huge": "1e400",
    "not json": "{cache_max_mb: 64",
    "nested": "[" * 100_000,
    "wrong types": json.dumps({"cache_max_mb": "many", "theme": 5, "run_retention_days": True})[:-1]
    + ', "discover_threshold": 1e400, "weight_mission": -1, "unknown_key": 1}',
}


def write_settings(data_dir: Path, text: str) -> Path:
    paths = resolve_paths(data_dir).ensure()
    paths.settings_file.write_text(text, encoding="utf-8")
    return paths.settings_file


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_bad_settings_file_gives_defaults_and_is_kept_aside(tmp_path: Path, run, case: str) -> None:
    settings_file = write_settings(tmp_path / "home", BAD_FILES[case])

    async def scenario() -> None:
        services = await AppServices.open(resolve_paths(tmp_path / "home"))
        try:
            assert services.settings == Settings()
            problem = services.take_settings_problem()
            assert problem is not None and "were not valid" in problem
            assert services.take_settings_problem() is None  # said once
        finally:
            await services.close()

    run(scenario())
    kept = list(settings_file.parent.glob("settings.json.bad-*"))
    assert len(kept) == 1 and kept[0].read_text(encoding="utf-8") == BAD_FILES[case]
    assert json.loads(settings_file.read_text(encoding="utf-8"))["cache_max_mb"] == 500


def test_good_values_survive_beside_bad_ones(tmp_path: Path, run) -> None:
    write_settings(tmp_path / "home", json.dumps({"cache_max_mb": 64, "theme": ["dark"], "future": "x"}))

    async def scenario() -> None:
        services = await AppServices.open(resolve_paths(tmp_path / "home"))
        try:
            assert services.settings.cache_max_mb == 64 and services.settings.theme == "system"
            assert "theme=['dark']" in (services.take_settings_problem() or "")
        finally:
            await services.close()

    run(scenario())
    rewritten = json.loads(resolve_paths(tmp_path / "home").settings_file.read_text(encoding="utf-8"))
    assert rewritten["cache_max_mb"] == 64 and rewritten["future"] == "x"


def test_the_window_opens_and_says_so_once_with_damaged_settings_and_saved_views(
    qtbot, run, data_dir: Path
) -> None:
    write_settings(data_dir, "null")
    paths = resolve_paths(data_dir).ensure()
    ui = QSettings(str(paths.config_dir / "ui.ini"), QSettings.Format.IniFormat)
    damaged = ["null", "[1, 2]", "5", '{"name": "x"}', '{"name": "y", "sort": "nope", "descending": 0}']
    damaged.append(
        json.dumps(
            {
                "name": "z",
                "stage": None,
                "sort": "title",
                "descending": False,
                "filters": {"min_amount": "lots"},
            }
        )
    )
    for number, text in enumerate(damaged):
        ui.setValue(f"saved_views/{number:02x}", text)
    ui.sync()

    window = run(open_main_window(data_dir))
    try:
        assert isinstance(window.errors.last, ValueError)
        assert "were not valid" in str(window.errors.last)
        window.saved_views._fill()  # the Views menu lists no damaged view and does not raise
        names = [action.text() for action in window.saved_views.menu.actions()]
        assert not {"x", "y", "z"} & set(names)
    finally:
        run(close_main_window(window))
    window = run(open_main_window(data_dir))
    try:
        assert window.errors.last is None  # the file was kept aside and rewritten: said once
    finally:
        run(close_main_window(window))


def test_saving_settings_on_a_full_disk_says_so_and_leaves_no_temp_file(tmp_path: Path, run) -> None:
    config = tmp_path / "config"
    config.mkdir()
    with tmpfs(config, "2m") as mounted:
        if not mounted:
            pytest.skip("mounting a tmpfs is not allowed here")
        paths = replace(resolve_paths(tmp_path / "home"), config_dir=config).ensure()

        async def scenario() -> None:
            services = await AppServices.open(paths)
            try:
                await asyncio.to_thread(fill, config)
                with pytest.raises(StorageError) as raised:
                    await services.apply_settings(Settings(cache_max_mb=64))
                assert raised.value.kind is ErrorKind.ENVIRONMENT
                assert "is full" in raised.value.user_message
                assert "Errno" not in raised.value.user_message
            finally:
                await asyncio.to_thread(release, config)
                await services.close()

        run(scenario())
        assert not (config / "settings.tmp").exists()
