"""Personal data: masking for display, AES-GCM for ID numbers at rest, a keyed hash for look-up."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

# 18-digit ID numbers (last may be X) and mainland mobile numbers, not inside longer digit runs
# 18-digit ID numbers (last may be X) and mainland mobile numbers (with or without +86 / 0086), not
# inside longer digit runs; in ASCII or full-width digits (a Chinese input method types those, and a
# line may quote what the API refused)
_D = "[0-9０-９]"
_ID_RE = re.compile(rf"(?<![0-9A-Za-z０-９])({_D}{{6}}){_D}{{8}}({_D}{{3}}[0-9Xx０-９Ｘｘ])(?![0-9A-Za-z０-９])")
_PHONE_RE = re.compile(rf"(?<![0-9０-９])((?:\+?86|0086)?[1１][3-9３-９]{_D}){_D}{{4}}({_D}{{4}})(?![0-9０-９])")


def mask_phone(phone: str | None) -> str | None:
    """13800000001 → 138****0001; anything shorter than a mobile number is all stars."""
    if not phone:
        return None
    if len(phone) < 11:
        return "*" * len(phone)
    return phone[:3] + "****" + phone[-4:]


def mask_id_number(id_number: str | None) -> str | None:
    """110105198001011512 → 110105******1512 (seed 003); other documents (shorter than an ID card)
    show two characters at each end, and a value too short for that is all stars."""
    if not id_number:
        return None
    if len(id_number) <= 4:
        return "*" * len(id_number)
    if len(id_number) < 15:
        return id_number[:2] + "*" * (len(id_number) - 4) + id_number[-2:]
    return id_number[:6] + "******" + id_number[-4:]


def mask_card_no(card_no: str | None) -> str | None:
    """WH202400000001 → WH20******0001"""
    if not card_no:
        return None
    if len(card_no) <= 4:
        return "*" * len(card_no)
    if len(card_no) <= 8:
        return card_no[:2] + "*" * max(len(card_no) - 4, 1) + card_no[-2:]
    return card_no[:4] + "*" * (len(card_no) - 8) + card_no[-4:]


def mask_name(name: str | None) -> str | None:
    """张三 → 张*, 欧阳娜娜 → 欧**娜."""
    if not name:
        return name
    if len(name) == 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_text(text: str) -> str:
    """Free text (a log line, a provider's answer) with every phone and ID number in it masked."""
    text = _ID_RE.sub(r"\1******\2", text)
    return _PHONE_RE.sub(r"\1****\2", text)


def normalize_id_number(id_number: str) -> str:
    return id_number.strip().upper()


class IdCipher:
    """Encrypts ID numbers (AES-256-GCM, random 96-bit nonce) and hashes them for look-up."""

    def __init__(self, enc_key_b64: str, hash_key: str):
        self._aead = AESGCM(base64.b64decode(enc_key_b64))
        self._hash_key = hash_key.encode()

    def encrypt(self, plain: str) -> str:
        nonce = os.urandom(12)
        return base64.b64encode(nonce + self._aead.encrypt(nonce, plain.encode(), b"id_number")).decode()

    def decrypt(self, token: str) -> str:
        raw = base64.b64decode(token)
        return self._aead.decrypt(raw[:12], raw[12:], b"id_number").decode()

    def lookup_hash(self, id_number: str) -> str:
        return hmac.new(self._hash_key, normalize_id_number(id_number).encode(), hashlib.sha256).hexdigest()

    def encrypt_secret(self, plain: str, purpose: bytes) -> str:
        nonce = os.urandom(12)
        return base64.b64encode(nonce + self._aead.encrypt(nonce, plain.encode(), purpose)).decode()

    def decrypt_secret(self, token: str, purpose: bytes) -> str:
        raw = base64.b64decode(token)
        return self._aead.decrypt(raw[:12], raw[12:], purpose).decode()
