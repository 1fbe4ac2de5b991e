"""The per-process hub of live push: it tails the event log and hands each event to the sockets
whose user it concerns.

Every server process runs one hub, and every hub reads the same `events` table, so a change made
by any process (or the worker, or the PC-side sync) reaches the sockets held by every other one.
The hub polls `read_after` every `poll_seconds` from the id that was newest when it started, and
matches an event's audience tokens (`a:<account id>`, `r:<role>`, `o:<org id>:<role>`,
`w:<window id>`, `w:city`; see `server.events.log.audience`) against an index of the connected
principals. What it sends is masked as the HTTP answers are (`for_socket`). It also re-checks
each socket's session every `recheck_seconds` and closes the sockets whose session was revoked or
expired, or whose account was disabled.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Protocol

from server.core.principal import Principal
from server.events.log import for_socket, latest_id, read_after, tokens_for, tokens_of
from server.web.base import load_principal
from server.web.jsonutil import dumps

log = logging.getLogger("server.realtime")

POLL_SECONDS = 0.2
RECHECK_SECONDS = 30.0
BATCH = 500
CLOSE_SESSION_ENDED = 4401
CLOSE_GOING_AWAY = 1001


class Subscriber(Protocol):
    """A connected socket as the hub sees it."""

    principal: Principal
    token: str
    tokens: frozenset[str] | None  # its audience tokens (`tokens_for`), read when it connected

    def deliver(self, message: str) -> None:
        """Send one JSON text frame (must not block)."""

    def end(self, code: int, reason: str) -> None:
        """Close the connection with a WebSocket close code."""


class Hub:
    """Fans the event log out to this process's sockets. Start it once; it runs until `stop()`."""

    def __init__(self, db, clock: Callable, *, poll_seconds: float = POLL_SECONDS,
                 recheck_seconds: float = RECHECK_SECONDS, batch: int = BATCH):
        self.db = db
        self.clock = clock
        self.poll_seconds = poll_seconds
        self.recheck_seconds = recheck_seconds
        self.batch = batch
        self.cursor = 0
        self._index: dict[str, set[Subscriber]] = {}
        self._subs: dict[Subscriber, set[str]] = {}
        self._tasks: list[asyncio.Task] = []
        self._lock = asyncio.Lock()

    @property
    def running(self) -> bool:
        return bool(self._tasks)

    def __len__(self) -> int:
        return len(self._subs)

    async def start(self) -> None:
        """Begin tailing from the newest event; does nothing when already running.
        Raises DatabaseUnavailable when the cursor cannot be read."""
        async with self._lock:
            if self._tasks:
                return
            self.cursor = await latest_id(self.db)
            self._tasks = [asyncio.create_task(self._poll_loop(), name="realtime-poll"),
                           asyncio.create_task(self._recheck_loop(), name="realtime-recheck")]
            log.info("realtime hub started", extra={"event": "realtime_start", "cursor": self.cursor})

    async def stop(self) -> None:
        """Stop tailing and close every socket as "going away" (clients reconnect elsewhere)."""
        tasks, self._tasks = self._tasks, []
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        if tasks and self._subs:
            # one last read, so an event committed just before the shutdown still reaches its sockets
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.poll_once(), 2.0)
        for sub in list(self._subs):
            self.discard(sub)
            sub.end(CLOSE_GOING_AWAY, "服务器正在重启，请稍后重连")

    # ------------------------------------------------------------------ subscribers

    def add(self, sub: Subscriber) -> None:
        """Deliver to `sub` the events addressed to its principal from now on."""
        self.discard(sub)
        toks = getattr(sub, "tokens", None) or tokens_of(sub.principal)
        self._subs[sub] = set(toks)
        for t in toks:
            self._index.setdefault(t, set()).add(sub)

    def discard(self, sub: Subscriber) -> None:
        """Forget a socket (closed, or its session ended)."""
        for t in self._subs.pop(sub, ()):
            peers = self._index.get(t)
            if peers is not None:
                peers.discard(sub)
                if not peers:
                    del self._index[t]

    # ------------------------------------------------------------------ the two loops

    async def poll_once(self) -> int:
        """Read the events committed since the cursor and dispatch them; returns how many."""
        rows, self.cursor = await read_after(self.db, self.cursor, self.batch, self.clock())
        for row in rows:
            self.dispatch(row)
        return len(rows)

    def dispatch(self, row: dict) -> int:
        """Send one event row to every socket in its audience; returns how many sockets."""
        targets: set[Subscriber] = set()
        for tok in (row.get("audience") or "").split():
            targets |= self._index.get(tok, set())
        if not targets:
            return 0
        message = dumps(for_socket(row))  # {id, type, entity, entity_id, data, at}, masked
        for sub in targets:
            try:
                sub.deliver(message)
            except Exception:
                log.warning("could not deliver an event", exc_info=True)
                self.discard(sub)
        return len(targets)

    async def recheck_once(self) -> int:
        """Close the sockets whose session no longer holds; returns how many were closed.
        A socket whose principal changed (roles, org, windows) is re-indexed."""
        closed = 0
        for sub in list(self._subs):
            principal = await load_principal(self.db, sub.token, self.clock())
            if sub not in self._subs:
                continue  # it went away while we looked
            if principal is None:
                self.discard(sub)
                sub.end(CLOSE_SESSION_ENDED, "登录已失效，请重新登录")
                closed += 1
            else:
                toks = await tokens_for(self.db, principal)
                if sub not in self._subs:
                    continue
                if principal != sub.principal or toks != self._subs[sub]:
                    sub.principal, sub.tokens = principal, toks
                    self.add(sub)
        return closed

    async def _poll_loop(self) -> None:
        failing = False
        while True:
            try:
                n = await self.poll_once()
                if failing:
                    log.info("realtime hub reading the event log again")
                failing = False
            except Exception:
                if not failing:
                    log.warning("realtime hub cannot read the event log", exc_info=True)
                failing = True
                n = 0
            if n < self.batch:  # a full batch means more are waiting: read again at once
                await asyncio.sleep(self.poll_seconds if not failing else max(self.poll_seconds, 1.0))

    async def _recheck_loop(self) -> None:
        while True:
            await asyncio.sleep(self.recheck_seconds)
            try:
                await self.recheck_once()
            except Exception:
                # the database being away is no reason to drop everyone: try again next round
                log.warning("realtime hub could not re-check sessions", exc_info=True)


def hub_for(application) -> Hub:
    """The hub of this application (one per process), created on first use, not yet started.
    A test may put its own `Hub` in `application.settings["realtime_hub"]` beforehand."""
    hub = application.settings.get("realtime_hub")
    if hub is None:
        deps = application.settings["deps"]
        hub = application.settings["realtime_hub"] = Hub(deps.db, deps.clock)
    return hub


async def stop_hub(application) -> None:
    """For shutdown: stop the hub if one was started and close its sockets."""
    hub = application.settings.get("realtime_hub")
    if hub is not None:
        await hub.stop()
