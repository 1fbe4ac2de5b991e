"""The venue code printed on a venue's guide poster (引导图, seed 002 §4.5.1).

A holder scans the poster with WeChat; the scan reads a URL `{public_base_url}/h5/#/checkin?v=<code>`,
and the H5 page sends that whole text to `POST /api/v1/onsite/checkin`. The code names the venue and
is signed with the QR keys of the configuration under a purpose prefix of its own, so a card token
can never pass for a venue code (or the other way round) and a forged or edited code is refused.

Format: `V1.<kid>.<venue id base36>.<mac>`. It carries no time: a printed poster stays valid as long
as its key id stays in `QR_KEYS` (retiring a key means reprinting the posters signed with it).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from urllib.parse import unquote

from server.onsite.qr import _b36

PURPOSE = "venue-poster:"
_CODE_RE = re.compile(r"^V1\.([A-Za-z0-9_-]{1,16})\.([0-9a-z]{1,13})\.([A-Za-z0-9_-]{22})$")
# the `v` parameter wherever it stands: query string or the H5's hash route
_PARAM_RE = re.compile(r"[?&#]v=([^&#\s]{1,200})")


def _mac(key: str, body: str) -> str:
    digest = hmac.new(key.encode(), (PURPOSE + body).encode(), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def issue(venue_id: int, keys: dict[str, str], kid: str) -> str:
    """The signed code of a venue."""
    body = f"V1.{kid}.{_b36(venue_id)}"
    return f"{body}.{_mac(keys[kid], body)}"


def poster_url(public_base_url: str, code: str) -> str:
    """What the poster's QR code holds: the H5 check-in page with the code."""
    return f"{public_base_url.rstrip('/')}/h5/#/checkin?v={code}"


def verify(text: str, keys: dict[str, str]) -> int | None:
    """The venue id named by what a scan read (the poster URL or the bare code), or None when it is
    not a venue code of ours or its signature does not match."""
    text = (text or "").strip()
    m = _PARAM_RE.search(text)
    code = unquote(m.group(1)) if m else text
    parts = _CODE_RE.match(code)
    if not parts:
        return None
    kid, vid, mac = parts.groups()
    key = keys.get(kid)
    if key is None or not hmac.compare_digest(_mac(key, code.rsplit(".", 1)[0]), mac):
        return None
    venue_id = int(vid, 36)
    return venue_id or None
