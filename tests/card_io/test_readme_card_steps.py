"""The README's reader-less card steps, run as written: the shell block is taken from
README.md and run by bash with the real commands, in a clean folder that has only the
project's ``scripts/`` and ``.venv/`` (as in a fresh clone after ``make``).

Two races of the virtual card are part of what is tested: ``card-tool readers`` right after
the card process is started in the background (the card needs a moment to connect and pcscd
up to one poll to see it), and ``card-tool read --virtual-state`` right after ``kill %1``
(pcscd still reports the killed card for up to one poll).

``scripts/pcsc.sh`` gets its own var folder here: ``start`` finds the pcscd the fixtures
run and leaves it alone, and ``stop`` only stops a pcscd this script itself started, so
another session's pcscd is never stopped by the README's last line.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
from pathlib import Path

import pytest

from tests.fixtures.pcsc import REPO, SLOT_READERS, PcscService, slot_lock, wait_card

pytestmark = [pytest.mark.pcsc, pytest.mark.slow]


def card_block() -> str:
    """The shell block that follows "Read a purchase card" in the README."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    start = text.index("Read a purchase card")
    match = re.search(r"```\n(.*?)```", text[start:], re.S)
    assert match, "no shell block after 'Read a purchase card' in README.md"
    return match.group(1)


def test_readme_block_is_the_one_documented() -> None:
    block = card_block()
    assert "python -m card_io.virtual --state card.json &" in block
    assert "kill %1; .venv/bin/card-tool read --virtual-state card.json" in block


def test_readme_card_steps_pass_as_written(pcsc_service: PcscService, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    clone.mkdir()
    (clone / ".venv").symlink_to(REPO / ".venv")
    (clone / "scripts").symlink_to(REPO / "scripts")
    env = dict(os.environ)
    env["COUNTER_PCSC_VAR"] = str(tmp_path / "pcsc-var")
    for name in ("CARD_MASTER_KEY", "CARD_KEY_FILE", "CARD_VIRTUAL_STATE"):
        env.pop(name, None)
    script = "set -euo pipefail\n" + card_block()
    with slot_lock(0):
        wait_card(SLOT_READERS[0], present=False, timeout=5.0)
        proc = subprocess.Popen(
            ["bash", "-c", script],
            cwd=clone,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            out, err = proc.communicate(timeout=90)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)  # the group this test started
                proc.wait(5)
            else:
                # the README's own background card, should it outlive the block
                with_children = subprocess.run(
                    ["pgrep", "-g", str(proc.pid)], capture_output=True, text=True
                ).stdout.split()
                for pid in with_children:
                    os.kill(int(pid), signal.SIGTERM)
        wait_card(SLOT_READERS[0], present=False, timeout=5.0)
    assert proc.returncode == 0, f"README card steps failed:\n{out}\n{err}"
    assert (clone / "card.json").exists()
    assert (clone / "card.json").stat().st_mode & 0o777 == 0o600, out + err

    # card-tool readers, started right after the card process, lists the card
    assert re.search(rf"{SLOT_READERS[0]} \(virtual\): card 3B69", out), out
    documents = [json.loads(d) for d in re.findall(r"^\{.*?^\}", out, re.S | re.M)]
    issued, read, reader_less = documents
    assert issued["card_kind"] == "open-account" and issued["customer_no"] == "100000000001"
    assert read == issued
    assert reader_less["serial"] == issued["serial"]
    assert reader_less["wallet"] == {"amount_fen": 0, "count": 0}
    assert "card-removed" not in err
