"""What the teller typed into the search box, and which lookups answer it.

At a million customers a search must go straight to an index: one ``OR`` of ``LIKE '%x%'``
over every column reads every row (measured: 180–1,040 ms per keystroke). So the query is
classified first, and each kind is answered by lookups an index can serve:

* digits: a customer number, meter number, meter address or phone **prefix** (B-tree range),
  and from four digits on their **tail** (the last digits the customer reads off a bill or
  a phone: an index on the reversed column, where the tail becomes a prefix);
* anything else: a name **prefix** (B-tree range), and from three characters on a fragment of
  the name or address (a trigram index: SQLite FTS5 ``trigram``, PostgreSQL ``pg_trgm``).

A two-character fragment from the middle of an address is not searched (no trigram exists
for it); the teller types one more character. Pure: the store turns a plan into SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

TAIL_MIN_DIGITS = 4
"""Fewer trailing digits match a tenth of all customers: not a search, a listing."""

FRAGMENT_MIN_CHARS = 3
"""A trigram index needs three characters to narrow anything down."""

MAX_QUERY_CHARS = 64


class Lookup(StrEnum):
    CUSTOMER_NO_PREFIX = "customer-no-prefix"
    CUSTOMER_NO_TAIL = "customer-no-tail"
    METER_NO_PREFIX = "meter-no-prefix"
    METER_NO_TAIL = "meter-no-tail"
    METER_ADDRESS_PREFIX = "meter-address-prefix"
    PHONE_PREFIX = "phone-prefix"
    PHONE_TAIL = "phone-tail"
    NAME_PREFIX = "name-prefix"
    TEXT_FRAGMENT = "text-fragment"


@dataclass(frozen=True)
class SearchPlan:
    """The cleaned query and the index lookups that answer it (empty: nothing to search)."""

    text: str
    lookups: tuple[Lookup, ...]

    @property
    def is_digits(self) -> bool:
        return self.text.isdigit()


def plan_search(raw: str) -> SearchPlan:
    """Classify what was typed (spaces inside numbers are dropped: ``1380 0000 007``)."""
    text = " ".join(raw.split())[:MAX_QUERY_CHARS]
    if not text:
        return SearchPlan("", ())
    compact = text.replace(" ", "").replace("-", "")
    if compact.isdigit() and compact.isascii():
        lookups = [
            Lookup.CUSTOMER_NO_PREFIX,
            Lookup.METER_NO_PREFIX,
            Lookup.METER_ADDRESS_PREFIX,
            Lookup.PHONE_PREFIX,
        ]
        if len(compact) >= TAIL_MIN_DIGITS:
            lookups += [Lookup.CUSTOMER_NO_TAIL, Lookup.METER_NO_TAIL, Lookup.PHONE_TAIL]
        return SearchPlan(compact, tuple(lookups))
    lookups = [Lookup.NAME_PREFIX]
    if len(text) >= FRAGMENT_MIN_CHARS:
        lookups.append(Lookup.TEXT_FRAGMENT)
    return SearchPlan(text, tuple(lookups))
