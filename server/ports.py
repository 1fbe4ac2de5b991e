"""The ports: what the application needs from the outside world, as Protocols.

`server.deps.Deps` is typed with them; the default implementations (`server.db.database`,
`server.integrations`, `server.uploads`) satisfy them, and tests put fakes speaking the same
methods in their place (tests/test_ports.py checks both with `isinstance`, as the Protocols are
runtime-checkable; mypy is not in the toolchain). This module imports nothing from the application.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class Transaction(Protocol):
    """One connection inside a transaction (or a plain connection): statements are `Query` objects
    or SQLAlchemy Core statements; rows come back as dicts."""

    async def fetchall(self, q, params: Mapping | None = None) -> list[dict]: ...

    async def fetchone(self, q, params: Mapping | None = None) -> dict | None: ...

    async def fetchval(self, q, params: Mapping | None = None) -> Any: ...

    async def execute(self, q, params: Mapping | None = None) -> Any: ...

    async def insert(self, table, values: Mapping) -> int: ...

    async def insert_many(self, table, rows: Iterable[Mapping]) -> None: ...


@runtime_checkable
class Database(Protocol):
    """The pool: single statements outside a transaction, or a transaction / connection to hold.
    Every wait for a connection is bounded (503 `DatabaseUnavailable`)."""

    dialect: str

    def transaction(self) -> AbstractAsyncContextManager[Transaction]: ...

    def connection(self) -> AbstractAsyncContextManager[Transaction]: ...

    async def fetchall(self, q, params: Mapping | None = None) -> list[dict]: ...

    async def fetchone(self, q, params: Mapping | None = None) -> dict | None: ...

    async def fetchval(self, q, params: Mapping | None = None) -> Any: ...

    async def execute(self, q, params: Mapping | None = None) -> Any: ...

    async def connect(self) -> None: ...

    async def close(self) -> None: ...


@runtime_checkable
class Clock(Protocol):
    """Now, as naive UTC (the form the database stores); tests move it."""

    def __call__(self) -> dt.datetime: ...


@dataclasses.dataclass
class SendResult:
    ok: bool
    # the provider's answer code: OK, isv.BUSINESS_LIMIT_CONTROL, …
    code: str
    detail: str = ""
    # worth trying again later (network trouble, throttling, provider outage)
    retryable: bool = False
    # the provider refused because of its own send-rate limits (mapped to 429 for login codes)
    rate_limited: bool = False
    # no answer came back although the request may have reached the provider (a timeout, a dropped
    # connection, a 5xx): the outbox asks the provider before it tries again (server/jobs/outbox.py)
    uncertain: bool = False


@runtime_checkable
class SmsSender(Protocol):
    name: str

    async def send(self, phone: str, template: str, params: dict, out_id: str | None = None) -> SendResult:
        """Send one message; `out_id` is our reference (the outbox row id) echoed in the provider's receipts."""
        ...


# A sender may also offer `find_sent(phone, out_id=, since=, until=) -> SendResult | None`: whether the
# provider holds a message with this `out_id` sent to `phone` between `since` and `until` (ok result),
# does not (None), or could not say (a failed, retryable result). The outbox relay asks it before it
# resends a message whose earlier attempt has no recorded outcome (AliyunSmsSender implements it).


@runtime_checkable
class Wechat(Protocol):
    """WeChat: the mini-program login and phone number, subscribe messages, the official account's
    OAuth and JSSDK. Blocking SDK calls run off the event loop inside the implementation."""

    async def code_to_session(self, code: str) -> Any: ...

    async def phone_number(self, phone_code: str) -> tuple[str, str]: ...

    async def send_subscribe_message(self, openid: str, template_id: str, data: dict, page: str | None) -> dict: ...

    def authorize_url(self, redirect_uri: str, state: str) -> str: ...

    async def oauth_identity(self, code: str) -> Any: ...

    async def jssdk_config(self, url: str) -> dict: ...


@runtime_checkable
class UploadLinks(Protocol):
    """Short-lived signed URLs of uploads: the only way an answer names a file."""

    def url(self, file_id: str | None) -> str | None: ...

    def remaining(self, file_id: str, exp: str | None, sig: str | None) -> int | None: ...


@runtime_checkable
class UploadStore(Protocol):
    """Where uploaded bytes live; blocking calls (run them on the executor)."""

    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def get(self, key: str) -> bytes | None: ...

    def delete(self, key: str) -> None: ...


@runtime_checkable
class Relay(Protocol):
    """The outbox relay: told when rows were committed that it should deliver now."""

    def poke(self) -> None: ...

    def start(self) -> None: ...

    async def stop(self, grace_seconds: float = 15.0) -> None: ...
