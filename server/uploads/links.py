"""Short-lived signed upload URLs (API.md v1.1): `/api/v1/uploads/{id}?exp=<unix>&sig=<hex>`.

A signed URL works without the `Authorization` header, so `<img src>` in the H5, `<image src>` in
the mini-program and a reviewer's zoom view can load a file. Whoever is handed the URL (by an
endpoint that already decided they may see the file) may load it for the next ten minutes.

The expiry is rounded up to the next minute and then ten minutes added: every URL minted within
one minute for one file is the same string, so browsers cache the image and a card page polled
every few seconds signs nothing new. `sig` = hex HMAC-SHA256(key, "upload:{id}:{exp}"), cut to
128 bits; it is compared in constant time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Callable

VALID_SECONDS = 600
ROUND_SECONDS = 60
SIG_HEX = 32  # 128 bits

_EXP = re.compile(r"[0-9]{1,12}", re.ASCII)
_SIG = re.compile(f"[0-9a-f]{{{SIG_HEX}}}", re.ASCII)


def unix(now: dt.datetime) -> int:
    """Seconds since the epoch of a naive-UTC instant (the form the clock gives)."""
    return int(now.replace(tzinfo=dt.UTC).timestamp())


class UploadLinks:
    """Signs and checks upload URLs with one key; `clock` is the app's injected clock."""

    def __init__(self, key: str, clock: Callable[[], dt.datetime]):
        self._key = key.encode()
        self._clock = clock

    def _sig(self, file_id: str, exp: int) -> str:
        msg = f"upload:{file_id}:{exp}".encode()
        return hmac.new(self._key, msg, hashlib.sha256).hexdigest()[:SIG_HEX]

    def expiry(self) -> int:
        now = unix(self._clock())
        return (now // ROUND_SECONDS + 1) * ROUND_SECONDS + VALID_SECONDS

    def url(self, file_id: str | None) -> str | None:
        """The signed URL of an upload's public id (None stays None)."""
        if not file_id:
            return None
        exp = self.expiry()
        return f"/api/v1/uploads/{file_id}?exp={exp}&sig={self._sig(file_id, exp)}"

    def remaining(self, file_id: str, exp: str | None, sig: str | None) -> int | None:
        """Seconds a signed URL stays valid, or None when the signature is missing, malformed,
        expired, tampered with or made for another file."""
        if not exp or not sig or not _EXP.fullmatch(exp) or not _SIG.fullmatch(sig):
            return None
        left = int(exp) - unix(self._clock())
        if left <= 0 or left > VALID_SECONDS + ROUND_SECONDS:
            return None
        if not hmac.compare_digest(self._sig(file_id, int(exp)).encode(), sig.encode()):
            return None
        return left
