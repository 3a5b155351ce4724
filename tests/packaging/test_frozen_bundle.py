"""The installer's bundle: build it with packaging/catalynx.spec (PyInstaller, one-dir), then run the
frozen app: --self-test (temporary database, migrations, demo, main window + dashboard, offscreen),
the command line with Discover's worker processes, and on Linux the tar.gz/.deb packaging script.

One build per session (~40-90 s on 2 cores, in pytest's tmp dir); run by .ci/run with everything else.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from catalynx_desktop import __version__

pytest.importorskip(
    "PyInstaller", reason='PyInstaller is not installed (it is in the test extra: pip install -e ".[test]")'
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]

ROOT = Path(__file__).resolve().parents[2]
NAME = "catalynx-desktop"
LINUX = sys.platform.startswith("linux")


def frozen_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in ("CATALYNX_HOME", "PYTHONPATH")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    """dist/catalynx-desktop built from the spec into a temporary directory."""
    if LINUX:
        missing = [tool for tool in ("objdump", "readelf", "strip") if shutil.which(tool) is None]
        assert not missing, f"PyInstaller and the spec need binutils on Linux; missing: {missing}"
    out = tmp_path_factory.mktemp("pyinstaller")
    started = time.perf_counter()
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(out / "dist"),
            "--workpath",
            str(out / "build"),
            str(ROOT / "packaging" / "catalynx.spec"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1000,
        check=False,
    )
    assert build.returncode == 0, f"PyInstaller failed:\n{build.stdout[-3000:]}\n{build.stderr[-6000:]}"
    print(f"\nbundle built in {time.perf_counter() - started:.0f} s")
    return out / "dist" / NAME


def executable(bundle: Path) -> Path:
    # Windows: the console twin of the windowed catalynx-desktop.exe (see the spec).
    return bundle / (f"{NAME}-cli.exe" if sys.platform == "win32" else NAME)


def run_frozen(bundle: Path, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(executable(bundle)), *args],
        capture_output=True,
        text=True,
        env=frozen_env(),
        cwd=bundle.parent,
        timeout=timeout,
        check=False,
    )


def test_frozen_self_test_passes(bundle: Path) -> None:
    started = time.perf_counter()
    result = run_frozen(bundle, "--self-test")
    elapsed = time.perf_counter() - started
    assert result.returncode == 0, f"--self-test failed:\n{result.stdout}\n{result.stderr[-4000:]}"
    assert "self-test passed" in result.stdout
    print(f"\nfrozen --self-test passed in {elapsed:.2f} s: {result.stdout.strip()}")


def test_bundle_carries_resources_and_leaves_out_unused_parts(bundle: Path) -> None:
    internal = bundle / "_internal"
    resources = internal / "resources"
    for name in [
        "demo_seed.json",
        "ntee_codes.csv",
        "icons/catalynx.svg",
        *(f"icons/catalynx-{size}.png" for size in (16, 24, 32, 48, 64, 128, 256, 512)),
    ]:
        assert (resources / name).is_file(), f"resources/{name} is missing from the bundle"
    assert not (resources / "screenshots").exists(), "the README screenshots must not be bundled"
    assert (internal / "pyqtgraph").is_dir(), "pyqtgraph (the dashboard) is missing"

    files = [path.relative_to(internal).as_posix() for path in internal.rglob("*")]
    for unwanted in (
        "QtNetwork",
        "QtQml",
        "QtQuick",
        "QtWebEngine",
        "Qt3D",
        "QtPdf",
        "QtMultimedia",
        "QtDesigner",
        "scipy/",
        "tkinter",
        "_pytest/",
        "setuptools/",
        "/tls/",
        "/translations/",
        "libqgtk3",
        "libqvnc",
        "libqeglfs",
        "zstandard/_cffi",
    ):
        found = [name for name in files if unwanted.lower() in name.lower()]
        assert not found, f"{unwanted} should not be in the bundle: {found[:5]}"
    dangling = [path for path in internal.rglob("*") if path.is_symlink() and not path.exists()]
    assert not dangling, f"dangling symlinks: {dangling[:5]}"


def test_frozen_command_line_runs_discover_worker_processes(bundle: Path, tmp_path: Path) -> None:
    """Discover scores in spawned worker processes: the frozen executable must start them as workers
    (multiprocessing.freeze_support), not as a second app."""
    data = str(tmp_path / "data")
    assert run_frozen(bundle, "--version").stdout.strip() == __version__
    demo = run_frozen(bundle, "demo", "--profiles", "1", "--opportunities", "3000", "--data-dir", data)
    assert demo.returncode == 0, demo.stderr[-4000:]
    discover = run_frozen(bundle, "discover", "--profile", "1", "--data-dir", data)
    assert discover.returncode == 0, f"{discover.stdout[-2000:]}\n{discover.stderr[-4000:]}"
    assert "succeeded" in discover.stdout


@pytest.mark.skipif(
    not LINUX or shutil.which("dpkg-deb") is None, reason="the .deb is built on Debian/Ubuntu"
)
def test_linux_packages(bundle: Path, tmp_path: Path) -> None:
    """packaging/build_linux.sh --no-build wraps the bundle in a tar.gz and a .deb."""
    env = {
        **frozen_env(),
        "DIST_DIR": str(bundle.parent),
        "BUILD_DIR": str(tmp_path / "build"),
        "PACKAGE_FAST": "1",
    }
    script = subprocess.run(
        ["bash", str(ROOT / "packaging" / "build_linux.sh"), "--no-build"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert script.returncode == 0, f"build_linux.sh failed:\n{script.stdout[-3000:]}\n{script.stderr[-3000:]}"
    tarball = bundle.parent / f"{NAME}-{__version__}-linux-{os.uname().machine}.tar.gz"
    debs = list(bundle.parent.glob(f"{NAME}_{__version__}_*.deb"))
    assert tarball.is_file() and len(debs) == 1

    with tarfile.open(tarball) as archive:
        names = archive.getnames()
    assert f"{NAME}-{__version__}/{NAME}" in names
    assert f"{NAME}-{__version__}/_internal/resources/demo_seed.json" in names

    info = subprocess.run(
        ["dpkg-deb", "--field", str(debs[0]), "Package", "Version", "Depends"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"Package: {NAME}" in info and f"Version: {__version__}" in info and "libxcb-cursor0" in info
    contents = subprocess.run(
        ["dpkg-deb", "--contents", str(debs[0])], capture_output=True, text=True, check=True
    ).stdout
    for member in (
        f"./usr/bin/{NAME} -> /opt/{NAME}/{NAME}",
        f"./opt/{NAME}/{NAME}",
        f"./usr/share/applications/{NAME}.desktop",
        f"./usr/share/icons/hicolor/256x256/apps/{NAME}.png",
        f"./usr/share/icons/hicolor/scalable/apps/{NAME}.svg",
    ):
        assert member in contents, f"{member} is missing from the .deb"

    # The packaged app starts from its /usr/bin symlink (the bootloader finds _internal/ through it).
    root = tmp_path / "root"
    subprocess.run(["dpkg-deb", "-x", str(debs[0]), str(root)], check=True)
    link = tmp_path / NAME
    link.symlink_to(root / "opt" / NAME / NAME)
    started = subprocess.run(
        [str(link), "paths", "--data-dir", str(tmp_path / "data")],
        capture_output=True,
        text=True,
        env=frozen_env(),
        timeout=120,
        check=False,
    )
    assert started.returncode == 0 and "database" in started.stdout, started.stderr[-3000:]
