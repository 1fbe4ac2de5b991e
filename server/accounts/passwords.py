"""Staff passwords: scrypt (a slow, memory-hard KDF), verified in constant time."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re

N, R, P = 2**14, 8, 1


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    dk = hashlib.scrypt(password.encode(), salt=salt, n=N, r=R, p=P, dklen=32)
    return f"scrypt${N}${R}${P}${base64.b64encode(salt).decode()}${base64.b64encode(dk).decode()}"


def verify_password(password: str, stored: str | None) -> bool:
    if not stored:
        # still spend the time, so unknown users and users without a password look the same
        hashlib.scrypt(password.encode(), salt=b"0" * 16, n=N, r=R, p=P, dklen=32)
        return False
    try:
        algo, n, r, p, salt, dk = stored.split("$")
        if algo != "scrypt":
            return False
        got = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(base64.b64decode(dk)))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, base64.b64decode(dk))


def password_problem(password: str) -> str | None:
    """The Chinese reason a new password is too weak, or None (seed 000 §5: change password)."""
    if len(password) < 8:
        return "密码长度不能少于8位"
    if len(password) > 64:
        return "密码长度不能超过64位"
    kinds = sum(bool(re.search(p, password)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]"))
    if kinds < 3:
        return "密码需包含大写字母、小写字母、数字、特殊符号中的至少三种"
    return None
