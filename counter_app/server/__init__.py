"""counter-server: the marketing side's HTTP endpoint and background workers.

It receives the collection system's results (``POST /station/results``), and runs the
workers of the hand-over: the task outbox sender and the result poller
(``counter_app.services.handover``). Embedded in the window's process by default
(``counter_app.embedded``); a hall with several counters runs it once, next to its database.
"""
