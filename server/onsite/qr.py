"""The dynamic card QR token (SPEC §6): no personal data, signed by the server with a key id so keys
can rotate, valid for the current and the previous 30-second step, used once (checked at the scan).

Format: `Q1.<kid>.<card id base36>.<step base36>.<nonce>.<mac>` — short enough for a small QR code.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets

STEP_SECONDS = 30
PREFIX = "Q1"
_TOKEN_RE = re.compile(
    r"^Q1\.([A-Za-z0-9_-]{1,16})\.([0-9a-z]{1,13})\.([0-9a-z]{1,10})\.([A-Za-z0-9_-]{11})\.([A-Za-z0-9_-]{22})$"
)


def _b36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out


def _mac(key: str, body: str) -> str:
    return base64.urlsafe_b64encode(hmac.new(key.encode(), body.encode(), hashlib.sha256).digest()[:16]).decode().rstrip("=")


def step_of(now: dt.datetime) -> int:
    return int(now.replace(tzinfo=dt.UTC).timestamp()) // STEP_SECONDS


def issue(card_id: int, now: dt.datetime, keys: dict[str, str], kid: str) -> dict:
    """A fresh token for this card; the holder's page re-issues one every step."""
    step = step_of(now)
    nonce = base64.urlsafe_b64encode(secrets.token_bytes(8)).decode().rstrip("=")
    body = f"{PREFIX}.{kid}.{_b36(card_id)}.{_b36(step)}.{nonce}"
    token = f"{body}.{_mac(keys[kid], body)}"
    start = dt.datetime.fromtimestamp(step * STEP_SECONDS, dt.UTC).replace(tzinfo=None)
    expires = start + dt.timedelta(seconds=2 * STEP_SECONDS)  # the current and the next step accept it
    refresh = max(1, int((start + dt.timedelta(seconds=STEP_SECONDS) - now).total_seconds()))
    return {"token": token, "expires_at": expires, "refresh_in_seconds": refresh}


class TokenError(Exception):
    def __init__(self, verdict: str, card_id: int | None = None):
        self.verdict = verdict  # token_invalid | token_expired
        # the card a correctly signed but expired token names (the scan logs it); None otherwise
        self.card_id = card_id
        super().__init__(verdict)


def verify(token: str, now: dt.datetime, keys: dict[str, str]) -> int:
    """The card id a token names, or TokenError('token_invalid' | 'token_expired')."""
    m = _TOKEN_RE.match(token or "")
    if not m:
        raise TokenError("token_invalid")
    kid, cid, step, _nonce, mac = m.groups()
    key = keys.get(kid)
    if key is None or not hmac.compare_digest(_mac(key, token.rsplit(".", 1)[0]), mac):
        raise TokenError("token_invalid")
    age = step_of(now) - int(step, 36)
    if age > 1:
        raise TokenError("token_expired", int(cid, 36))
    if age < 0:
        raise TokenError("token_invalid")
    return int(cid, 36)
