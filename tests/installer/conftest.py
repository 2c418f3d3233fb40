"""The package build starts as soon as the session knows it will run the installer tests.

PyInstaller's analysis and the .deb take about a minute of one processor. Started when
collection ends, the build runs beside the tests that come before these (most of them wait on
sockets, subprocesses and the database, not on both processors), and the `package` fixture
finds it done or waits for the rest. It is the same command as before (`scripts/package.sh
--out DIR`), run in a copy of the checkout's files (with this checkout's `.venv`): the script
compiles the translations in its own tree, and here that never rewrites a catalogue under a
window test that is loading it. The build is started by this session and stopped by its
process group if the session ends first; its folder is removed at the end.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@dataclass
class PackageBuild:
    """``scripts/package.sh --out folder / "dist"`` running (or done) in the background."""

    process: subprocess.Popen[bytes]
    folder: Path

    @property
    def out(self) -> Path:
        return self.folder / "dist"

    @property
    def log(self) -> Path:
        return self.folder / "build.log"

    def wait(self, timeout: float = 900) -> int:
        return self.process.wait(timeout)

    def stop(self) -> None:
        """Stop the build this session started (its process group), then remove its files."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        shutil.rmtree(self.folder, ignore_errors=True)


BUILD_KEY = pytest.StashKey[PackageBuild]()


NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv", "__pycache__", "*.pyc", "var", "dist", "build", ".*_cache", ".hypothesis"
)


def start_build() -> PackageBuild:
    folder = Path(tempfile.mkdtemp(prefix="counter-package-"))
    tree = folder / "checkout"
    shutil.copytree(REPO, tree, ignore=NOT_COPIED, symlinks=True)
    (tree / ".venv").symlink_to(REPO / ".venv")
    with (folder / "build.log").open("wb") as log:
        process = subprocess.Popen(
            [str(tree / "scripts" / "package.sh"), "--out", str(folder / "dist")],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "DEB_COMPRESSION_LEVEL": "1"},
            start_new_session=True,
        )
    return PackageBuild(process, folder)


def pytest_collection_finish(session: pytest.Session) -> None:
    here = Path(__file__).parent
    wanted = any(Path(str(item.path)).is_relative_to(here) for item in session.items)
    if wanted and shutil.which("dpkg-deb") is not None and not session.config.option.collectonly:
        session.config.stash[BUILD_KEY] = start_build()


def pytest_sessionfinish(session: pytest.Session) -> None:
    build = session.config.stash.get(BUILD_KEY, None)
    if build is not None:
        build.stop()
