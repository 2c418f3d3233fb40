"""The import contracts in pyproject can fail: a copy of the program with one wrong import
breaks them, the unchanged copy keeps them.

Each case copies the three packages and the configuration to a temporary directory, appends
one import that crosses a rule (the window below the services, the records above the
services, the two device libraries into each other, a cycle between two services, Qt in the
domain) and runs ``lint-imports`` on that copy.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("counter_app", "card_io", "meter_link")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _copy_tree(target: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, target / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    return target


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _append(tree: Path, module: str, line: str) -> None:
    path = tree / (module.replace(".", "/") + ".py")
    assert path.exists(), path
    with path.open("a", encoding="utf-8") as fh:
        fh.write(f"\n{line}  # noqa\n")


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _copy_tree(tmp_path_factory.mktemp("pristine"))


def test_the_copy_keeps_every_contract(pristine: Path) -> None:
    """The baseline: the copied tree is linted (not the installed one) and is clean."""
    result = _lint(pristine)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


WRONG_IMPORTS = [
    pytest.param(
        "counter_app.services.payments",
        "import counter_app.ui.texts",
        "Layers inside the counter program",
        id="services-import-the-window",
    ),
    pytest.param(
        "counter_app.store.models",
        "import counter_app.services.lookup",
        "Layers inside the counter program",
        id="records-import-the-services",
    ),
    pytest.param(
        "counter_app.services.lookup",
        "import counter_app.bootstrap",
        "Layers inside the counter program",
        id="services-import-the-composition-root",
    ),
    pytest.param(
        "card_io.purchase_card",
        "import meter_link.dlt645.frame",
        "independent of each other",
        id="card-library-imports-meter-library",
    ),
    pytest.param(
        "meter_link.security",
        "import card_io.security",
        "independent of each other",
        id="meter-library-imports-card-library",
    ),
    pytest.param(
        "counter_app.services.audit",
        "import counter_app.services.auth",
        "No import cycles",
        id="audit-and-auth-in-a-cycle",
    ),
    pytest.param(
        "counter_app.core.money",
        "import PySide6.QtCore",
        "Only the UI imports Qt",
        id="domain-imports-qt",
    ),
    pytest.param(
        "card_io.apdu",
        "import counter_app.core.money",
        "Device libraries never import the counter program",
        id="device-library-imports-the-program",
    ),
]


@pytest.mark.parametrize(("module", "line", "contract"), WRONG_IMPORTS)
def test_a_wrong_import_breaks_its_contract(
    tmp_path: Path, module: str, line: str, contract: str
) -> None:
    tree = _copy_tree(tmp_path)
    _append(tree, module, line)
    result = _lint(tree)
    assert result.returncode != 0, result.stdout
    broken = result.stdout.split("Broken contracts", 1)
    assert len(broken) == 2, result.stdout
    assert contract in " ".join(broken[1].split()), result.stdout
