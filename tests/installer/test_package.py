"""The installable program: `scripts/package.sh` builds the bundle and the .deb, and both run
on their own — from a folder outside the checkout, with no `.venv` on the path, no Python
environment and no project sources to fall back on.

The build takes about a minute (PyInstaller's analysis, then the .deb); it runs once per
session, started in the background when collection ends (`tests.installer.conftest`). These
tests are what tells us a counter PC without Python can run the program.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.installer.conftest import BUILD_KEY, start_build
from tests.store.test_upgrade import make_old_database

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def package(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, Path]]:
    """(bundle folder copied outside the checkout, .deb file). The build was started when
    collection ended (`tests.installer.conftest`); here it is waited for."""
    if shutil.which("dpkg-deb") is None:
        pytest.skip("dpkg-deb is not installed (Debian's dpkg)")
    build = request.config.stash.get(BUILD_KEY, None)
    if build is None:  # e.g. a test picked by its id after collection: build now
        build = start_build()
        request.config.stash[BUILD_KEY] = build
    returncode = build.wait(timeout=900)
    assert returncode == 0, build.log.read_text(errors="replace")
    out = build.out
    debs = list(out.glob("fee-control-counter_*.deb"))
    assert len(debs) == 1, list(out.iterdir())
    # a counter PC: the bundle in a folder of its own, far from the checkout
    installed = tmp_path_factory.mktemp("pc") / "fee-control-counter"
    shutil.move(str(out / "fee-control-counter"), installed)
    yield installed, debs[0]


def _bare_env(home: Path, **extra: str) -> dict[str, str]:
    """An environment with nothing of the project in it (no .venv, no PYTHONPATH)."""
    return {
        "HOME": str(home),
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
        **extra,
    }


def _run(
    exe: Path, *args: str, env: dict[str, str], stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(exe), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        cwd=env["HOME"],
    )


def test_bundle_self_check_passes_without_python(
    package: tuple[Path, Path], tmp_path: Path
) -> None:
    bundle, _ = package
    assert not (bundle / "counter_app").exists()  # the sources are not shipped as files
    env = _bare_env(tmp_path, COUNTER_DATA_DIR=str(tmp_path / "data"))
    done = _run(bundle / "counter-app-debug", "--self-check", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    # the receipts embed the font the bundle carries, and the translations load
    assert f"ok    receipt font: {bundle}" in done.stdout
    assert "ok    translations" in done.stdout


def test_bundle_takes_a_payment_on_a_fresh_database(
    package: tuple[Path, Path], tmp_path: Path
) -> None:
    bundle, _ = package
    env = _bare_env(tmp_path, COUNTER_DB_URL=f"sqlite:///{tmp_path / 'hall.db'}")
    ctl = bundle / "counterctl"
    assert _run(ctl, "init", env=env).returncode == 0
    assert _run(ctl, "demo", env=env).returncode == 0
    paid = _run(
        ctl,
        "pay",
        "100000000001",
        "100",
        "--channel",
        "counter",
        "--operator",
        "teller1",
        env=env,
        stdin="teller1-pass\n",
    )
    assert paid.returncode == 0, paid.stdout + paid.stderr
    assert "100.00" in paid.stdout
    checked = _run(ctl, "check", env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "I1 and I2 hold" in checked.stdout
    rows = (
        sqlite3.connect(tmp_path / "hall.db").execute("select amount_fen from payment").fetchall()
    )
    assert rows == [(10000,)]


def test_bundle_upgrades_an_old_database_with_a_copy(
    package: tuple[Path, Path], tmp_path: Path
) -> None:
    from counter_app.store import database as store_db

    bundle, _ = package
    path = tmp_path / "old.db"
    make_old_database(f"sqlite:///{path}")
    store_db.close_database()
    env = _bare_env(tmp_path, COUNTER_DB_URL=f"sqlite:///{path}")
    done = _run(bundle / "counterctl", "init", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "upgraded from schema version 1" in done.stdout
    copies = list(tmp_path.glob("old.db.before-v*.bak"))
    assert len(copies) == 1
    old = sqlite3.connect(copies[0]).execute("select max(version) from schema_version").fetchone()
    assert old == (1,)


def test_deb_installs_the_bundle_commands_desktop_entry_and_station_unit(
    package: tuple[Path, Path], tmp_path: Path
) -> None:
    _, deb = package
    fields = subprocess.run(
        ["dpkg-deb", "--field", str(deb), "Package", "Depends"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Package: fee-control-counter" in fields
    assert "pcscd" in fields
    root = tmp_path / "root"
    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    for cmd in (
        "counter-app",
        "counterctl",
        "card-tool",
        "meter-link",
        "meter-sim",
        "meter-station",
    ):
        link = root / "usr" / "bin" / cmd
        assert link.is_symlink() and os.readlink(link) == f"/opt/fee-control-counter/{cmd}"
        assert os.access(root / "opt" / "fee-control-counter" / cmd, os.X_OK)
    desktop = (root / "usr/share/applications/fee-control-counter.desktop").read_text()
    assert "Exec=/opt/fee-control-counter/counter-app" in desktop
    unit = (root / "lib/systemd/system/meter-station.service").read_text()
    assert "ExecStart=/opt/fee-control-counter/meter-station serve" in unit
    assert "User=fee-control" in unit
    # the program from the unpacked package runs on its own
    env = _bare_env(tmp_path, COUNTER_DB_URL=f"sqlite:///{tmp_path / 'deb.db'}")
    done = _run(root / "opt" / "fee-control-counter" / "counterctl", "init", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    decoded = _run(
        root / "opt" / "fee-control-counter" / "meter-link",
        "decode",
        "68 25 04 03 02 01 00 68 11 04 33 33 34 33 E1 16",
        env=env,
    )
    assert decoded.returncode == 0 and "000102030425" in decoded.stdout
