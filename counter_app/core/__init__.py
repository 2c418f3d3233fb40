"""The rules of the counter (R1-R21, I1-I2) as pure Python: no Qt, no database, no I/O.

Modules: ``money`` (fen), ``allocation`` (R1), ``eligibility`` (R2, R3, R6), ``channels``
(R4, R5), ``payment_plan`` (R1-R6 together), ``purchase_state`` (the purchase state machine),
``reversal`` (R15, R16), ``invariants`` (I1, I2). ``docs/rules.md`` maps every rule to its code.
"""
