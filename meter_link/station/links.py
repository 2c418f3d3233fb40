"""One owner thread per meter link, and which link reaches which meter.

A DL/T 645 bus carries one request at a time (RS-485 is half duplex; a serial server or a
concentrator port is one bus too), so each link has exactly one thread that talks on it —
the pattern of a hardware wallet's single executor thread: every job for the link (a
task's attempts, a probe, a meter lookup) is queued to that thread and runs there in turn.
Probes and lookups go before waiting tasks so that a teller's channel check is not stuck
behind a queue of dispatches.

The link is opened on first use and again after it broke; a link that cannot be opened
raises :class:`~meter_link.errors.LinkUnavailable` to the job, which records it as an
attempt (``link-refused``) instead of failing the station.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import itertools
import json
import logging
import queue
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from ..client import Dlt645Client, Timeouts
from ..dispatch import MeterDispatcher
from ..errors import LinkUnavailable, MeterLinkError
from ..security import SecurityModule

log = logging.getLogger("meter_link.station")

T = TypeVar("T")

PRIORITY_PROBE = 0
PRIORITY_TASK = 1


class LinkOwner:
    """The one thread that talks on one meter link, with its job queue."""

    def __init__(
        self,
        url: str,
        security: SecurityModule,
        *,
        timeouts: Timeouts | None = None,
        client_factory: Callable[[str], Dlt645Client] | None = None,
    ) -> None:
        self.url = url
        self.security = security
        self.timeouts = timeouts
        self._factory = client_factory
        self._client: Dlt645Client | None = None
        self._queue: queue.PriorityQueue[tuple[int, int, Callable[[], None] | None]] = (
            queue.PriorityQueue()
        )
        self._order = itertools.count()
        self._thread = threading.Thread(target=self._run, name=f"link {url}", daemon=True)
        self._stopping = threading.Event()

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Finish the job on the link (up to ``timeout``), drop the rest, close the link.

        Dropped tasks stay ``queued`` or ``running`` in the store and resume on restart.
        """
        self._stopping.set()
        self._queue.put((-1, next(self._order), None))
        self._thread.join(timeout)
        if self._client is not None and not self._thread.is_alive():
            self._client.close()

    def submit(self, job: Callable[[LinkOwner], T], priority: int) -> concurrent.futures.Future[T]:
        """Queue ``job`` for this link's thread; its result comes through the future."""
        future: concurrent.futures.Future[T] = concurrent.futures.Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(job(self))
            except BaseException as exc:
                future.set_exception(exc)

        self._queue.put((priority, next(self._order), run))
        return future

    def dispatcher(self) -> MeterDispatcher:
        """A one-attempt dispatcher on this link, opening the link if needed.

        Called on the link's thread only. Raises :class:`LinkUnavailable` when the link
        cannot be opened. The station runs R9's attempts itself so that each attempt is
        written before the next begins and a link that cannot be opened counts as one.
        """
        if self._client is None:
            factory = self._factory or self._open
            self._client = factory(self.url)
        return MeterDispatcher(self._client, self.security, attempts=1)

    def _open(self, url: str) -> Dlt645Client:
        return Dlt645Client(url, timeouts=self.timeouts)

    def drop_client(self) -> None:
        """Forget the client after a link error so that the next job opens it again."""
        if self._client is not None:
            with contextlib.suppress(OSError, MeterLinkError):
                self._client.close()
            self._client = None

    def _run(self) -> None:
        while True:
            _, _, job = self._queue.get()
            if job is None or self._stopping.is_set():
                return
            try:
                job()
            except Exception:  # a job's own future holds its error; never kill the link
                log.exception("job on %s failed", self.url)


class MeterNotServed(LookupError):
    """The meter map names no link for this meter."""


class LinkDirectory:
    """Which link reaches which meter: a meter map, the only link, or a lookup.

    With several links and no map, a meter is looked up by reading its purchase count on
    each link in turn (the first that answers keeps it); a meter found nowhere is tried on
    the first link, where its attempts record why it could not be reached.
    """

    def __init__(
        self,
        owners: list[LinkOwner],
        meter_map: dict[str, str] | None = None,
        *,
        lookup_timeout: float = 30.0,
    ) -> None:
        if not owners:
            raise ValueError("a station needs at least one meter link")
        self.owners = owners
        self._by_url = {o.url: o for o in owners}
        self.meter_map = dict(meter_map or {})
        for meter, url in self.meter_map.items():
            if url not in self._by_url:
                raise ValueError(f"meter map sends meter {meter} to {url}, which is not a link")
        self.lookup_timeout = lookup_timeout
        self._found: dict[str, LinkOwner] = {}
        self._lock = threading.Lock()

    def serves(self, meter: str) -> bool:
        """Whether a task for ``meter`` can be accepted (the meter map, if any, names it)."""
        return not self.meter_map or meter in self.meter_map

    def link_for(self, meter: str) -> LinkOwner:
        """The link of ``meter`` (blocking while it is looked up; never on a link thread)."""
        if self.meter_map:
            url = self.meter_map.get(meter)
            if url is None:
                raise MeterNotServed(f"meter {meter} is not in this station's meter map")
            return self._by_url[url]
        if len(self.owners) == 1:
            return self.owners[0]
        with self._lock:
            known = self._found.get(meter)
        if known is not None:
            return known
        for owner in self.owners:
            future = owner.submit(lambda o: _answers(o, meter), PRIORITY_PROBE)
            try:
                if future.result(timeout=self.lookup_timeout):
                    with self._lock:
                        self._found[meter] = owner
                    return owner
            except concurrent.futures.TimeoutError:
                continue
        return self.owners[0]

    def forget(self, meter: str) -> None:
        """Look the meter up again next time (it failed on the link it was found on)."""
        with self._lock:
            self._found.pop(meter, None)


def _answers(owner: LinkOwner, meter: str) -> bool:
    try:
        owner.dispatcher().client.read_int(meter, "purchase-count")
    except LinkUnavailable:
        owner.drop_client()
        return False
    except MeterLinkError:
        return False
    return True


def load_meter_map(path: str | Path) -> dict[str, str]:
    """A meter map file: JSON ``{"000000000001": "socket://10.0.0.5:4001", ...}``."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise ValueError(f"{path}: a meter map is a JSON object of meter -> link URL")
    return data
