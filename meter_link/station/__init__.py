"""meter_link.station: the collection system's side of a remote dispatch (``meter-station``).

The marketing side (the counter, the back office) decides *what* to load; the station
decides *how* to reach the meter. It owns the meter links, takes dispatch tasks over HTTP,
runs R7–R9 through :class:`~meter_link.dispatch.MeterDispatcher` (three attempts, same
``n``), keeps every task and attempt in its own database so that a restarted station
resumes by probing the meter (R8) instead of guessing, and sends each final result back
(callback, with poll + ack as the fallback) at least once.

* :mod:`.reasons` — task states, outcomes and the named causes of a failure;
* :mod:`.store` — tasks, attempts and channel health in peewee (SQLite or PostgreSQL);
* :mod:`.links` — one owner thread per meter link (a bus carries one request at a time);
* :mod:`.runner` — one task on its link: resume probe, attempts, result;
* :mod:`.events` — step events for the server-sent-event streams;
* :mod:`.delivery` — the result callback with retries and backoff;
* :mod:`.service` — the composition: :class:`~.service.Station`;
* :mod:`.api` — the HTTP API (FastAPI); :mod:`.cli` — ``meter-station serve``.
"""
