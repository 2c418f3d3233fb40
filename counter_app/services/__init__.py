"""Use cases of the counter: Qt-free, blocking, one database transaction per business step.

Built together by `counter_app.services.registry.build_services(ServiceContext)` (the
composition root `counter_app.bootstrap.open_counter` does it from the configuration):

* `payments.PaymentService` — take a payment (R1–R6) and dispatch its purchase (R7–R11);
* `dispatching.DispatchService` — dispatch / re-dispatch a purchase, R8 probe of unresolved ones;
* `reversals.ReversalService` — counter reversal with a supervisor's own credentials (R15, R16);
* `cards.CardService` — records around a card write and the card's write-back (R6, R12, R13);
* `work_orders.WorkOrderService` — re-dispatch work orders (R10);
* `notifications` — SMS outbox and its drain (R11); `auth` — users, passwords, roles;
  `audit` — the append-only trail (I3); `checks` — I1/I2 over the database;
  `customers` — read-only views; `ports` — the Protocols the devices implement;
  `errors` — typed errors with a `code` and fields.
"""
