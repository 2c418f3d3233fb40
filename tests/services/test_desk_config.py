"""The cash desk's and the receipt printer's settings in the TOML file, and the example file
shipped with the installer (it must load as it is)."""

from __future__ import annotations

from pathlib import Path

import pytest

from counter_app.config import ConfigError, load_config

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_desk_receipt_and_printer_settings(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[desk]
large_amount_yuan = "3000"
hoarding_limit_yuan = 5000

[receipt]
supplier = "国网示范供电公司"
hall = "城东营业厅"
tariff_yuan_per_kwh = "0.5283"

[receipt_printer]
kind = "usb"
usb_vendor = "0x0416"
usb_product = "0x5011"
drawer_pin = 5
""",
    )
    config = load_config(path, env={})
    assert config.desk.large_amount_fen == 300_000
    assert config.desk.hoarding_limit_fen == 500_000
    assert config.desk.tariff == 5_283 and config.desk.hall == "城东营业厅"
    printer = config.receipt_printer
    assert printer.configured and (printer.usb_vendor, printer.usb_product) == (0x0416, 0x5011)
    assert printer.drawer_pin == 5


def test_defaults_without_the_sections(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "[counter]\nid = 'c1'\n"), env={})
    assert config.desk.large_amount_fen == 500_000 and config.desk.hoarding_limit_fen == 0
    assert config.desk.tariff == 0 and not config.receipt_printer.configured


@pytest.mark.parametrize(
    "text",
    [
        '[desk]\nlarge_amount_yuan = "1e3"\n',
        "[desk]\nhoarding_limit_yuan = true\n",
        '[receipt]\ntariff_yuan_per_kwh = "0.12345"\n',
        '[receipt_printer]\nkind = "bluetooth"\n',
        '[receipt_printer]\nkind = "usb"\nusb_vendor = "vendor"\n',
    ],
)
def test_wrong_values_are_refused_in_one_line(tmp_path: Path, text: str) -> None:
    with pytest.raises(ConfigError) as bad:
        load_config(write(tmp_path, text), env={})
    assert "\n" not in str(bad.value)


def test_the_installers_example_loads() -> None:
    config = load_config(ROOT / "installer" / "config.example.toml", env={})
    assert config.desk.large_amount_fen == 500_000 and not config.receipt_printer.configured
