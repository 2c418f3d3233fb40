"""SM4 security module: the GB/T 32907 vector, key loading, and the meter ESAM agreeing."""

from __future__ import annotations

from pathlib import Path

import pytest

from meter_link import sm4_scheme as scheme
from meter_link.security import (
    MASTER_KEY_ENV,
    MasterKeyError,
    SecurityModule,
    SoftwareSecurityModule,
    generate_master_key,
    load_master_key,
    write_key_file,
)
from meter_link.simulator.esam import Esam, EsamSession


def test_sm4_gbt32907_vector() -> None:
    """A backend without SM4 (or a wrong one) fails here, loudly."""
    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    assert scheme.sm4_ecb(key, key).hex() == "681edf34d206965e86b3e94f536e4246"


def test_master_key_from_file_and_environment(tmp_path: Path) -> None:
    key = generate_master_key()
    path = tmp_path / "master.key"
    write_key_file(path, key)
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_master_key(path) == key
    assert load_master_key(environ={MASTER_KEY_ENV: key.hex().upper()}) == key
    with pytest.raises(MasterKeyError):
        load_master_key(environ={})
    with pytest.raises(MasterKeyError):
        load_master_key(environ={MASTER_KEY_ENV: "00112233"})
    with pytest.raises(MasterKeyError):
        load_master_key(tmp_path / "missing.key")


def test_software_module_is_a_security_module_and_hides_its_key() -> None:
    key = generate_master_key()
    module = SoftwareSecurityModule(key)
    assert isinstance(module, SecurityModule)
    assert key.hex() not in repr(module)


def test_factor_is_meter_number_and_keys_are_diversified() -> None:
    assert scheme.factor_for("000102030425") == bytes.fromhex("0000000102030425")
    key = generate_master_key()
    assert scheme.meter_key(key, "000000000001") != scheme.meter_key(key, "000000000002")


def test_meter_esam_accepts_right_key_and_refuses_wrong_key() -> None:
    master = generate_master_key()
    meter_no = "000000000007"
    esam = Esam(scheme.meter_key(master, meter_no), b"\x01" * 8)
    good = SoftwareSecurityModule(master).begin_session(meter_no)
    bad = SoftwareSecurityModule(generate_master_key()).begin_session(meter_no)
    assert esam.check_cipher1(good.random1, good.cipher1)
    assert not esam.check_cipher1(bad.random1, bad.cipher1)


def test_recharge_macs_bind_amount_count_and_customer() -> None:
    master = generate_master_key()
    module = SoftwareSecurityModule(master)
    meter_no = "000000000007"
    auth = module.begin_session(meter_no)
    session = module.accept_session(meter_no, auth.random1, b"\x11\x22\x33\x44", b"\x01" * 8)
    esam = Esam(scheme.meter_key(master, meter_no), b"\x01" * 8)
    esam_session = EsamSession(auth.random1, session.random2, 0.0)
    mac1, mac2 = module.recharge_macs(session, 10000, 3, "100000000007")
    assert esam.check_mac(
        esam_session, scheme.HEADER_INCREASE, scheme.amount_count_bytes(10000, 3), mac1
    )
    assert not esam.check_mac(
        esam_session, scheme.HEADER_INCREASE, scheme.amount_count_bytes(10001, 3), mac1
    )
    assert esam.check_mac(
        esam_session, scheme.HEADER_CUSTOMER, scheme.customer_bytes("100000000007"), mac2
    )
    data = (12345).to_bytes(4, "big")
    assert module.verify_readback(session, data, esam.readback_mac(esam_session, data))
    assert not module.verify_readback(session, data, b"\x00" * 4)
