"""The software key holder (SM4) behind the CardCrypto port."""

from __future__ import annotations

from pathlib import Path

import pytest

from card_io.errors import NoCardKeys
from card_io.security import (
    SoftwareCardCrypto,
    auth_cryptogram,
    mac4,
    sm4_encrypt_block,
)


def test_sm4_standard_vector() -> None:
    """GB/T 32907-2016 appendix A example 1."""
    k = bytes.fromhex("0123456789abcdeffedcba9876543210")
    assert sm4_encrypt_block(k, k).hex() == "681edf34d206965e86b3e94f536e4246"


SERIAL_A = bytes.fromhex("1122334455667788")
SERIAL_B = bytes.fromhex("1122334455667789")


def test_keys_are_diversified_by_serial() -> None:
    c = SoftwareCardCrypto(bytes(range(16)))
    a, b = c.card_keys(SERIAL_A), c.card_keys(SERIAL_B)
    assert a.internal != b.internal and a.external != b.external and a.mac != b.mac
    assert len({a.internal, a.external, a.mac}) == 3


def test_card_and_counter_agree_and_a_wrong_master_does_not() -> None:
    counter = SoftwareCardCrypto(bytes(range(16)))
    other = SoftwareCardCrypto(bytes(range(1, 17)))
    keys = counter.card_keys(SERIAL_A)
    rnd = bytes.fromhex("0102030405060708")
    assert counter.external_auth(SERIAL_A, rnd) == auth_cryptogram(keys.external, rnd)
    assert other.external_auth(SERIAL_A, rnd) != auth_cryptogram(keys.external, rnd)
    header, data, ch = bytes.fromhex("04D682000C"), bytes(8), b"\x01\x02\x03\x04"
    assert counter.write_mac(SERIAL_A, ch, header, data) == mac4(keys.mac, ch, header, data)
    assert counter.write_mac(SERIAL_A, b"\x01\x02\x03\x05", header, data) != mac4(
        keys.mac, ch, header, data
    )


def test_master_key_from_environment_and_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("CARD_MASTER_KEY", raising=False)
    monkeypatch.delenv("CARD_KEY_FILE", raising=False)
    with pytest.raises(NoCardKeys):
        SoftwareCardCrypto.from_environment()
    monkeypatch.setenv("CARD_MASTER_KEY", "00" * 15)
    with pytest.raises(NoCardKeys):
        SoftwareCardCrypto.from_environment()
    monkeypatch.setenv("CARD_MASTER_KEY", bytes(range(16)).hex())
    a = SoftwareCardCrypto.from_environment()
    f = tmp_path / "card.key"
    f.write_text(bytes(range(16)).hex().upper() + "\n")
    b = SoftwareCardCrypto.from_environment(f)
    assert a.card_keys(SERIAL_A) == b.card_keys(SERIAL_A)
