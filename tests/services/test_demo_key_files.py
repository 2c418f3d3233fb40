"""The embedded demo's key files (card and meter master keys) are private from their first
byte: created with mode 0600 under any umask, written whole (temp file + rename), reused."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from counter_app.embedded import _key


def test_demo_key_file_is_created_private_and_atomically(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The mode is the file's from its creation, not patched afterwards: with every later
    chmod disabled the key file is still 0600 (a file first written world-readable and then
    chmod-ed could be read, or opened for later reading, in between)."""
    monkeypatch.setattr(Path, "chmod", lambda self, mode: None)
    monkeypatch.setattr(os, "chmod", lambda *a, **k: None)
    old = os.umask(0)  # the most permissive umask: the mode must not come from it
    try:
        path = tmp_path / "card-master.key"
        key = _key(path)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert path.read_text() == key.hex() + "\n" and len(key) == 16
        assert _key(path) == key  # kept, not regenerated
    finally:
        os.umask(old)
    assert [p.name for p in tmp_path.iterdir()] == ["card-master.key"]  # no temp file left
