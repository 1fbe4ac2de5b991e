"""Logins: SMS codes, staff passwords with captcha and lock-out, sessions.

SMS codes (SPEC §10): 6 random digits from `secrets`, stored as a keyed hash, valid 5 minutes,
single use, dead after 5 wrong tries; at most 1 a minute, 5 an hour and 10 a day per phone, and a
per-IP hourly limit. The code and its outbox message are written in one transaction; the message is
then handed to the relay at once, because the user is waiting for it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import secrets

import sqlalchemy as sa
from sqlalchemy.dialects import mysql as mysql_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect

from server import errors
from server.accounts import service as accounts_service
from server.accounts.passwords import hash_password, password_problem, verify_password
from server.auth import captcha, idle, ratelimit, tickets
from server.auth.schemas import SMS_CODE_RE, is_phone
from server.core.timeutil import iso
from server.core.tokens import token_hash
from server.db.database import Query
from server.db.tables import accounts, kv_store, sessions, sms_codes
from server.jobs import outbox

CODE_TTL = dt.timedelta(minutes=5)
MAX_CODE_ATTEMPTS = 5
PHONE_LIMITS = ((dt.timedelta(minutes=1), 1), (dt.timedelta(hours=1), 5), (dt.timedelta(days=1), 10))
CAPTCHA_AFTER = 3
LOCK_AFTER = 5
LOCK_FOR = dt.timedelta(minutes=15)
CAPTCHA_TTL = dt.timedelta(minutes=5)


# --------------------------------------------------------------------------- sessions

_CREATE_SESSION = Query(sessions.insert().values(
    token_hash=sa.bindparam("token_hash"), account_id=sa.bindparam("account_id"), method=sa.bindparam("method"),
    created_at=sa.bindparam("now"), expires_at=sa.bindparam("expires_at"), ip=sa.bindparam("ip"),
    last_seen_at=sa.bindparam("now"),
))
_REVOKE_SESSION = Query(sessions.update().where(sessions.c.id == sa.bindparam("id"), sessions.c.revoked_at.is_(None))
                        .values(revoked_at=sa.bindparam("now")))
_REVOKE_OTHERS = Query(sessions.update().where(
    sessions.c.account_id == sa.bindparam("account_id"), sessions.c.id != sa.bindparam("keep"),
    sessions.c.revoked_at.is_(None)).values(revoked_at=sa.bindparam("now")))


async def create_session(tx, account: dict, *, method: str, ip: str, now: dt.datetime, ttl_hours: int) -> dict:
    """A new opaque session token; only its hash is stored. Returns the login answer, whose
    `expires_at` is when the session ends if unused (2 hours for staff, see auth/idle.py)."""
    if account["status"] == "pending":  # an employer's staff before its registration is approved
        raise errors.AccountDisabled("单位注册正在审核中，审核通过后即可登录")
    if account["status"] != "active":
        raise errors.AccountDisabled()
    token = secrets.token_urlsafe(32)
    expires_at = now + dt.timedelta(hours=ttl_hours)
    await tx.execute(_CREATE_SESSION, {"token_hash": token_hash(token), "account_id": account["id"],
                                       "method": method, "now": now, "expires_at": expires_at, "ip": ip[:64]})
    if idle.is_staff(account["roles"].split(",")):
        expires_at = min(expires_at, idle.idle_deadline(now))
    return {"token": token, "expires_at": iso(expires_at), "user": accounts_service.user_payload(account)}


async def logout(db, session_id: int, now: dt.datetime) -> None:
    await db.execute(_REVOKE_SESSION, {"id": session_id, "now": now})


# --------------------------------------------------------------------------- SMS codes

_RECENT_CODES = Query(
    sa.select(sms_codes.c.created_at)
    .where(sms_codes.c.phone == sa.bindparam("phone"), sms_codes.c.created_at > sa.bindparam("since"))
    .order_by(sms_codes.c.created_at.desc())
)
_IP_COUNT = Query(
    sa.select(sa.func.count()).select_from(sms_codes)
    .where(sms_codes.c.ip == sa.bindparam("ip"), sms_codes.c.created_at > sa.bindparam("since"))
)
_INSERT_CODE = Query(sms_codes.insert().values(
    phone=sa.bindparam("phone"), purpose=sa.bindparam("purpose"), code_hash=sa.bindparam("code_hash"),
    attempts=0, ip=sa.bindparam("ip"), created_at=sa.bindparam("now"), expires_at=sa.bindparam("expires_at"),
))
_LATEST_CODE = Query(
    sa.select(sms_codes.c.id, sms_codes.c.purpose, sms_codes.c.code_hash, sms_codes.c.attempts,
              sms_codes.c.expires_at, sms_codes.c.used_at)
    .where(sms_codes.c.phone == sa.bindparam("phone"))
    .order_by(sms_codes.c.id.desc()).limit(1).with_for_update()
)
_CODE_WRONG = Query(sms_codes.update().where(sms_codes.c.id == sa.bindparam("id"))
                    .values(attempts=sms_codes.c.attempts + 1))
_CODE_USE = Query(sms_codes.update().where(sms_codes.c.id == sa.bindparam("id"), sms_codes.c.used_at.is_(None))
                  .values(used_at=sa.bindparam("now")))
# A lock row taken with an upsert: the first request creates it and every later one updates it,
# so each takes the row's exclusive lock at once. (INSERT, then SELECT … FOR UPDATE on a duplicate
# would first take a shared lock, and two requests upgrading theirs deadlock on MariaDB.)
_LOCK_UPSERT = {
    "mysql": Query(mysql_dialect.insert(kv_store).values(k=sa.bindparam("k"), v="1")
                   .on_duplicate_key_update(v=sa.literal("1"))),
    "sqlite": Query(sqlite_dialect.insert(kv_store).values(k=sa.bindparam("k"), v="1")
                    .on_conflict_do_update(index_elements=[kv_store.c.k], set_={"v": "1"})),
}


def _require_phone(phone: str) -> None:
    """The schemas refuse a bad phone already; the service holds the rule for every caller."""
    if not is_phone(phone):
        raise errors.field_error("phone", "请输入正确的11位手机号")


def _code_hash(secret_key: str, phone: str, code: str) -> str:
    return hmac.new(secret_key.encode(), f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


async def _lock(tx, key: str) -> None:
    """Serialise code requests for one phone, or one IP (a row lock held to the end of the
    transaction), so racing requests cannot both pass a limit. Always the phone first, then the
    IP: no two requests wait on each other in opposite order."""
    await tx.execute(_LOCK_UPSERT[tx.dialect], {"k": key})


async def request_sms_code(deps, *, phone: str, purpose: str, ip: str) -> int:
    """Create a login code and send it. Returns the cooldown in seconds."""
    _require_phone(phone)
    now = deps.clock()
    async with deps.db.transaction() as tx:
        await _lock(tx, f"smslock:{phone}")
        since = now - dt.timedelta(days=1)
        recent = [r["created_at"] for r in await tx.fetchall(_RECENT_CODES, {"phone": phone, "since": since})]
        for window, limit in reversed(PHONE_LIMITS):  # the longest wait first
            inside = [t for t in recent if t > now - window]
            if len(inside) >= limit:
                retry = int((min(inside) + window - now).total_seconds()) + 1
                if window.days:
                    raise errors.SmsRateLimited(retry, "今日验证码发送次数已达上限，请明天再试")
                if window.seconds >= 3600:
                    raise errors.SmsRateLimited(retry, "验证码发送过于频繁，请1小时后再试")
                raise errors.SmsRateLimited(retry)
        await _lock(tx, f"smsip:{ip[:64]}")
        ip_count = await tx.fetchval(_IP_COUNT, {"ip": ip, "since": now - dt.timedelta(hours=1)})
        if ip_count >= deps.config.sms_ip_hourly_limit:
            raise errors.SmsRateLimited(3600, "当前网络请求验证码过于频繁，请稍后再试")
        code = f"{secrets.randbelow(10**6):06d}"
        await tx.execute(_INSERT_CODE, {"phone": phone, "purpose": purpose, "ip": ip[:64], "now": now,
                                        "code_hash": _code_hash(deps.config.secret_key, phone, code),
                                        "expires_at": now + CODE_TTL})
        msg_id = await outbox.enqueue(tx, channel="sms", recipient=phone, template="login",
                                      params={"code": code}, now=now)
    result = await deps.relay.deliver(msg_id)
    if result is not None and result.rate_limited:
        raise errors.SmsRateLimited(60, "短信发送过于频繁，请稍后再试")
    return 60


async def verify_sms_code(deps, *, phone: str, code: str, purpose: str | None = None) -> None:
    """Use up the phone's latest code if `code` matches. Wrong, expired and used codes all get the
    same answer; the sixth try on a code is refused even when right. With `purpose`, only a code
    requested for that purpose counts (a login code does not register an employer)."""
    _require_phone(phone)
    if not SMS_CODE_RE.fullmatch(code):
        raise errors.SmsCodeInvalid()  # cannot match any code we sent
    now = deps.clock()
    async with deps.db.transaction() as tx:
        row = await tx.fetchone(_LATEST_CODE, {"phone": phone})
        if row is None or row["used_at"] is not None or row["expires_at"] <= now:
            outcome = "invalid"
        elif purpose is not None and row["purpose"] != purpose:
            outcome = "invalid"
        elif row["attempts"] >= MAX_CODE_ATTEMPTS:
            outcome = "locked"
        elif hmac.compare_digest(row["code_hash"], _code_hash(deps.config.secret_key, phone, code)):
            res = await tx.execute(_CODE_USE, {"id": row["id"], "now": now})
            outcome = "ok" if res.rowcount == 1 else "invalid"
        else:
            await tx.execute(_CODE_WRONG, {"id": row["id"]})
            outcome = "invalid"
    if outcome == "locked":
        raise errors.SmsCodeLocked()
    if outcome != "ok":
        raise errors.SmsCodeInvalid()


async def sms_login(deps, *, phone: str, code: str, ip: str) -> dict:
    await verify_sms_code(deps, phone=phone, code=code)
    now = deps.clock()
    async with deps.db.transaction() as tx:
        account = await accounts_service.find_or_create_holder(tx, phone, now)
        return await create_session(tx, account, method="sms", ip=ip, now=now,
                                    ttl_hours=deps.config.session_ttl_hours)


# --------------------------------------------------------------------------- passwords and captcha

CAPTCHA_IP_WINDOW = dt.timedelta(minutes=10)


async def new_captcha(deps, *, ip: str) -> dict:
    """A fresh picture captcha; at most `captcha_ip_limit` per IP in 10 minutes (drawing costs CPU)."""
    retry = await ratelimit.hit(deps.db, f"captcha:{ip}", limit=deps.config.captcha_ip_limit,
                                window=CAPTCHA_IP_WINDOW, now=deps.clock())
    if retry is not None:
        raise errors.RateLimited(retry, f"图形验证码请求过于频繁，请{max(retry // 60, 1)}分钟后再试")
    answer = captcha.new_answer()
    loop = asyncio.get_running_loop()
    image = await loop.run_in_executor(deps.executor, captcha.draw, answer)
    answer_hash = hashlib.sha256(answer.encode()).hexdigest()
    cid = await tickets.issue(deps.db, "captcha", {"h": answer_hash}, deps.clock(), CAPTCHA_TTL)
    return {"captcha_id": cid, "image": image}


async def _check_captcha(deps, captcha_id: str | None, captcha_code: str | None) -> None:
    if not captcha_id or not captcha_code:
        raise errors.CaptchaRequired()
    payload = await tickets.consume(deps.db, "captcha", captcha_id, deps.clock())
    # ASCII only: str.upper() maps some other letters onto ours ("ı" → "I")
    code = captcha_code.strip()
    got = hashlib.sha256(code.upper().encode()).hexdigest() if code.isascii() else ""
    if payload is None or not hmac.compare_digest(payload["h"], got):
        raise errors.CaptchaInvalid()


# Password tries are counted BEFORE the password is checked (scrypt takes a while, off the loop):
# one guarded UPDATE reserves a try only while the count is under the limit, so however many
# requests race, at most CAPTCHA_AFTER passwords are checked without a captcha and at most
# LOCK_AFTER before the lock. A reserved try counts as a failure until a success resets the count.
_RESERVE_TRY = Query(accounts.update().where(
    accounts.c.id == sa.bindparam("id"), accounts.c.failed_logins < sa.bindparam("limit"),
).values(failed_logins=accounts.c.failed_logins + 1))
_TRIES = Query(sa.select(accounts.c.failed_logins, accounts.c.locked_until).where(accounts.c.id == sa.bindparam("id")))
_LOCK = Query(accounts.update().where(
    accounts.c.id == sa.bindparam("id"), accounts.c.failed_logins >= LOCK_AFTER,
).values(locked_until=sa.bindparam("locked_until")))
# The lock is over: the count restarts at the captcha threshold (a captcha is still needed, and
# two more failures lock again). Guarded, so of racing requests only one restarts it.
_LOCK_OVER = Query(accounts.update().where(
    accounts.c.id == sa.bindparam("id"), accounts.c.failed_logins >= LOCK_AFTER,
    sa.or_(accounts.c.locked_until.is_(None), accounts.c.locked_until <= sa.bindparam("now")),
).values(failed_logins=CAPTCHA_AFTER, locked_until=None))
_LOGIN_OK = Query(accounts.update().where(accounts.c.id == sa.bindparam("id")).values(
    failed_logins=0, locked_until=None))


def _locked(locked_until: dt.datetime | None, now: dt.datetime) -> errors.AccountLocked:
    retry = int(((locked_until or now + LOCK_FOR) - now).total_seconds()) + 1
    return errors.AccountLocked(
        f"密码错误次数过多，账号已锁定，请{max(retry // 60, 1)}分钟后再试", details={"retry_after_seconds": retry})


async def _reserve_try(deps, account_id: int, captcha_id: str | None, captcha_code: str | None,
                       now: dt.datetime) -> int:
    """Reserve one password try for the account. Returns the try's number when it needed a
    captcha, 0 for one of the first CAPTCHA_AFTER; raises 423 when locked and 428 when a captcha
    is needed and missing or wrong. The try that reaches LOCK_AFTER sets the lock."""
    ids = {"id": account_id}
    if (await deps.db.execute(_RESERVE_TRY, {**ids, "limit": CAPTCHA_AFTER})).rowcount == 1:
        return 0
    row = await deps.db.fetchone(_TRIES, ids)
    if row["failed_logins"] >= LOCK_AFTER:
        if row["locked_until"] is not None and row["locked_until"] > now:
            raise _locked(row["locked_until"], now)
        await deps.db.execute(_LOCK_OVER, {**ids, "now": now})
    await _check_captcha(deps, captcha_id, captcha_code)
    async with deps.db.transaction() as tx:
        reserved = (await tx.execute(_RESERVE_TRY, {**ids, "limit": LOCK_AFTER})).rowcount == 1
        row = await tx.fetchone(_TRIES, ids)
        if not reserved:
            raise _locked(row["locked_until"], now)
        if row["failed_logins"] >= LOCK_AFTER:
            await tx.execute(_LOCK, {**ids, "locked_until": now + LOCK_FOR})
    return row["failed_logins"]


async def password_login(deps, *, username: str, password: str, captcha_id: str | None,
                         captcha_code: str | None, ip: str) -> dict:
    """Staff (and holders who set a password) log in with username or phone and password."""
    now = deps.clock()
    # usernames and phones are ASCII: MariaDB's collation would otherwise equate "１" with "1"
    account = await accounts_service.find_for_password_login(deps.db, username) if username.isascii() else None
    loop = asyncio.get_running_loop()
    if account is None:
        await loop.run_in_executor(deps.executor, verify_password, password, None)
        raise errors.BadCredentials()
    if account["locked_until"] is not None and account["locked_until"] > now:
        raise _locked(account["locked_until"], now)
    try_number = await _reserve_try(deps, account["id"], captcha_id, captcha_code, now)
    ok = await loop.run_in_executor(deps.executor, verify_password, password, account["password_hash"])
    if not ok:
        if try_number >= LOCK_AFTER:
            raise errors.AccountLocked(details={"retry_after_seconds": int(LOCK_FOR.total_seconds())})
        if not try_number:
            try_number = (await deps.db.fetchone(_TRIES, {"id": account["id"]}))["failed_logins"]
        if try_number >= CAPTCHA_AFTER:
            raise errors.BadCredentials(details={"captcha_required": True})
        raise errors.BadCredentials()
    async with deps.db.transaction() as tx:
        await tx.execute(_LOGIN_OK, {"id": account["id"]})
        return await create_session(tx, account, method="password", ip=ip, now=now,
                                    ttl_hours=deps.config.session_ttl_hours)


async def change_password(deps, *, account_id: int, session_id: int | None, old_password: str,
                          new_password: str, confirm_password: str) -> None:
    """Change (or, for an SMS-only holder, set) the password; other sessions are logged out."""
    now = deps.clock()
    account = await accounts_service.get_account(deps.db, account_id)
    loop = asyncio.get_running_loop()
    fields: dict[str, str] = {}
    if account["password_hash"]:
        if not await loop.run_in_executor(deps.executor, verify_password, old_password, account["password_hash"]):
            fields["old_password"] = "原密码不正确"
    problem = password_problem(new_password)
    if problem:
        fields["new_password"] = problem
    elif new_password == old_password and account["password_hash"]:
        fields["new_password"] = "新密码不能与原密码相同"
    if new_password != confirm_password:
        fields["confirm_password"] = "两次输入的新密码不一致"
    if fields:
        raise errors.InvalidRequest.fields(fields, "修改密码失败，请检查后重试")
    new_hash = await loop.run_in_executor(deps.executor, hash_password, new_password)
    async with deps.db.transaction() as tx:
        await accounts_service.set_password(tx, account_id, new_hash, now)
        await tx.execute(_REVOKE_OTHERS, {"account_id": account_id, "keep": session_id or 0, "now": now})
