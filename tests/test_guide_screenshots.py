"""The guides' screenshots cannot rot: every image the teller, supervisor and technician guides
show is made by one of the screenshot scripts (or the success-rate benchmark), and the scripts
build their scenes on what the product runs today — the embedded counter handing its
purchases to the collection system — and render into a folder of the test's.

The supervisor's and the business-change scenes take a few seconds each and run with the
suite; the teller's and the technician's walk through slow meters and three failed dispatches
(about 15–25 s each) and are marked ``slow``. Without the virtual card (``--no-card``), so
that they never take the shared vpcd reader; the card images are made when the scripts run
for the guides (see the guides' "Screenshots" notes).
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GUIDES = ("teller-guide.md", "supervisor-guide.md", "technician-guide.md")
SCRIPTS = (
    "screenshots.py",
    "supervisor_screenshots.py",
    "backoffice_screenshots.py",
    "business_screenshots.py",
)
BENCHMARK_IMAGES = {"success-rate-board.png": ROOT / "benchmarks" / "success_rate.py"}
CARD_IMAGES = {"card-write.png", "backoffice-card-workbench.png"}


def guide_images() -> set[str]:
    names: set[str] = set()
    for guide in GUIDES:
        text = (ROOT / "docs" / guide).read_text(encoding="utf-8")
        names |= set(re.findall(r"\]\(images/([^)]+\.png)\)", text))
    return names


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", path
    width, height = struct.unpack(">II", head[16:24])
    return int(width), int(height)


def test_every_guide_image_is_made_by_a_script_and_is_in_the_repository() -> None:
    sources = {name: (ROOT / "scripts" / name).read_text(encoding="utf-8") for name in SCRIPTS}
    images = guide_images()
    assert len(images) > 20
    for image in sorted(images):
        assert (ROOT / "docs" / "images" / image).is_file(), image
        stem = image.removesuffix(".png")
        makers = [n for n, text in sources.items() if f'"{image}"' in text or f'"{stem}"' in text]
        if image in BENCHMARK_IMAGES:
            makers.append(BENCHMARK_IMAGES[image].name)
        assert makers, f"no script renders {image}"


def run_script(name: str, out: Path, *extra: str) -> list[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / name), "--out", str(out), *extra],
        capture_output=True,
        text=True,
        timeout=110,
        env=env,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    made = [Path(line).name for line in run.stdout.splitlines() if line.endswith(".png")]
    for image in made:
        assert png_size(out / image)[0] > 300, image
    return made


def expect(made: list[str], source: str, skipped: set[str] = frozenset()) -> None:  # type: ignore[assignment]
    """Every image the guides take from this script was made."""
    text = (ROOT / "scripts" / source).read_text(encoding="utf-8")
    wanted = {
        i for i in guide_images() if f'"{i}"' in text or f'"{i.removesuffix(".png")}"' in text
    }
    if shutil.which("pdftoppm") is None:
        skipped = skipped | {i for i in wanted if "slip" in i or "summary" in i or "80mm" in i}
    assert wanted - skipped <= set(made), sorted(wanted - set(made))


def test_the_supervisor_scene(tmp_path: Path) -> None:
    made = run_script("supervisor_screenshots.py", tmp_path)
    expect(made, "supervisor_screenshots.py")
    assert png_size(tmp_path / "supervisor-daily-settlement.png") == (1366, 768)


def test_the_business_change_scene(tmp_path: Path) -> None:
    made = run_script("business_screenshots.py", tmp_path)
    expect(made, "business_screenshots.py")
    assert png_size(tmp_path / "business-review-queue.png") == (1366, 768)


@pytest.mark.slow
def test_the_teller_scene(tmp_path: Path) -> None:
    made = run_script("screenshots.py", tmp_path, "--no-card")
    expect(made, "screenshots.py", CARD_IMAGES)
    assert png_size(tmp_path / "counter-window.png") == (1366, 768)


@pytest.mark.slow
def test_the_technician_scene(tmp_path: Path) -> None:
    made = run_script("backoffice_screenshots.py", tmp_path, "--no-card")
    expect(made, "backoffice_screenshots.py", CARD_IMAGES)
    assert png_size(tmp_path / "backoffice-work-orders.png") == (1366, 768)
