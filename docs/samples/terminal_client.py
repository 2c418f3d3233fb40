"""A minimal self-service terminal talking to the counter-server's terminal API.

Usage::

    counterctl terminal add ATM01 --name "hall lobby" --operator admin   # prints the token
    counterctl terminal serve --port 8700 &
    python docs/samples/terminal_client.py http://127.0.0.1:8700 ATM01 TOKEN 100000000001 50.00

It looks the customer up, pays with a fresh serial, and if the answer is lost (a timeout or a
dropped connection) asks for the last transaction instead of paying again: the serial is the
idempotency key, so sending the same request again is safe too and returns the first answer.
Finally it prints the receipt rows.
"""

from __future__ import annotations

import sys
import time
import uuid
from decimal import Decimal

import httpx


def main(base_url: str, terminal_id: str, token: str, customer_no: str, yuan: str) -> int:
    headers = {"X-Terminal-Id": terminal_id, "Authorization": f"Bearer {token}"}
    amount_fen = int(Decimal(yuan) * 100)
    serial = f"{time.strftime('%Y%m%d%H%M%S')}{uuid.uuid4().hex[:6]}"
    with httpx.Client(base_url=base_url, headers=headers, timeout=15) as api:
        customer = api.get(f"/terminal/v1/customers/{customer_no}")
        if customer.status_code != 200:
            print("refused:", customer.json())
            return 1
        c = customer.json()
        arrears, prepayment = c["arrears_fen"] / 100, c["prepayment_fen"] / 100
        print(f"{c['name']}: arrears {arrears:.2f}, prepayment {prepayment:.2f}")
        body = {"serial": serial, "customer_no": customer_no, "amount_fen": amount_fen}
        try:
            answer = api.post("/terminal/v1/payments", json=body)
        except httpx.TransportError:
            # the reply was lost: 末笔交易查询, never a second payment with a new serial
            answer = api.get("/terminal/v1/last-transaction")
        if answer.status_code != 200:
            print("refused:", answer.json())
            return 1
        paid = answer.json()
        print(f"receipt {paid['receipt_no']}; purchase {paid['purchase']}; why: {paid['reason']}")
        receipt = api.get(f"/terminal/v1/payments/{serial}/receipt").json()
        for label, value in receipt["lines"]:
            print(f"  {label}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:6]))
