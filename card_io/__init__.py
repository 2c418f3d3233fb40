"""card_io: purchase cards of local cost-control meters over PC/SC (docs/card-io.md).

A library of its own (it never imports the counter program): ``reader`` (the only module
that imports pyscard), ``purchase_card`` (the counter's operations, R12–R16), ``security``
(the CardCrypto port), ``card_files`` (file layouts), ``meter_card`` (what a meter does with
an inserted card), ``virtual`` (a virtual card for pcscd + vpcd) and ``cli`` (card-tool).
"""
