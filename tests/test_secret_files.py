"""Secrets (station token, SMS key) live in files only their owner and group may read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from counter_app.config import ConfigError, SecretFileError, read_secret_file


def _secret(tmp_path: Path, mode: int, text: str = "s3cret-token\n") -> Path:
    path = tmp_path / "station.token"
    path.write_text(text)
    os.chmod(path, mode)
    return path


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o400])
def test_private_secret_file_is_read(tmp_path: Path, mode: int) -> None:
    assert read_secret_file(_secret(tmp_path, mode)) == "s3cret-token"


@pytest.mark.parametrize("mode", [0o644, 0o604, 0o666, 0o602])
def test_secret_file_open_to_everyone_is_refused(tmp_path: Path, mode: int) -> None:
    path = _secret(tmp_path, mode)
    with pytest.raises(SecretFileError) as caught:
        read_secret_file(path)
    assert f"chmod 600 {path}" in str(caught.value)


def test_missing_or_empty_secret_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="No such file"):
        read_secret_file(tmp_path / "absent.token")
    with pytest.raises(ConfigError, match="empty"):
        read_secret_file(_secret(tmp_path, 0o600, "\n"))
