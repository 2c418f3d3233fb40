"""Customer archive import (档案导入): every kind of bad line is refused with its line number
and reason, the rest is booked in batches, a re-import updates instead of duplicating, both
UTF-8 and GB18030 exports are read. SQLite and PostgreSQL; I1/I2 hold afterwards."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from counter_app.services import audit
from counter_app.services.archive import ImportProgress, import_archive
from counter_app.services.checks import check_database
from counter_app.services.context import ServiceContext
from counter_app.services.errors import InvalidInput
from counter_app.services.registry import build_services
from counter_app.store.models import Bill, Customer, Meter
from tests.fixtures.database import TestDatabase

HEADER = (
    "户号,户名,地址,电话,短信,表地址,表号,表类型,具备采集条件,购电方式,购电次数,"
    "欠费期,欠费日期,欠费金额"
)

GOOD = [
    "300000000001,张三,幸福路1号,13900000001,1,400000000001,,费控卡表,1,,0,2026-10,2026-11-01,12.50",
    "300000000002,李四,幸福路2号,,0,400000000002,M-2,card,0,,5,,,",
    "300000000003,王五,幸福路3号,,0,400000000003,,普通表,0,card,0,,,",
    "300000000004,赵六,幸福路4号,,0,,,,,,,2026-09,2026-10-01,30.00",  # a customer, no meter
    "300000000001,张三,幸福路1号,13900000001,1,400000000011,,card,1,card,0,2026-11,,8.00",
]

BAD = [  # (line text, expected reason)
    ("30000000001,短号,,,0,400000000021,,card,1,,0,,,", "bad-customer-no"),
    ("300000000021,坏表址,,,0,40000000002A,,card,1,,0,,,", "bad-meter-address"),
    ("300000000022,未知表,,,0,400000000022,,smart,1,,0,,,", "unknown-meter-kind"),
    ("300000000023,重表,,,0,400000000001,,card,1,,0,,,", "meter-on-two-customers"),
    ("300000000024,号重,,,0,400000000024,M-2,card,1,,0,,,", "meter-no-taken"),
    ("300000000025,坏旗,,,x,400000000025,,card,1,,0,,,", "bad-flag"),
    ("300000000026,坏方式,,,0,400000000026,,card,0,remote,0,,,", "bad-mode"),
    ("300000000027,坏次数,,,0,400000000027,,card,1,,-1,,,", "bad-count"),
    ("300000000028,坏账,,,0,400000000028,,card,1,,0,2026-10,,abc", "bad-bill"),
    ("300000000029,,,,0,400000000029,,card,1,,0,,,", "missing-field"),
    ("300000000030,少列,,,0", "bad-line"),
    ("300000000031,已有表,,,0,400000000099,,card,1,,0,,,", "meter-on-two-customers"),
]


def _write(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\n".join([HEADER, *lines]) + "\n").encode(encoding))
    return path


def _import(path: Path, **kw: object):  # type: ignore[no-untyped-def]
    return import_archive(path, actor="tech1", counter_id="B1", **kw)  # type: ignore[arg-type]


def test_every_kind_of_bad_line_is_refused_with_its_line_and_reason(
    db: TestDatabase, tmp_path: Path
) -> None:
    elsewhere = Customer.create(customer_no="399999999999", name="已在档案")
    Meter.create(
        customer=elsewhere,
        address="400000000099",
        meter_no="400000000099",
        customer_no="399999999999",
    )
    path = tmp_path / "export.csv"
    lines = GOOD + [text for text, _ in BAD]
    data = ("\n".join([HEADER, *lines]) + "\n").encode("utf-8")
    # one line written by a GB18030 tool into the UTF-8 file
    stray = "300000000040,错码,,,0,,,,,,,,,".encode("gb18030")
    path.write_bytes(data + stray + b"\n")
    seen: list[ImportProgress] = []

    result = _import(path, batch_size=3, progress=seen.append)

    assert result.encoding == "utf-8"
    expected = [(i + 2 + len(GOOD), code) for i, (_, code) in enumerate(BAD)]
    expected.append((len(lines) + 2, "bad-encoding"))
    assert [(r.row, r.code.value) for r in result.rejections] == expected
    assert result.imported == len(GOOD) and result.rows == len(lines) + 1
    report = list(csv.reader(Path(result.report_path or "").read_text("utf-8").splitlines()))
    assert report[0] == ["row", "reason", "detail"] and len(report) == len(expected) + 1
    assert "400000000001" in report[4][2] and "300000000001" in report[4][2]
    assert len(seen) >= 3 and seen[-1].fraction == 1.0 and seen[-1].rows == result.rows

    by_address = {m.address: m for m in Meter.select()}
    assert by_address["400000000001"].purchase_mode == "remote"  # R18 at archiving
    assert by_address["400000000002"].purchase_mode == "card"  # card meter, not capable
    assert not by_address["400000000003"].is_card_meter
    assert by_address["400000000011"].purchase_mode == "card"  # the export named card
    assert (by_address["400000000002"].base_count, by_address["400000000002"].committed_count) == (
        5,
        5,
    )
    assert by_address["400000000002"].meter_no == "M-2"
    zhang = Customer.get(Customer.customer_no == "300000000001")
    assert sorted(b.amount_fen for b in Bill.select().where(Bill.customer == zhang.id)) == [
        800,
        1250,
    ]
    assert Customer.get(Customer.customer_no == "300000000004").name == "赵六"
    assert Customer.get_or_none(Customer.customer_no == "300000000023") is None
    assert [str(b) for b in check_database()] == []
    assert [e.action for e in audit.entries(entity="archive")][-1] == "archive-import"


def test_gb18030_export_is_detected_and_a_reimport_updates(
    db: TestDatabase, tmp_path: Path
) -> None:
    path = _write(tmp_path / "gb.csv", GOOD, "gb18030")
    first = _import(path)
    assert first.encoding == "gb18030" and first.rejected == 0
    assert (first.customers_created, first.meters_created, first.bills_created) == (4, 4, 3)
    assert Customer.get(Customer.customer_no == "300000000002").name == "李四"

    # a payment settles part of one bill: that bill is kept as it is on the re-import
    services = build_services(ServiceContext(counter_id="B1"))
    services.payments.take_payment("300000000004", 1_000, operator="teller1")
    changed = [
        GOOD[0].replace("张三", "张三丰").replace("12.50", "13.50"),
        *GOOD[1:3],
        GOOD[3].replace("30.00", "40.00"),
        GOOD[4].replace("张三", "张三丰"),
    ]
    again = _import(_write(tmp_path / "again.csv", changed, "gb18030"))
    assert again.rejected == 0
    assert (again.customers_created, again.customers_updated) == (0, 4)
    assert (again.meters_created, again.meters_updated) == (0, 4)
    assert (again.bills_created, again.bills_updated, again.bills_kept) == (0, 1, 1)
    assert Customer.select().count() == 4 and Meter.select().count() == 4
    assert Bill.select().count() == 3
    assert Customer.get(Customer.customer_no == "300000000001").name == "张三丰"
    zhao = Customer.get(Customer.customer_no == "300000000004")
    assert Bill.get(Bill.customer == zhao.id).outstanding_fen == 2_000  # 30.00 − 10.00 paid
    assert [str(b) for b in check_database()] == []


def test_an_unusable_file_books_nothing(db: TestDatabase, tmp_path: Path) -> None:
    bad_header = tmp_path / "bad.csv"
    bad_header.write_text("customer,name\n300000000001,x\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="unknown column"):
        _import(bad_header)
    with pytest.raises(InvalidInput, match="cannot read"):
        _import(tmp_path / "missing.csv")
    assert Customer.select().count() == 0
