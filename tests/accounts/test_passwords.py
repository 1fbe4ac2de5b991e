"""Staff passwords, directly (server/accounts/passwords.py): the strength rule, scrypt hashing and
verification, and the change-password rules of the auth service (old password, reuse, confirmation)."""

import base64
import hashlib

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from server import errors
from server.accounts.passwords import N, P, R, hash_password, password_problem, verify_password
from server.auth import service as auth_service
from server.db.tables import accounts, sessions

TOO_SHORT, TOO_LONG = "密码长度不能少于8位", "密码长度不能超过64位"
TOO_SIMPLE = "密码需包含大写字母、小写字母、数字、特殊符号中的至少三种"


# --------------------------------------------------------------------------- the strength rule

@pytest.mark.parametrize("password,problem", [
    ("", TOO_SHORT),
    ("Ab1@xyz", TOO_SHORT),                  # 7 characters
    ("Ab1@xyzw", None),                      # 8
    ("Ab1@" + "x" * 60, None),               # 64
    ("Ab1@" + "x" * 61, TOO_LONG),           # 65
    ("abcdefgh", TOO_SIMPLE),                # one kind
    ("abcd1234", TOO_SIMPLE),                # two kinds
    ("ABCD@#$%", TOO_SIMPLE),
    ("        ", TOO_SIMPLE),                # spaces are one kind (special)
    ("abcd123X", None),                      # lower, digit, upper
    ("abcd123@", None),                      # lower, digit, special
    ("ABCD123@", None),                      # upper, digit, special
    ("abcdEFG@", None),                      # lower, upper, special
    ("Demo@12345", None),                    # the demo password: all four
    ("Weihai#2026", None),
    ("密码Abc12345", None),                   # Chinese characters count as special ones
    ("Abcdefg１２", None),                    # full-width digits are no digits: they count as special
    ("abcdefg１２", TOO_SIMPLE),              # …so this is two kinds, lower and special
])
def test_the_strength_rule(password, problem):
    assert password_problem(password) == problem


def test_length_counts_characters_not_bytes():
    assert password_problem("密码密码Ab1!") is None  # 8 characters, 18 bytes
    assert password_problem("密" * 61 + "Ab1") is None
    assert password_problem("密" * 62 + "Ab1") == TOO_LONG


@given(st.text(min_size=8, max_size=64))
def test_any_accepted_password_has_three_kinds_and_a_sane_length(password):
    kinds = [any("a" <= c <= "z" for c in password), any("A" <= c <= "Z" for c in password),
             any("0" <= c <= "9" for c in password),
             any(not ("a" <= c <= "z" or "A" <= c <= "Z" or "0" <= c <= "9") for c in password)]
    assert (password_problem(password) is None) == (sum(kinds) >= 3)


# --------------------------------------------------------------------------- hashing

def test_a_hash_names_scrypt_and_its_parameters_and_is_salted():
    a, b = hash_password("Demo@12345"), hash_password("Demo@12345")
    assert a != b, "a fresh salt each time"
    algo, n, r, p, salt, dk = a.split("$")
    assert (algo, int(n), int(r), int(p)) == ("scrypt", N, R, P) and N >= 2**14
    assert len(base64.b64decode(salt)) == 16 and len(base64.b64decode(dk)) == 32
    assert verify_password("Demo@12345", a) and verify_password("Demo@12345", b)


def test_only_the_right_password_verifies():
    stored = hash_password("Weihai#2026")
    assert verify_password("Weihai#2026", stored)
    for wrong in ("weihai#2026", "Weihai#2026 ", "Weihai#202", "", "Ｗeihai#2026"):
        assert not verify_password(wrong, stored), wrong


@settings(max_examples=10, deadline=None)
@given(st.text(min_size=1, max_size=30))
def test_any_text_round_trips(password):
    stored = hash_password(password)
    assert verify_password(password, stored)
    assert not verify_password(password + "x", stored)


def test_a_hash_made_with_other_parameters_still_verifies():
    """The parameters are read from the stored hash, so raising N later keeps old hashes valid."""
    salt = b"s" * 16
    dk = hashlib.scrypt(b"Old@pass1", salt=salt, n=2**10, r=8, p=1, dklen=32)
    stored = f"scrypt${2**10}$8$1${base64.b64encode(salt).decode()}${base64.b64encode(dk).decode()}"
    assert verify_password("Old@pass1", stored) and not verify_password("Old@pass2", stored)


@pytest.mark.parametrize("stored", [
    None, "",
    "bcrypt$16384$8$1$c2FsdA==$ZGs=",                   # another algorithm
    "scrypt$16384$8$1$c2FsdA==",                        # a field missing
    "scrypt$16384$8$1$c2FsdA==$ZGs=$extra",             # one too many
    "scrypt$abc$8$1$c2FsdA==$ZGs=",                     # N not a number
    "scrypt$1000$8$1$c2FsdA==$ZGs=",                    # N not a power of two
    f"scrypt${2**30}$8$1$c2FsdA==$ZGs=",                # more memory than scrypt may take
    "scrypt$16384$8$1$!!!$ZGs=",                        # salt not base64
    "scrypt$16384$8$1$c2FsdA==$!!!",                    # key not base64
    "plain-text-password",
])
def test_a_missing_or_malformed_hash_never_verifies_and_never_raises(stored):
    assert verify_password("Demo@12345", stored) is False


# --------------------------------------------------------------------------- changing a password

async def _account_id(deps, username: str) -> int:
    return await deps.db.fetchval(sa.select(accounts.c.id).where(accounts.c.username == username))


async def _change(deps, account_id, old, new, confirm=None):
    await auth_service.change_password(deps, account_id=account_id, session_id=None, old_password=old,
                                       new_password=new, confirm_password=new if confirm is None else confirm)


async def _fields(deps, account_id, old, new, confirm=None) -> dict:
    with pytest.raises(errors.InvalidRequest) as got:
        await _change(deps, account_id, old, new, confirm)
    return got.value.details["fields"]


async def test_the_new_password_may_not_be_the_old_one(deps):
    me = await _account_id(deps, "wendeng_window")
    assert await _fields(deps, me, "Demo@12345", "Demo@12345") == {"new_password": "新密码不能与原密码相同"}


async def test_every_broken_rule_is_named_at_once(deps):
    me = await _account_id(deps, "wendeng_window")
    assert await _fields(deps, me, "wrong", "abc", "abd") == {
        "old_password": "原密码不正确", "new_password": TOO_SHORT, "confirm_password": "两次输入的新密码不一致"}
    assert await _fields(deps, me, "Demo@12345", "abcdefgh") == {"new_password": TOO_SIMPLE}
    assert await _fields(deps, me, "Demo@12345", "Weihai#2026", "Weihai#2027") == {
        "confirm_password": "两次输入的新密码不一致"}
    stored = await deps.db.fetchval(sa.select(accounts.c.password_hash).where(accounts.c.id == me))
    assert verify_password("Demo@12345", stored), "nothing changed"


async def test_a_change_stores_a_new_hash_and_ends_the_other_sessions(deps, api):
    me = await _account_id(deps, "wendeng_window")
    await api.login_password("wendeng_window")
    await _change(deps, me, "Demo@12345", "Weihai#2026")
    stored = await deps.db.fetchval(sa.select(accounts.c.password_hash).where(accounts.c.id == me))
    assert verify_password("Weihai#2026", stored) and not verify_password("Demo@12345", stored)
    live = await deps.db.fetchval(sa.select(sa.func.count()).select_from(sessions).where(
        sessions.c.account_id == me, sessions.c.revoked_at.is_(None)))
    assert live == 0
    # reuse is judged against the current password (no history of older ones is kept)
    assert await _fields(deps, me, "Weihai#2026", "Weihai#2026") == {"new_password": "新密码不能与原密码相同"}


async def test_a_holder_without_a_password_sets_one_without_the_old(deps):
    """An SMS-only holder has no old password: none is asked for, and none can be reused."""
    me = await deps.db.fetchval(sa.select(accounts.c.id).where(accounts.c.phone == "13800000001"))
    assert await deps.db.fetchval(sa.select(accounts.c.password_hash).where(accounts.c.id == me)) is None
    await _change(deps, me, "", "Zhang@2026")
    stored = await deps.db.fetchval(sa.select(accounts.c.password_hash).where(accounts.c.id == me))
    assert verify_password("Zhang@2026", stored)
