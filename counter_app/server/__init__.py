"""counter-server: the HTTP side of the counter program and its background workers.

It receives the collection system's results (``POST /station/results``), serves the
self-service terminals' API (``terminals``), and runs the workers of the dispatch hand-over:
the task outbox sender and the result poller (``counter_app.services.handover``). Embedded in
the window's process by default (``counter_app.embedded``); a hall with several counters runs
it once, next to its database.
"""
