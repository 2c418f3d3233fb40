"""Customer archive import (档案导入): the marketing export into customers, meters and bills.

Why batches and raw upserts: a county's archive is a million customers. Rows are checked by
`counter_app.core.archive` one by one, then booked ``batch_size`` at a time, each batch in one
`write_transaction` with the store's batched upserts (``store.bulk.bulk_upsert``: ``INSERT ...
ON CONFLICT DO UPDATE``, the same SQL on SQLite and PostgreSQL). A re-import therefore
updates what it imported before: customers by customer number, meters by address, open bills
by customer and period.

What a re-import does not touch: a meter's owner (moving a meter is a business change of its
own, `services.business`; the line is refused), its purchase mode and counts (set at archiving,
then only by audited changes), and a bill that has been partly settled (R1 already used it).

Every batch leaves one audit record (I3) with what it booked; the rejection report (CSV:
line, reason, detail) lists every refused line.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from counter_app.core.archive import (
    ArchiveRow,
    FileChecker,
    HeaderError,
    RejectCode,
    Rejection,
    check_row,
    decode_line,
    detect_encoding,
    map_header,
    refusal,
    rejection_lines,
)
from counter_app.services import audit
from counter_app.services.errors import InvalidInput
from counter_app.store.bulk import bulk_insert, bulk_upsert, execute_many
from counter_app.store.database import database, write_transaction
from counter_app.store.models import Bill, Customer, Meter, utcnow

DEFAULT_BATCH = 5000
SAMPLE_BYTES = 1 << 20
_IN_CHUNK = 900  # bound parameters per IN (...) list, well inside every SQLite build


@dataclass(frozen=True)
class ImportProgress:
    """Where an import stands (after each batch): for the shell's bar and the window's."""

    rows: int
    imported: int
    rejected: int
    bytes_read: int
    total_bytes: int
    seconds: float

    @property
    def fraction(self) -> float:
        return 1.0 if self.total_bytes <= 0 else min(1.0, self.bytes_read / self.total_bytes)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


@dataclass
class ImportResult:
    """What one import did; `rejections` are the refused lines (the report's content)."""

    file: str
    encoding: str
    rows: int = 0
    imported: int = 0
    customers_created: int = 0
    customers_updated: int = 0
    meters_created: int = 0
    meters_updated: int = 0
    bills_created: int = 0
    bills_updated: int = 0
    bills_kept: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    report_path: str | None = None
    seconds: float = 0.0

    @property
    def rejected(self) -> int:
        return len(self.rejections)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    def explain(self) -> list[str]:
        lines = [
            f"archive {self.file} ({self.encoding}): {self.rows} line(s), {self.imported} "
            f"imported, {self.rejected} rejected in {self.seconds:.1f} s "
            f"({self.rows_per_second:,.0f} rows/s)",
            f"customers {self.customers_created} new, {self.customers_updated} updated; "
            f"meters {self.meters_created} new, {self.meters_updated} updated; "
            f"bills {self.bills_created} new, {self.bills_updated} updated, "
            f"{self.bills_kept} kept (already settled in part)",
        ]
        if self.report_path:
            lines.append(f"rejection report: {self.report_path}")
        for r in self.rejections[:20]:
            lines.append(f"  line {r.row}: {r.code.value}: {r.detail}")
        if self.rejected > 20:
            lines.append(f"  ... and {self.rejected - 20} more in the report")
        return lines


Progress = Callable[[ImportProgress], None]


def _chunks(items: Sequence[Any], size: int = _IN_CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _select_in(
    sql: str, values: Sequence[Any], before: Sequence[Any] = ()
) -> list[tuple[Any, ...]]:
    """Run ``sql`` (with one ``{marks}`` for the IN list) over `values` in chunks."""
    param = database.param
    rows: list[tuple[Any, ...]] = []
    for chunk in _chunks(list(values)):
        marks = ", ".join([param] * len(chunk))
        cursor = database.execute_sql(sql.format(marks=marks, p=param), [*before, *chunk])
        rows.extend(cursor.fetchall())
    return rows


_BILL_UPDATE = "UPDATE bill SET amount_fen = ?, outstanding_fen = ?, issued_on = ? WHERE id = ?"


class ArchiveImporter:
    """Books checked archive rows in batches (see the module docstring)."""

    def __init__(self, *, actor: str, counter_id: str, file_label: str) -> None:
        self.actor = actor
        self.counter_id = counter_id
        self.file_label = file_label

    def book(self, rows: Sequence[ArchiveRow], result: ImportResult) -> None:
        """One batch in one transaction: cross-checks, upserts, one audit record."""
        checker = FileChecker.new()
        passed: list[ArchiveRow] = []
        for row in rows:
            problem = checker.check(row)
            if problem is None:
                passed.append(row)
            else:
                result.rejections.append(problem)
        if not passed:
            return
        now = utcnow()
        with write_transaction():
            passed = self._against_database(passed, result)
            if not passed:
                return
            numbers = sorted({r.customer_no for r in passed})
            known = {
                row[0]
                for row in _select_in(
                    "SELECT customer_no FROM customer WHERE customer_no IN ({marks})", numbers
                )
            }
            customers: dict[str, ArchiveRow] = {}
            for r in passed:
                customers.setdefault(r.customer_no, r)
            bulk_upsert(
                Customer,
                [
                    {
                        "customer_no": c.customer_no,
                        "name": c.name,
                        "address": c.address,
                        "phone": c.phone,
                        "sms_subscribed": c.sms,
                        "prepayment_fen": 0,
                        "created_at": now,
                    }
                    for c in customers.values()
                ],
                key=("customer_no",),
                update=("name", "address", "phone", "sms_subscribed"),
            )
            ids = dict(
                _select_in(
                    "SELECT customer_no, id FROM customer WHERE customer_no IN ({marks})", numbers
                )
            )
            meters = [r for r in passed if r.meter is not None]
            addresses = [r.meter.address for r in meters if r.meter is not None]
            existing_meters = {
                row[0]
                for row in _select_in(
                    "SELECT address FROM meter WHERE address IN ({marks})", addresses
                )
            }
            meter_rows = []
            for r in meters:
                m = r.meter
                assert m is not None
                meter_rows.append(
                    {
                        "customer": ids[r.customer_no],
                        "address": m.address,
                        "meter_no": m.meter_no,
                        "customer_no": m.customer_no,
                        "is_card_meter": m.is_card_meter,
                        "collection_capable": m.collection_capable,
                        "purchase_mode": m.mode.value,
                        "active": True,
                        "committed_count": m.count,
                        "base_count": m.count,
                        "needs_reconciliation": False,
                        "reconciliation_note": "",
                        "created_at": now,
                    }
                )
            bulk_upsert(
                Meter,
                meter_rows,
                key=("address",),
                update=("meter_no", "customer_no", "is_card_meter", "collection_capable"),
            )
            created, updated, kept = self._bills(passed, ids, now)
            new_customers = len(customers) - len(known & customers.keys())
            new_meters = len(set(addresses) - existing_meters)
            result.customers_created += new_customers
            result.customers_updated += len(customers) - new_customers
            result.meters_created += new_meters
            result.meters_updated += len(set(addresses)) - new_meters
            result.bills_created += created
            result.bills_updated += updated
            result.bills_kept += kept
            result.imported += len(passed)
            audit.record(
                self.actor,
                self.counter_id,
                "archive-import-batch",
                "archive",
                self.file_label,
                after={
                    "first_row": passed[0].row,
                    "last_row": passed[-1].row,
                    "rows": len(passed),
                    "customers_created": new_customers,
                    "customers_updated": len(customers) - new_customers,
                    "meters_created": new_meters,
                    "bills_created": created,
                    "bills_updated": updated,
                },
            )

    @staticmethod
    def _against_database(rows: list[ArchiveRow], result: ImportResult) -> list[ArchiveRow]:
        """Refuse a meter that the archive holds on another customer (a move is a business
        change), and a meter number that another meter holds."""
        addresses = [r.meter.address for r in rows if r.meter is not None]
        meter_nos = [r.meter.meter_no for r in rows if r.meter is not None]
        if not addresses:
            return rows
        owners = dict(
            _select_in(
                "SELECT meter.address, customer.customer_no FROM meter JOIN customer "
                "ON customer.id = meter.customer_id WHERE meter.address IN ({marks})",
                addresses,
            )
        )
        number_holders = dict(
            _select_in("SELECT meter_no, address FROM meter WHERE meter_no IN ({marks})", meter_nos)
        )
        passed: list[ArchiveRow] = []
        for r in rows:
            m = r.meter
            if m is not None:
                owner = owners.get(m.address)
                if owner is not None and owner != r.customer_no:
                    result.rejections.append(
                        refusal(
                            r.row,
                            RejectCode.METER_ON_TWO_CUSTOMERS,
                            "meter {meter} is on customer {customer} in the archive "
                            "(a move is a business change)",
                            meter=m.address,
                            customer=owner,
                        )
                    )
                    continue
                holder = number_holders.get(m.meter_no)
                if holder is not None and holder != m.address:
                    result.rejections.append(
                        refusal(
                            r.row,
                            RejectCode.METER_NO_TAKEN,
                            "meter number {number} is meter {meter} in the archive",
                            number=m.meter_no,
                            meter=holder,
                        )
                    )
                    continue
            passed.append(r)
        return passed

    @staticmethod
    def _bills(
        rows: Sequence[ArchiveRow], ids: dict[str, int], now: dt.datetime
    ) -> tuple[int, int, int]:
        billed = [r for r in rows if r.bill is not None]
        if not billed:
            return 0, 0, 0
        customer_ids = sorted({ids[r.customer_no] for r in billed})
        existing: dict[tuple[int, str], tuple[int, int, int]] = {
            (int(cid), str(period)): (int(bid), int(amount), int(outstanding))
            for bid, cid, period, amount, outstanding in _select_in(
                "SELECT id, customer_id, period, amount_fen, outstanding_fen FROM bill "
                "WHERE kind = 'consumption' AND customer_id IN ({marks})",
                customer_ids,
            )
        }
        inserts: list[dict[str, object]] = []
        updates: list[tuple[Any, ...]] = []
        kept = 0
        seen: set[tuple[int, str]] = set()
        for r in billed:
            b = r.bill
            assert b is not None
            key = (ids[r.customer_no], b.period)
            if key in seen:
                kept += 1
                continue
            seen.add(key)
            found = existing.get(key)
            if found is None:
                inserts.append(
                    {
                        "customer": key[0],
                        "kind": "consumption",
                        "amount_fen": b.amount_fen,
                        "outstanding_fen": b.amount_fen,
                        "issued_on": b.issued_on,
                        "period": b.period,
                        "created_at": now,
                    }
                )
            elif found[1] == found[2]:  # nothing settled yet: the export's figure wins
                if found[1] != b.amount_fen:
                    updates.append((b.amount_fen, b.amount_fen, b.issued_on, found[0]))
            else:
                kept += 1
        bulk_insert(Bill, inserts)
        execute_many(_BILL_UPDATE, updates)
        return len(inserts), len(updates), kept


def _lines(handle: BinaryIO) -> Iterator[bytes]:
    yield from handle


def import_archive(
    path: str | os.PathLike[str],
    *,
    actor: str,
    counter_id: str,
    report_path: str | os.PathLike[str] | None = None,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> ImportResult:
    """Import one export file (see the module docstring); the report is written when any
    line is refused (default: next to the file, ``<name>.rejected.csv``).

    Raises `InvalidInput` (nothing booked) when the file cannot be read or its header is not
    usable; refused lines never stop the import.
    """
    source = Path(path)
    if batch_size < 1:
        raise InvalidInput("batch_size", "must be at least 1")
    try:
        handle = source.open("rb")
    except OSError as exc:
        raise InvalidInput("file", f"cannot read {source}: {exc.strerror or exc}") from None
    started = time.monotonic()
    day = today or dt.date.today()
    total = source.stat().st_size
    with handle:
        sample = handle.read(SAMPLE_BYTES)
        handle.seek(0)
        encoding = detect_encoding(sample)
        header_raw = handle.readline()
        header_text = decode_line(header_raw, encoding)
        if header_text is None or not header_text.strip():
            raise InvalidInput("file", f"{source.name}: the first line must be the column header")
        try:
            header = map_header(next(csv.reader([header_text])))
        except HeaderError as exc:
            raise InvalidInput("header", f"{source.name}: {exc}") from None
        result = ImportResult(file=str(source), encoding=encoding)
        importer = ArchiveImporter(actor=actor, counter_id=counter_id, file_label=source.name)
        read = len(header_raw)
        batch: list[ArchiveRow] = []
        line_no = 1

        def flush() -> None:
            importer.book(batch, result)
            batch.clear()
            if progress is not None:
                progress(
                    ImportProgress(
                        result.rows,
                        result.imported,
                        result.rejected,
                        read,
                        total,
                        time.monotonic() - started,
                    )
                )

        for raw in _lines(handle):
            line_no += 1
            read += len(raw)
            text = decode_line(raw, encoding)
            if text is None:
                result.rows += 1
                result.rejections.append(
                    refusal(
                        line_no,
                        RejectCode.BAD_ENCODING,
                        "line is not valid {encoding}",
                        encoding=encoding,
                    )
                )
                continue
            if not text.strip():
                continue
            result.rows += 1
            try:
                fields = next(csv.reader([text]))
            except csv.Error as exc:
                result.rejections.append(
                    refusal(
                        line_no,
                        RejectCode.BAD_LINE,
                        "the line cannot be read as CSV",
                        detail=str(exc),
                    )
                )
                continue
            checked = check_row(line_no, header, fields, day)
            if isinstance(checked, Rejection):
                result.rejections.append(checked)
                continue
            batch.append(checked)
            if len(batch) >= batch_size:
                flush()
        flush()
    result.rejections.sort(key=lambda r: r.row)
    if result.rejections:
        target = Path(report_path) if report_path else source.with_suffix(".rejected.csv")
        with target.open("w", encoding="utf-8", newline="") as out:
            csv.writer(out).writerows(rejection_lines(result.rejections))
        result.report_path = str(target)
    result.seconds = time.monotonic() - started
    with write_transaction():
        audit.record(
            actor,
            counter_id,
            "archive-import",
            "archive",
            source.name,
            after={
                "encoding": encoding,
                "rows": result.rows,
                "imported": result.imported,
                "rejected": result.rejected,
                "customers_created": result.customers_created,
                "meters_created": result.meters_created,
                "bills_created": result.bills_created,
            },
        )
    return result


def archive_header() -> list[str]:
    """The header line of an export this program reads (English column names)."""
    from counter_app.core.archive import COLUMNS

    return list(COLUMNS)
