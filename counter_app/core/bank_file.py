"""The bank collection file (代收文件): parsing and checking, bytes and lines in, facts out.

A bank that collects electricity payments for us (R5, 银行代收) sends one file per accounting
day. The format (``docs/channels.md`` has a sample) is CSV, UTF-8 (a GB18030 file is read as
well: many bank hosts still write it), one record per line, the first field says which::

    H,<bank id>,<accounting date YYYYMMDD>
    D,<bank serial>,<customer number>,<amount fen>,<paid at YYYYMMDDHHMMSS>,<agency>,<operator>
    ...
    T,<number of D lines>,<total fen of the D lines>

Why the checks are split the way they are:

- A file without a usable header or trailer is refused whole (`BankFileError`): without the
  header we do not know whose serials these are (the idempotency key is bank id + serial), and
  a missing trailer means the transfer was cut short (the seed's code 709, file transfer
  error). Nothing of such a file is booked.
- A bad detail line (field count, serial, amount, time) and a trailer whose count or total
  does not add up are *line problems*: reported with their line number and reason, nothing of
  that line is booked, and the rest of the file is (INTEGRATION.md: the bank re-sends or
  reconciles the rest).
- A serial seen twice in one file with the same customer and amount is a *duplicate* (booked
  once); with a different customer or amount it is a conflict and the later line is rejected.

Unknown customers and serials already booked by an earlier file are found by the services
(they need the database); the parser knows only the file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from counter_app.core.money import MAX_AMOUNT_FEN

HEADER = "H"
DETAIL = "D"
TRAILER = "T"

DETAIL_FIELDS = 7
SERIAL_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
BANK_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
CUSTOMER_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
FREE_TEXT_MAX = 32


class LineCode(StrEnum):
    """Why a line of a bank file was not booked (the report's reason codes)."""

    MALFORMED = "malformed"  # wrong number of fields or an unknown record type
    BAD_SERIAL = "bad-serial"
    BAD_CUSTOMER_NO = "bad-customer-no"
    BAD_AMOUNT = "bad-amount"
    BAD_TIME = "bad-time"
    BAD_TEXT = "bad-text"  # agency or operator too long
    SERIAL_CONFLICT = "serial-conflict"  # the serial was used for another customer or amount
    DUPLICATE = "duplicate"  # the same payment again: booked once (not an error)
    UNKNOWN_CUSTOMER = "unknown-customer"
    TRAILER_MISMATCH = "trailer-mismatch"
    AFTER_TRAILER = "after-trailer"
    REVERSED = "reversed"  # the serial was reversed here (代收冲正): not booked again


#: English text of each code, for the CLI, the CSV report and logs (the UI translates by code).
LINE_CODE_TEXT: dict[LineCode, str] = {
    LineCode.MALFORMED: "not a valid record",
    LineCode.BAD_SERIAL: "bank serial must be 1-32 letters, digits, '-' or '_'",
    LineCode.BAD_CUSTOMER_NO: "customer number must be 1-32 letters or digits",
    LineCode.BAD_AMOUNT: f"amount must be whole fen between 1 and {MAX_AMOUNT_FEN}",
    LineCode.BAD_TIME: "payment time must be YYYYMMDDHHMMSS",
    LineCode.BAD_TEXT: f"agency and operator may have at most {FREE_TEXT_MAX} characters",
    LineCode.SERIAL_CONFLICT: "the serial was already used for another customer or amount",
    LineCode.DUPLICATE: "the serial is already booked (same customer and amount)",
    LineCode.UNKNOWN_CUSTOMER: "no such customer",
    LineCode.TRAILER_MISMATCH: "the trailer does not add up",
    LineCode.AFTER_TRAILER: "a record after the trailer",
    LineCode.REVERSED: "the serial was reversed and is not booked again",
}


class BankFileError(ValueError):
    """The file as a whole cannot be used (no header, no trailer, not text); nothing is booked.

    ``line_no`` names the line at fault (0: the file itself), ``field`` the field.
    """

    def __init__(self, line_no: int, field: str, detail: str) -> None:
        where = f"line {line_no}" if line_no else "file"
        super().__init__(f"bank file {where}: {field}: {detail}")
        self.line_no = line_no
        self.field = field
        self.detail = detail


@dataclass(frozen=True)
class BankLine:
    """One payment collected by the bank (a ``D`` record that passed the checks)."""

    line_no: int
    serial: str
    customer_no: str
    amount_fen: int
    paid_at: dt.datetime
    agency: str
    operator: str


@dataclass(frozen=True)
class LineProblem:
    """A line not booked, with its number, reason code and the words a person reads."""

    line_no: int
    code: LineCode
    detail: str
    serial: str = ""
    raw: str = ""

    def __str__(self) -> str:
        return f"line {self.line_no}: {self.code.value}: {self.detail}"


@dataclass(frozen=True)
class BankFile:
    """A parsed bank file: header facts, the good lines, the duplicates and the problems."""

    bank_id: str
    business_date: dt.date
    lines: tuple[BankLine, ...]
    duplicates: tuple[LineProblem, ...]
    problems: tuple[LineProblem, ...]
    detail_count: int  # every D record, good or bad
    trailer_count: int
    trailer_total_fen: int
    trailer_line_no: int

    @property
    def total_fen(self) -> int:
        return sum(line.amount_fen for line in self.lines)


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (with or without BOM), else GB18030; `BankFileError` if neither."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BankFileError(0, "encoding", "neither UTF-8 nor GB18030 text")


def _fields(text: str) -> list[str]:
    return [f.strip() for f in text.split(",")]


def _date(text: str) -> dt.date | None:
    if not re.fullmatch(r"\d{8}", text):
        return None
    try:
        return dt.datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        return None


def _time(text: str) -> dt.datetime | None:
    if not re.fullmatch(r"\d{14}", text):
        return None
    try:
        return dt.datetime.strptime(text, "%Y%m%d%H%M%S")
    except ValueError:
        return None


def _amount(text: str) -> int | None:
    if not re.fullmatch(r"\d{1,15}", text):
        return None
    value = int(text)
    return value if 0 < value <= MAX_AMOUNT_FEN else None


def _parse_detail(line_no: int, raw: str, fields: Sequence[str]) -> BankLine | LineProblem:
    def bad(code: LineCode, detail: str | None = None, serial: str = "") -> LineProblem:
        return LineProblem(line_no, code, detail or LINE_CODE_TEXT[code], serial, raw)

    if len(fields) != DETAIL_FIELDS:
        return bad(
            LineCode.MALFORMED,
            f"a D record has {DETAIL_FIELDS} fields, this one has {len(fields)}",
        )
    _, serial, customer_no, amount_text, time_text, agency, operator = fields
    if not SERIAL_RE.match(serial):
        return bad(
            LineCode.BAD_SERIAL, f"bank serial {serial!r}: {LINE_CODE_TEXT[LineCode.BAD_SERIAL]}"
        )
    if not CUSTOMER_RE.match(customer_no):
        return bad(
            LineCode.BAD_CUSTOMER_NO,
            f"customer number {customer_no!r}: {LINE_CODE_TEXT[LineCode.BAD_CUSTOMER_NO]}",
            serial,
        )
    amount = _amount(amount_text)
    if amount is None:
        return bad(
            LineCode.BAD_AMOUNT,
            f"amount {amount_text!r}: {LINE_CODE_TEXT[LineCode.BAD_AMOUNT]}",
            serial,
        )
    paid_at = _time(time_text)
    if paid_at is None:
        return bad(
            LineCode.BAD_TIME, f"time {time_text!r}: {LINE_CODE_TEXT[LineCode.BAD_TIME]}", serial
        )
    if len(agency) > FREE_TEXT_MAX or len(operator) > FREE_TEXT_MAX:
        return bad(LineCode.BAD_TEXT, serial=serial)
    return BankLine(line_no, serial, customer_no, amount, paid_at, agency, operator)


def parse_bank_file(text: str | Iterable[str]) -> BankFile:
    """Parse and check a bank collection file (see the module docstring for the rules)."""
    raw_lines = text.splitlines() if isinstance(text, str) else list(text)
    numbered = [(i, raw.strip()) for i, raw in enumerate(raw_lines, start=1) if raw.strip()]
    if not numbered:
        raise BankFileError(0, "header", "the file is empty")
    first_no, first = numbered[0]
    head = _fields(first)
    if head[0] != HEADER:
        raise BankFileError(first_no, "header", "the first record must be H,<bank id>,<date>")
    if len(head) != 3:
        raise BankFileError(first_no, "header", f"H has 3 fields, this one has {len(head)}")
    bank_id = head[1]
    if not BANK_ID_RE.match(bank_id):
        raise BankFileError(first_no, "bank id", f"{bank_id!r} is not 1-16 letters or digits")
    business_date = _date(head[2])
    if business_date is None:
        raise BankFileError(first_no, "date", f"{head[2]!r} is not a date YYYYMMDD")

    lines: list[BankLine] = []
    duplicates: list[LineProblem] = []
    problems: list[LineProblem] = []
    first_by_serial: dict[str, BankLine] = {}
    trailer: tuple[int, int, int] | None = None
    detail_count = 0
    amounts_seen = 0
    for line_no, raw in numbered[1:]:
        fields = _fields(raw)
        kind = fields[0]
        if trailer is not None:
            problems.append(
                LineProblem(line_no, LineCode.AFTER_TRAILER, "a record after the trailer", raw=raw)
            )
            continue
        if kind == TRAILER:
            count_text, total_text = (fields[1], fields[2]) if len(fields) == 3 else ("", "")
            if not count_text.isdigit() or not total_text.isdigit():
                raise BankFileError(line_no, "trailer", "T,<line count>,<total fen> expected")
            trailer = (line_no, int(count_text), int(total_text))
            continue
        if kind != DETAIL:
            problems.append(
                LineProblem(
                    line_no, LineCode.MALFORMED, f"unknown record type {kind[:8]!r}", raw=raw
                )
            )
            continue
        detail_count += 1
        parsed = _parse_detail(line_no, raw, fields)
        if isinstance(parsed, LineProblem):
            problems.append(parsed)
            amount = _amount(fields[3]) if len(fields) == DETAIL_FIELDS else None
            amounts_seen += amount or 0
            continue
        amounts_seen += parsed.amount_fen
        earlier = first_by_serial.get(parsed.serial)
        if earlier is None:
            first_by_serial[parsed.serial] = parsed
            lines.append(parsed)
        elif (earlier.customer_no, earlier.amount_fen) == (parsed.customer_no, parsed.amount_fen):
            duplicates.append(
                LineProblem(
                    line_no,
                    LineCode.DUPLICATE,
                    f"serial {parsed.serial} repeats line {earlier.line_no}",
                    parsed.serial,
                    raw,
                )
            )
        else:
            problems.append(
                LineProblem(
                    line_no,
                    LineCode.SERIAL_CONFLICT,
                    f"serial {parsed.serial} was used on line {earlier.line_no} for customer "
                    f"{earlier.customer_no}, {earlier.amount_fen} fen",
                    parsed.serial,
                    raw,
                )
            )
    if trailer is None:
        raise BankFileError(
            0, "trailer", "no T record: the file is incomplete (transfer cut short?)"
        )
    trailer_no, trailer_count, trailer_total = trailer
    if trailer_count != detail_count or trailer_total != amounts_seen:
        problems.append(
            LineProblem(
                trailer_no,
                LineCode.TRAILER_MISMATCH,
                f"trailer says {trailer_count} lines / {trailer_total} fen, the file has "
                f"{detail_count} lines / {amounts_seen} fen",
            )
        )
    problems.sort(key=lambda p: p.line_no)
    return BankFile(
        bank_id=bank_id,
        business_date=business_date,
        lines=tuple(lines),
        duplicates=tuple(duplicates),
        problems=tuple(problems),
        detail_count=detail_count,
        trailer_count=trailer_count,
        trailer_total_fen=trailer_total,
        trailer_line_no=trailer_no,
    )


def format_bank_file(
    bank_id: str,
    business_date: dt.date,
    lines: Iterable[tuple[str, str, int, dt.datetime, str, str]],
    *,
    trailer: tuple[int, int] | None = None,
) -> str:
    """Write a bank file (serial, customer, fen, time, agency, operator per line); the trailer is
    computed unless given. For samples, tests and the benchmark."""
    body = [
        f"D,{serial},{customer},{fen},{at:%Y%m%d%H%M%S},{agency},{operator}"
        for serial, customer, fen, at, agency, operator in lines
    ]
    if trailer is None:
        total = sum(int(line.split(",")[3]) for line in body)
        trailer = (len(body), total)
    return (
        "\n".join([f"H,{bank_id},{business_date:%Y%m%d}", *body, f"T,{trailer[0]},{trailer[1]}"])
        + "\n"
    )
