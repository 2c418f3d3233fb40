"""The bank collection file as the parser sees it: literal lines in, facts and line problems out.

A file without its header or trailer is refused whole (nothing may be booked from it); a bad
detail line or a trailer that does not add up is a problem of that line only.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from counter_app.core.bank_file import BankFileError, LineCode, format_bank_file, parse_bank_file
from counter_app.core.money import MAX_AMOUNT_FEN

GOOD = """H,ICBC01,20261130
D,S0001,C001,10000,20261130093000,AG01,OP7
D,S0002,C002,2550,20261130101500,AG01,OP7
T,2,12550
"""


def test_a_good_file_gives_its_header_lines_and_trailer() -> None:
    f = parse_bank_file(GOOD)
    assert (f.bank_id, f.business_date) == ("ICBC01", dt.date(2026, 11, 30))
    assert [(x.line_no, x.serial, x.customer_no, x.amount_fen) for x in f.lines] == [
        (2, "S0001", "C001", 10000),
        (3, "S0002", "C002", 2550),
    ]
    assert f.lines[1].paid_at == dt.datetime(2026, 11, 30, 10, 15)
    assert f.problems == () and f.duplicates == ()
    assert (f.trailer_count, f.trailer_total_fen, f.trailer_line_no) == (2, 12550, 4)


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ("D,S0003,C003,100,20261130093000,AG01", LineCode.MALFORMED),
        ("D,S 3,C003,100,20261130093000,AG01,OP", LineCode.BAD_SERIAL),
        ("D,S0003,,100,20261130093000,AG01,OP", LineCode.BAD_CUSTOMER_NO),
        ("D,S0003,C003,12.50,20261130093000,AG01,OP", LineCode.BAD_AMOUNT),
        ("D,S0003,C003,0,20261130093000,AG01,OP", LineCode.BAD_AMOUNT),
        ("D,S0003,C003,-5,20261130093000,AG01,OP", LineCode.BAD_AMOUNT),
        ("D,S0003,C003,100,20261131093000,AG01,OP", LineCode.BAD_TIME),
        ("D,S0003,C003,100,20261130093000," + "A" * 33 + ",OP", LineCode.BAD_TEXT),
        ("X,S0003,C003,100,20261130093000,AG01,OP", LineCode.MALFORMED),
    ],
)
def test_a_bad_detail_line_is_a_problem_of_that_line_only(line: str, code: LineCode) -> None:
    text = GOOD.replace("T,2,12550", f"{line}\nT,3,12550")
    f = parse_bank_file(text)
    assert [x.serial for x in f.lines] == ["S0001", "S0002"]
    problems = [p for p in f.problems if p.code is not LineCode.TRAILER_MISMATCH]
    assert [(p.line_no, p.code) for p in problems] == [(4, code)]
    assert "line 4" in str(problems[0])


def test_a_trailer_that_does_not_add_up_is_reported_on_its_line() -> None:
    f = parse_bank_file(GOOD.replace("T,2,12550", "T,3,12550"))
    assert len(f.lines) == 2
    (problem,) = f.problems
    assert (problem.line_no, problem.code) == (4, LineCode.TRAILER_MISMATCH)
    assert "3 lines" in problem.detail and "2 lines" in problem.detail


def test_a_repeated_serial_is_a_duplicate_or_a_conflict() -> None:
    text = GOOD.replace(
        "T,2,12550",
        "D,S0001,C001,10000,20261130093000,AG01,OP7\n"
        "D,S0002,C009,2550,20261130093000,AG01,OP7\nT,4,25100",
    )
    f = parse_bank_file(text)
    assert [(d.line_no, d.code) for d in f.duplicates] == [(4, LineCode.DUPLICATE)]
    assert [(p.line_no, p.code) for p in f.problems] == [(5, LineCode.SERIAL_CONFLICT)]
    assert len(f.lines) == 2


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("", "header"),
        ("D,S1,C1,1,20261130093000,A,B\nT,1,1\n", "header"),
        ("H,ICBC01\nT,0,0\n", "header"),
        ("H,IC BC,20261130\nT,0,0\n", "bank id"),
        ("H,ICBC01,20261332\nT,0,0\n", "date"),
        ("H,ICBC01,20261130\nD,S1,C1,1,20261130093000,A,B\n", "trailer"),
        ("H,ICBC01,20261130\nT,one,1\n", "trailer"),
    ],
)
def test_a_file_without_usable_header_or_trailer_is_refused_whole(text: str, field: str) -> None:
    with pytest.raises(BankFileError) as info:
        parse_bank_file(text)
    assert info.value.field == field


def test_gb18030_files_are_read_too() -> None:
    from counter_app.core.bank_file import decode

    data = GOOD.replace("AG01", "工行营业部").encode("gb18030")
    f = parse_bank_file(decode(data))
    assert f.lines[0].agency == "工行营业部"


@given(
    st.lists(
        st.tuples(
            st.from_regex(r"[A-Z0-9]{1,12}", fullmatch=True),
            st.from_regex(r"C[0-9]{1,6}", fullmatch=True),
            st.integers(1, MAX_AMOUNT_FEN),
        ),
        max_size=30,
        unique_by=lambda t: t[0],
    )
)
def test_what_is_written_is_read_back(rows: list[tuple[str, str, int]]) -> None:
    at = dt.datetime(2026, 11, 30, 8, 0)
    text = format_bank_file(
        "B1", dt.date(2026, 11, 30), [(s, c, f, at, "A", "O") for s, c, f in rows]
    )
    f = parse_bank_file(text)
    assert [(x.serial, x.customer_no, x.amount_fen) for x in f.lines] == rows
    assert f.problems == ()
