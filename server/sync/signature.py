"""Signed server-to-server requests from the PC-side system (API.md "PC-side sync").

X-Sync-Signature = hex HMAC-SHA256(secret, METHOD\\nPATH\\nsorted-query\\nTIMESTAMP\\nNONCE\\nhex-sha256(body)).
Timestamps more than 300 s away are refused, and each nonce works once per client.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import sqlalchemy as sa

from server import errors
from server.core.validators import is_ascii_digits
from server.db.database import IntegrityError, Query
from server.db.tables import sync_nonces

MAX_SKEW = 300

_USE_NONCE = Query(sync_nonces.insert().values(client_key=sa.bindparam("k"), nonce=sa.bindparam("n"),
                                               created_at=sa.bindparam("now")))


def sorted_query(raw_query: str) -> str:
    return "&".join(sorted(p for p in raw_query.split("&") if p)) if raw_query else ""


def string_to_sign(method: str, path: str, raw_query: str, timestamp: str, nonce: str, body: bytes) -> str:
    return "\n".join([method.upper(), path, sorted_query(raw_query), timestamp, nonce,
                      hashlib.sha256(body or b"").hexdigest()])


def sign(secret: str, method: str, path: str, raw_query: str, timestamp: str, nonce: str, body: bytes) -> str:
    msg = string_to_sign(method, path, raw_query, timestamp, nonce, body)
    return hmac.new(secret.encode(), msg.encode(), hashlib.sha256).hexdigest()


async def verify(handler) -> str:
    """Check the request's signature, clock and nonce; returns the client key."""
    h = handler.request.headers
    key, ts, nonce, sig = (h.get("X-Sync-Key", ""), h.get("X-Sync-Timestamp", ""), h.get("X-Sync-Nonce", ""),
                           h.get("X-Sync-Signature", ""))
    secret = handler.config.sync_clients.get(key)
    if not (secret and len(ts) <= 12 and is_ascii_digits(ts) and 8 <= len(nonce) <= 64 and len(sig) == 64):
        raise errors.SignatureInvalid()
    now = handler.now()
    if abs(int(ts) - int(now.replace(tzinfo=dt.UTC).timestamp())) > MAX_SKEW:
        raise errors.SignatureInvalid("请求时间戳已过期，请校准时钟")
    want = sign(secret, handler.request.method, handler.request.path, handler.request.query, ts, nonce,
                handler.request.body or b"")
    if not hmac.compare_digest(want, sig.lower()):
        raise errors.SignatureInvalid()
    try:
        await handler.db.execute(_USE_NONCE, {"k": key, "n": nonce, "now": now})
    except IntegrityError:
        raise errors.SignatureInvalid("请求重复（nonce 已使用）") from None
    return key
