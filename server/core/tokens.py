"""Secret tokens (sessions, card QR codes) are stored and looked up by their digest only."""

from __future__ import annotations

import hashlib


def token_hash(token: str) -> str:
    """The SHA-256 hex digest a token is stored under."""
    return hashlib.sha256(token.encode()).hexdigest()
