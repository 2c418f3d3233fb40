"""Demo data: customers, meters, bills and users for trying the counter (counterctl demo).

The demo meters are the ones the meter simulator hosts: `demo_meters()` lists them (address,
meter number, customer number, starting balance) so that the application's bootstrap can put
the very same meters on the simulated DL/T 645 bus. Addresses equal meter numbers, as on the
simulator (``meter_link.simulator``), and every meter starts at purchase count 0.

Demo users (documented in docs/counterctl.md; demo only — change them for real use):

==========  ===============  ==========
user        password         role
==========  ===============  ==========
teller1     teller1-pass     teller
teller2     teller2-pass     teller
super1      super1-pass      supervisor
tech1       tech1-pass       technician
admin       admin-pass       admin
==========  ===============  ==========
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from counter_app.config import Config
from counter_app.services import auth
from counter_app.services.errors import InvalidInput
from counter_app.services.registry import Services
from counter_app.store.database import write_transaction
from counter_app.store.models import Customer, Meter, User

DEMO_USERS: tuple[tuple[str, str, str, str], ...] = (
    ("teller1", "teller1-pass", "teller", "柜员一 Teller One"),
    ("teller2", "teller2-pass", "teller", "柜员二 Teller Two"),
    ("super1", "super1-pass", "supervisor", "班长 Supervisor"),
    ("tech1", "tech1-pass", "technician", "检修员 Technician"),
    ("admin", "admin-pass", "admin", "管理员 Admin"),
)


@dataclass(frozen=True)
class DemoMeter:
    """One demo meter as the simulator must host it."""

    address: str
    meter_no: str
    customer_no: str
    balance_fen: int
    collection_capable: bool
    purchase_mode: str


@dataclass(frozen=True)
class DemoCustomer:
    customer_no: str
    name: str
    address: str
    phone: str
    story: str
    meters: tuple[DemoMeter, ...]
    bills_fen: tuple[tuple[str, int], ...] = ()  # (issued_on ISO date, amount fen)
    card_serial: str | None = None


def _meter(
    n: int, customer_no: str, balance_fen: int, *, capable: bool = True, mode: str = "remote"
) -> DemoMeter:
    address = f"{n:012d}"
    return DemoMeter(address, address, customer_no, balance_fen, capable, mode)


DEMO_CUSTOMERS: tuple[DemoCustomer, ...] = (
    DemoCustomer(
        "100000000001",
        "张伟",
        "幸福路 1 号",
        "13800000001",
        "one remote meter, no arrears: a payment is dispatched at once (R2, R3)",
        (_meter(1, "100000000001", 5_000),),
    ),
    DemoCustomer(
        "100000000002",
        "王芳",
        "幸福路 2 号",
        "13800000002",
        "one remote meter with two unpaid bills: R1 settles them first",
        (_meter(2, "100000000002", 1_200),),
        bills_fen=(("2026-08-31", 8_650), ("2026-09-30", 9_120)),
    ),
    DemoCustomer(
        "100000000003",
        "李娜",
        "幸福路 3 号",
        "",
        "card meter in card mode: money waits for a card write (R2, R12)",
        (_meter(3, "100000000003", 3_000, mode="card"),),
        card_serial="00000000C0000003",
    ),
    DemoCustomer(
        "100000000004",
        "刘洋",
        "幸福路 4 号",
        "13800000004",
        "card meter the collection system cannot reach (R2)",
        (_meter(4, "100000000004", 800, capable=False, mode="card"),),
        card_serial="00000000C0000004",
    ),
    DemoCustomer(
        "100000000005",
        "陈静",
        "幸福路 5 号",
        "13800000005",
        "household with two card meters: never dispatched directly (R6)",
        (_meter(5, "100000000005", 2_500), _meter(6, "100000000005", 4_100)),
        card_serial="00000000C0000005",
    ),
    DemoCustomer(
        "100000000006",
        "杨磊",
        "幸福路 6 号",
        "13800000006",
        "remote meter in arrears (one bill): dispatch only once arrears are paid",
        (_meter(7, "100000000006", 300),),
        bills_fen=(("2026-10-31", 12_345),),
    ),
    DemoCustomer(
        "100000000007",
        "赵敏",
        "幸福路 7 号",
        "13800000007",
        "one remote meter, no arrears, no SMS subscription",
        (_meter(8, "100000000007", 10_000),),
    ),
)


def demo_meters() -> list[DemoMeter]:
    """Every demo meter (for populating the meter simulator with the same meters)."""
    return [m for c in DEMO_CUSTOMERS for m in c.meters]


@dataclass
class DemoResult:
    users: list[str] = field(default_factory=list)
    customers: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def load_demo(services: Services) -> DemoResult:
    """Create the demo users and customers that do not exist yet (safe to run again)."""
    result = DemoResult()
    for username, password, role, full_name in DEMO_USERS:
        if User.get_or_none(User.username == username) is not None:
            result.skipped.append(f"user {username}")
            continue
        auth.create_user(
            username,
            password,
            role,
            full_name=full_name,
            actor="demo",
            counter_id=services.ctx.counter_id,
        )
        result.users.append(username)
    for dc in DEMO_CUSTOMERS:
        if Customer.get_or_none(Customer.customer_no == dc.customer_no) is not None:
            result.skipped.append(f"customer {dc.customer_no}")
            continue
        taken = [
            m.address
            for m in dc.meters
            if Meter.get_or_none(Meter.address == m.address) is not None
        ]
        if taken:
            raise InvalidInput("meter", f"address {taken[0]} belongs to another customer")
        with write_transaction():
            customer = Customer.create(
                customer_no=dc.customer_no,
                name=dc.name,
                address=dc.address,
                phone=dc.phone,
                sms_subscribed=bool(dc.phone),
            )
            for m in dc.meters:
                Meter.create(
                    customer=customer,
                    address=m.address,
                    meter_no=m.meter_no,
                    customer_no=m.customer_no,
                    is_card_meter=True,
                    collection_capable=m.collection_capable,
                    purchase_mode=m.purchase_mode,
                    card_serial=dc.card_serial,
                    last_balance_fen=m.balance_fen,
                )
        for issued_on, amount in dc.bills_fen:
            services.payments.issue_bill(
                dc.customer_no,
                amount,
                issued_on=dt.date.fromisoformat(issued_on),
                period=issued_on[:7],
                operator="demo",
            )
        result.customers.append(dc.customer_no)
    return result


def demo_users_present() -> list[str]:
    """Demo users whose password is still the published one (`DEMO_USERS`, in the docs).

    A production configuration refuses to start while this is not empty: anyone who has read
    the manual could sign in as them.
    """
    return auth.users_with_published_passwords((u, p) for u, p, _, _ in DEMO_USERS)


class DemoUsersPresent(RuntimeError):
    """A production counter found demo users with their published passwords."""

    def __init__(self, usernames: list[str], source: str) -> None:
        super().__init__(
            f"the configuration {source} names a production database, but demo users with "
            f"published passwords are present ({', '.join(usernames)}): deactivate them or "
            "give them new passwords (counterctl user passwd / user deactivate) before starting"
        )
        self.usernames = usernames
        self.source = source


def refuse_demo_users_in_production(config: Config) -> None:
    """Raise `DemoUsersPresent` when a production configuration meets published passwords."""
    if not config.production:
        return
    present = demo_users_present()
    if present:
        raise DemoUsersPresent(present, str(config.source))
