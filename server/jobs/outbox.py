"""The outbox: messages are rows written in the same transaction as the change that causes them,
and a relay delivers them afterwards.

Claiming is a conditional UPDATE (a lease: `locked_by`, `locked_until`), so two relays in two
processes never send the same row at the same time. Failures are retried with exponential backoff
until `MAX_ATTEMPTS`, then the row is `dead`.

Sending and recording the answer are two steps, and a relay may die (`kill -9`, a crash, a lost
host) between them. So before calling the provider the relay commits "attempt started"
(`attempts + 1`, `attempted_at`); recording the answer clears `attempted_at`. A row whose lease ran
out with `attempted_at` still set is a send of unknown outcome, and so is one whose send ended
without an answer (a timeout, a dropped connection: `SendResult.uncertain`, recorded with
`attempted_at` kept). The next relay resolves it per channel before it sends anything:

- SMS (Aliyun): every message carries its outbox id as the provider's `OutId`; the relay asks
  QuerySendDetails (phone, send date, OutId). Found → recorded as sent, not sent again; not found →
  sent; the query failed → asked again later (never sent blind). This needs the lease
  (`OUTBOX_LEASE_SECONDS`) to outlast a send's timeouts (checked at start-up), so a slow but live
  relay's request is over before another relay asks about it.
- WeChat subscribe messages: WeChat has no way to ask whether a message went out, and a duplicate
  notification is worse than a missing one, so an uncertain one is given up: status `dead` with the
  code `UNCERTAIN_ABANDONED` (at-most-once for this channel only).
- Senders without either (the console sender in development, test doubles) send again
  (at-least-once).

The relay runs inside each web process (`OUTBOX_RELAY=1`) and/or standalone (`python -m server.worker`);
any number of relays may run side by side.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import os
import socket
from collections.abc import Callable

import sqlalchemy as sa

from server.core import metrics
from server.db.database import Query
from server.db.tables import outbox
from server.integrations.sms import SendResult

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
LEASE = dt.timedelta(seconds=60)

_ENQUEUE = Query(
    outbox.insert().values(
        channel=sa.bindparam("channel"),
        recipient=sa.bindparam("recipient"),
        template=sa.bindparam("template"),
        params=sa.bindparam("params"),
        status="pending",
        attempts=0,
        next_attempt_at=sa.bindparam("now"),
        created_at=sa.bindparam("now"),
    )
)

_DUE = Query(
    sa.select(outbox.c.id)
    .where(
        outbox.c.status == "pending",
        outbox.c.next_attempt_at <= sa.bindparam("now"),
        sa.or_(outbox.c.locked_until.is_(None), outbox.c.locked_until < sa.bindparam("now")),
    )
    .order_by(outbox.c.next_attempt_at, outbox.c.id)
    .limit(sa.bindparam("n"))
)

_CLAIM = Query(
    outbox.update()
    .where(
        outbox.c.id == sa.bindparam("id"),
        outbox.c.status == "pending",
        sa.or_(outbox.c.locked_until.is_(None), outbox.c.locked_until < sa.bindparam("now")),
    )
    .values(locked_by=sa.bindparam("me"), locked_until=sa.bindparam("lease"))
)

# committed on its own before the provider is called: from here on the outcome is uncertain until recorded
_START = Query(
    outbox.update()
    .where(outbox.c.id == sa.bindparam("id"), outbox.c.locked_by == sa.bindparam("me"))
    .values(attempts=outbox.c.attempts + 1, attempted_at=sa.bindparam("now"))
)

_LOAD = Query(sa.select(outbox).where(outbox.c.id == sa.bindparam("id")))

_FINISH = Query(
    outbox.update()
    .where(outbox.c.id == sa.bindparam("id"), outbox.c.locked_by == sa.bindparam("me"))
    .values(
        status=sa.bindparam("status"),
        next_attempt_at=sa.bindparam("next_at"),
        sent_at=sa.bindparam("sent_at"),
        provider_response=sa.bindparam("response"),
        attempted_at=sa.bindparam("attempted_at"),
        locked_by=None,
        locked_until=None,
    )
)

# what an uncertain WeChat subscribe message (or any at-most-once sender's) is recorded with
UNCERTAIN_ABANDONED = "UNCERTAIN_ABANDONED"


async def enqueue(tx, *, channel: str, recipient: str, template: str, params: dict, now: dt.datetime) -> int:
    """Write one message into the outbox, inside the caller's transaction."""
    res = await tx.execute(
        _ENQUEUE,
        {"channel": channel, "recipient": recipient, "template": template,
         "params": json.dumps(params, ensure_ascii=False), "now": now},
    )
    return res.lastrowid


def backoff(attempts: int) -> dt.timedelta:
    """5 s, 10 s, 20 s … capped at one hour."""
    return dt.timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), 3600))


class OutboxRelay:
    """Delivers due outbox rows through the channel's sender (`{"sms": SmsSender}`)."""

    def __init__(self, db, senders: dict[str, object], clock: Callable[[], dt.datetime],
                 worker_id: str | None = None, poll_seconds: float = 1.0, lease: dt.timedelta = LEASE):
        self.db = db
        self.lease = lease
        self.senders = senders
        self.clock = clock
        self.worker_id = (worker_id or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}")[:64]
        self.poll_seconds = poll_seconds
        self._task: asyncio.Task | None = None
        self._wake = asyncio.Event()
        self._stopping = False

    async def _claim(self, msg_id: int) -> dict | None:
        now = self.clock()
        res = await self.db.execute(_CLAIM, {"id": msg_id, "now": now, "me": self.worker_id, "lease": now + self.lease})
        if res.rowcount != 1:
            return None
        return await self.db.fetchone(_LOAD, {"id": msg_id})

    async def _send(self, row: dict) -> SendResult:
        sender = self.senders.get(row["channel"])
        if sender is None:
            return SendResult(ok=False, code="NO_SENDER", detail=f"no sender for {row['channel']}")
        try:
            return await sender.send(row["recipient"], row["template"], json.loads(row["params"]),
                                     out_id=str(row["id"]))
        except Exception as exc:  # a provider bug must not kill the relay
            log.exception("outbox sender failed")
            return SendResult(ok=False, code="EXCEPTION", detail=repr(exc)[:500], retryable=True)

    async def _start(self, row: dict) -> dict | None:
        """Commit "attempt started"; the row as it now is, or None when the lease was lost."""
        now = self.clock()
        res = await self.db.execute(_START, {"id": row["id"], "me": self.worker_id, "now": now})
        if res.rowcount != 1:
            return None
        return {**row, "attempts": row["attempts"] + 1, "attempted_at": now}

    async def _resolve_uncertain(self, row: dict) -> SendResult | None:
        """The previous attempt at this row started and was never recorded: find out (or decide)
        what happened. Returns the result to record, or None when the message should be sent."""
        sender = self.senders.get(row["channel"])
        find_sent = getattr(sender, "find_sent", None)
        if find_sent is not None:
            since = row["attempted_at"]
            try:
                found = await find_sent(row["recipient"], out_id=str(row["id"]), since=since,
                                        until=since + self.lease)
            except Exception as exc:  # unknown stays unknown: ask again later, never send blind
                log.exception("outbox message %s: provider look-up failed", row["id"])
                found = SendResult(ok=False, code="EXCEPTION", detail=repr(exc)[:500], retryable=True)
            if found is None:
                log.info("outbox message %s: earlier attempt unknown to the provider; sending", row["id"])
                return None
            if found.ok:
                log.info("outbox message %s: earlier attempt did reach the provider; not resending", row["id"])
            return found
        if getattr(sender, "at_most_once", False):
            log.warning("outbox message %s: outcome of the earlier attempt unknown; abandoned", row["id"])
            return SendResult(ok=False, code=UNCERTAIN_ABANDONED,
                              detail="上次发送结果未知，且无法向服务商查询：按至多一次处理，不再重发")
        return None

    async def _process(self, row: dict, *, now_or_never: bool = False) -> SendResult | None:
        """Resolve an uncertain earlier attempt, or send; record the outcome. None when the lease was lost.
        `now_or_never`: a throttled send is not retried later (a login code the user waits for)."""
        if row["attempted_at"] is not None:
            known = await self._resolve_uncertain(row)
            if known is not None:
                # a failed look-up keeps the row uncertain: a later pass asks again
                await self._record(row, known, uncertain=True, lookup=True)
                return known
        started = await self._start(row)
        if started is None:
            return None
        result = await self._send(started)
        if now_or_never and result.rate_limited:
            # a throttled login code is useless later: the caller tells the user to wait
            result.retryable = False
        # a timeout may hide a message the provider took: the retry asks before it sends
        await self._record(started, result, uncertain=result.uncertain)
        return result

    async def _record(self, row: dict, result: SendResult, *, uncertain: bool = False, lookup: bool = False) -> None:
        """Record an answer and release the row. `uncertain`: a retry must first resolve this attempt
        (`attempted_at` stays set); `lookup`: the answer is a failed look-up, retried without limit."""
        now = self.clock()
        response = json.dumps({"code": result.code, "detail": result.detail[:1000]}, ensure_ascii=False)
        if result.ok:
            status, next_at, sent_at = "sent", row["next_attempt_at"], now
        elif result.retryable and (lookup or row["attempts"] < MAX_ATTEMPTS):
            status, next_at, sent_at = "pending", now + backoff(row["attempts"]), None
        else:
            status, next_at, sent_at = "dead", row["next_attempt_at"], None
        res = await self.db.execute(
            _FINISH,
            {"id": row["id"], "me": self.worker_id, "status": status, "next_at": next_at,
             "sent_at": sent_at, "response": response,
             "attempted_at": row["attempted_at"] if uncertain and status == "pending" else None},
        )
        if res.rowcount != 1:
            # our lease ran out during the send and another relay took the row over
            log.warning("outbox message %s: lease lost before recording %s", row["id"], result.code)
        metrics.OUTBOX.labels(row["channel"], status).inc()
        if status != "sent":
            log.warning("outbox message %s %s: %s", row["id"], status, result.code)

    async def deliver(self, msg_id: int) -> SendResult | None:
        """Deliver one message now (e.g. a login code the user is waiting for).
        Returns None when another relay holds it or it was already handled."""
        row = await self._claim(msg_id)
        if row is None:
            return None
        return await self._process(row, now_or_never=True)

    async def run_once(self, limit: int = 50) -> int:
        """Deliver what is due; returns how many messages this relay handled."""
        ids = [r["id"] for r in await self.db.fetchall(_DUE, {"now": self.clock(), "n": limit})]
        done = 0
        for msg_id in ids:
            if self._stopping:  # finish the message in hand, leave the rest to the next relay
                break
            row = await self._claim(msg_id)
            if row is None:
                continue
            await self._process(row)
            done += 1
        return done

    def poke(self) -> None:
        """Wake the loop now: new messages were committed."""
        self._wake.set()

    async def run_forever(self) -> None:
        """Deliver due messages until `stop()`; sleeps `poll_seconds` (or until `poke()`) when idle."""
        while not self._stopping:
            self._wake.clear()  # before the pass, so a poke() during it is not lost
            try:
                handled = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("outbox relay pass failed; retrying", exc_info=True)
                handled = 0
            if handled or self._stopping:
                continue
            try:
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
            except TimeoutError:
                pass

    def start(self) -> None:
        """Run `run_forever()` in the background on the running loop."""
        if self._task is None:
            self._stopping = False
            self._task = asyncio.get_running_loop().create_task(self.run_forever())

    async def stop(self, grace_seconds: float = 15.0) -> None:
        """Stop the background loop: the message being sent is finished and recorded (up to
        `grace_seconds`), the rest stay pending for the next relay."""
        if self._task is None:
            return
        task, self._task = self._task, None
        self._stopping = True
        self._wake.set()
        done, _ = await asyncio.wait({task}, timeout=grace_seconds)
        if not done:
            log.warning("outbox relay still busy after %ss; cancelling it", grace_seconds)
            task.cancel()
            await asyncio.wait({task})
        if not task.cancelled() and task.exception() is not None:
            log.error("outbox relay loop failed", exc_info=task.exception())
