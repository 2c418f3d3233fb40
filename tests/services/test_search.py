"""Search as the teller types, each kind of query through its index (SQLite and PostgreSQL).

The core classifies (digits → number/phone prefix and, from four digits, tail; text → name
prefix and, from three characters, a name/address fragment); these tests check that every
kind finds what it should, that nothing else leaks in, and that the search costs a bounded
number of statements whatever the number of hits.
"""

from __future__ import annotations

import logging

import pytest

from counter_app.core.search_query import Lookup, plan_search
from counter_app.services.counter_views import search_customers
from counter_app.store.models import Customer, Meter
from tests.fixtures.database import TestDatabase


def _customer(no: str, name: str, phone: str, address: str, meters: list[tuple[str, str]]) -> None:
    c = Customer.create(customer_no=no, name=name, phone=phone, address=address)
    for meter_no, addr in meters:
        Meter.create(customer=c, address=addr, meter_no=meter_no, customer_no=no)


@pytest.fixture
def books(db: TestDatabase) -> None:
    _customer("310100004321", "张伟", "13800138000", "幸福路12号3单元", [("M0001", "000000000101")])
    _customer("310100005678", "张小明", "13912345678", "光明街8号", [("M0002", "000000000102")])
    _customer("310200001111", "李娜", "13700004321", "幸福路15号", [("4100009876", "000000000103")])
    _customer(
        "420300009999",
        "王芳_%",
        "",
        "人民大道100号",
        [("4100005555", "000000000104"), ("4100006666", "000000000105")],
    )


def _nos(text: str, limit: int = 20) -> list[str]:
    return [h.customer_no for h in search_customers(text, limit).hits]


def test_plan_classifies_digits_and_text() -> None:
    assert plan_search("  ").lookups == ()
    assert Lookup.CUSTOMER_NO_TAIL not in plan_search("310").lookups
    assert Lookup.PHONE_TAIL in plan_search("4321").lookups
    assert plan_search("1380 0138 000").text == "13800138000"
    assert plan_search("张").lookups == (Lookup.NAME_PREFIX,)
    assert plan_search("幸福路").lookups == (Lookup.NAME_PREFIX, Lookup.TEXT_FRAGMENT)


def test_digits_find_number_phone_and_meter_prefixes(books: None) -> None:
    assert _nos("3101") == ["310100004321", "310100005678"]
    assert _nos("310200001111") == ["310200001111"]
    assert _nos("139") == ["310100005678"]
    assert _nos("41000055") == ["420300009999"]  # meter number prefix
    assert _nos("000000000103") == ["310200001111"]  # meter address
    assert _nos("5") == []


def test_four_digits_or_more_also_find_tails(books: None) -> None:
    # "4321" ends a customer number and a phone number of another customer
    assert _nos("4321") == ["310100004321", "310200001111"]
    assert _nos("9876") == ["310200001111"]  # meter number tail
    assert _nos("6666") == ["420300009999"]
    assert _nos("321") == []  # three digits: prefixes only


def test_text_finds_name_prefix_and_name_or_address_fragments(books: None) -> None:
    assert _nos("张") == ["310100004321", "310100005678"]
    assert _nos("张小") == ["310100005678"]
    assert _nos("小明") == []  # two characters from the middle: not searched
    assert _nos("幸福路") == ["310100004321", "310200001111"]
    assert _nos("8号") == []
    assert _nos("光明街8") == ["310100005678"]
    assert _nos("人民大道100") == ["420300009999"]


def test_like_wildcards_in_what_was_typed_are_plain_characters(books: None) -> None:
    assert _nos("王芳_%") == ["420300009999"]
    assert _nos("王芳%") == []
    assert _nos("_%") == []


def test_changed_address_is_found_at_once(books: None) -> None:
    Customer.update(address="解放路99号").where(Customer.customer_no == "310100005678").execute()
    assert _nos("光明街") == []
    assert _nos("解放路99") == ["310100005678"]


def test_more_flag_and_limit(books: None) -> None:
    result = search_customers("3", limit=2)
    assert [h.customer_no for h in result.hits] == ["310100004321", "310100005678"]
    assert result.more
    assert not search_customers("42", limit=2).more


def test_hits_carry_their_meters_in_two_queries(
    books: None, caplog: pytest.LogCaptureFixture
) -> None:
    plan = plan_search("4100")
    with caplog.at_level(logging.DEBUG, logger="peewee"):
        result = search_customers("4100")
    statements = [r for r in caplog.records if r.name == "peewee"]
    assert {h.customer_no for h in result.hits} == {"310200001111", "420300009999"}
    wang = next(h for h in result.hits if h.customer_no == "420300009999")
    assert wang.meter_nos == ("4100005555", "4100006666")
    # one statement per lookup, then the customers and their meters: never one per hit
    assert len(statements) == len(plan.lookups) + 2
