"""WeChat logins (API.md Auth; SPEC §10): mini-program code and phone logins, binding an openid to
an account with an SMS code, H5 OAuth with a browser-bound single-use state, JSSDK signatures.

The mini-program `session_key` never leaves the server: it is kept encrypted in
`wechat_bindings.session_key_enc` (and, until the bind step, inside the bind ticket). The OAuth
callback never puts a bearer token in a URL: it hands the H5 a one-time login ticket that
`oauth_exchange` turns into a session.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import secrets
from urllib.parse import quote, urlencode, urlsplit

import sqlalchemy as sa

from server import errors
from server.accounts import service as accounts_service
from server.auth import service as auth_service
from server.auth import tickets
from server.auth.schemas import is_phone
from server.db.database import IntegrityError, Query
from server.db.tables import accounts, wechat_bindings

SESSION_KEY_PURPOSE = b"wx_session_key"
BIND_TTL = dt.timedelta(minutes=10)
STATE_TTL = dt.timedelta(minutes=10)
LOGIN_TICKET_TTL = dt.timedelta(minutes=2)
OAUTH_CALLBACK_PATH = "/api/v1/auth/wechat/oauth/callback"
DEFAULT_NEXT = "/h5/"
BIND_PAGE = "/h5/#/bind"

_w = wechat_bindings.c
_BINDING = Query(sa.select(_w.id, _w.account_id).where(
    _w.app_id == sa.bindparam("app_id"), _w.openid == sa.bindparam("openid")))
_INSERT_BINDING = Query(wechat_bindings.insert().values(
    app_id=sa.bindparam("app_id"), openid=sa.bindparam("openid"), unionid=sa.bindparam("unionid"),
    account_id=sa.bindparam("account_id"), session_key_enc=sa.bindparam("session_key_enc"),
    created_at=sa.bindparam("now"), updated_at=sa.bindparam("now")))
_TOUCH_BINDING = Query(wechat_bindings.update().where(_w.id == sa.bindparam("id")).values(
    unionid=sa.func.coalesce(sa.bindparam("unionid"), _w.unionid),
    session_key_enc=sa.func.coalesce(sa.bindparam("session_key_enc"), _w.session_key_enc),
    updated_at=sa.bindparam("now")))
_ACCOUNT = Query(sa.select(accounts).where(accounts.c.id == sa.bindparam("id")))


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


# --------------------------------------------------------------------------- bindings


async def _bound_account(tx, app_id: str, openid: str) -> tuple[dict, dict] | None:
    """(binding, account) for this openid, or None when it is not bound."""
    row = await tx.fetchone(_BINDING, {"app_id": app_id, "openid": openid})
    if row is None:
        return None
    account = await tx.fetchone(_ACCOUNT, {"id": row["account_id"]})
    return (row, account) if account is not None else None


async def _bind(tx, *, app_id: str, openid: str, unionid: str | None, account_id: int,
                session_key_enc: str | None, now: dt.datetime) -> None:
    """Bind the openid to the account; an openid bound to another account → 409."""
    params = {"app_id": app_id, "openid": openid, "unionid": unionid, "account_id": account_id,
              "session_key_enc": session_key_enc, "now": now}
    row = await tx.fetchone(_BINDING, params)
    if row is None:
        try:
            await tx.execute(_INSERT_BINDING, params)
            return
        except IntegrityError:  # bound by a concurrent request a moment ago
            row = await tx.fetchone(_BINDING, params)
            if row is None:
                raise
    if row["account_id"] != account_id:
        raise errors.WechatAlreadyBound()
    await tx.execute(_TOUCH_BINDING, {**params, "id": row["id"]})


async def _issue_bind_ticket(tx, *, app_id: str, openid: str, unionid: str | None,
                             session_key_enc: str | None, now: dt.datetime) -> str:
    payload = {"app_id": app_id, "openid": openid, "unionid": unionid, "sk": session_key_enc}
    return await tickets.issue(tx, "wx_bind", payload, now, BIND_TTL)


# --------------------------------------------------------------------------- mini-program


async def mp_login(deps, *, code: str, ip: str) -> dict:
    """`wx.login` code → a session when the openid is bound, else `{bind_required, bind_ticket}`."""
    mp = await deps.wechat.code_to_session(code)
    app_id = deps.wechat.mp_app_id
    sk_enc = deps.cipher.encrypt_secret(mp.session_key, SESSION_KEY_PURPOSE)
    now = deps.clock()
    async with deps.db.transaction() as tx:
        bound = await _bound_account(tx, app_id, mp.openid)
        if bound is not None:
            binding, account = bound
            await tx.execute(_TOUCH_BINDING, {"id": binding["id"], "unionid": mp.unionid,
                                              "session_key_enc": sk_enc, "now": now})
            return await auth_service.create_session(tx, account, method="wechat_mp", ip=ip, now=now,
                                                     ttl_hours=deps.config.session_ttl_hours)
        ticket = await _issue_bind_ticket(tx, app_id=app_id, openid=mp.openid, unionid=mp.unionid,
                                          session_key_enc=sk_enc, now=now)
    return {"bind_required": True, "bind_ticket": ticket}


async def bind(deps, *, bind_ticket: str, phone: str, code: str, ip: str) -> dict:
    """Prove the phone with an SMS code, bind the ticket's openid to its holder, log in."""
    await auth_service.verify_sms_code(deps, phone=phone, code=code)
    now = deps.clock()
    async with deps.db.transaction() as tx:
        payload = await tickets.consume(tx, "wx_bind", bind_ticket, now)
        if payload is None:
            raise errors.BindTicketInvalid()
        account = await accounts_service.find_or_create_holder(tx, phone, now)
        await _bind(tx, app_id=payload["app_id"], openid=payload["openid"], unionid=payload.get("unionid"),
                    account_id=account["id"], session_key_enc=payload.get("sk"), now=now)
        method = "wechat_mp" if payload["app_id"] == deps.wechat.mp_app_id else "wechat_oauth"
        return await auth_service.create_session(tx, account, method=method, ip=ip, now=now,
                                                 ttl_hours=deps.config.session_ttl_hours)


async def mp_phone_login(deps, *, login_code: str, phone_code: str, ip: str) -> dict:
    """`wx.login` code + `getPhoneNumber` code → the phone's holder (created if new), bound, logged in."""
    mp = await deps.wechat.code_to_session(login_code)
    country, phone = await deps.wechat.phone_number(phone_code)
    if country not in ("", "86") or not is_phone(phone):
        raise errors.InvalidRequest("仅支持中国大陆手机号，请使用短信验证码登录")
    sk_enc = deps.cipher.encrypt_secret(mp.session_key, SESSION_KEY_PURPOSE)
    now = deps.clock()
    async with deps.db.transaction() as tx:
        account = await accounts_service.find_or_create_holder(tx, phone, now)
        await _bind(tx, app_id=deps.wechat.mp_app_id, openid=mp.openid, unionid=mp.unionid,
                    account_id=account["id"], session_key_enc=sk_enc, now=now)
        return await auth_service.create_session(tx, account, method="wechat_mp", ip=ip, now=now,
                                                 ttl_hours=deps.config.session_ttl_hours)


# --------------------------------------------------------------------------- H5 OAuth


def safe_next(next_path: str | None) -> str:
    """`next` if it is a path on our own site (non-ASCII percent-encoded), else `/h5/`: no scheme,
    host, `//`, backslash, space or control character (browsers strip some of these, and could
    then read another origin)."""
    p = next_path or ""
    if (not p.startswith("/") or p.startswith("//") or "\\" in p
            or any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in p)):
        return DEFAULT_NEXT
    parts = urlsplit(p)
    if parts.scheme or parts.netloc:
        return DEFAULT_NEXT
    return quote(p, safe="/?#&=%:@!$'()*+,;~[]")  # non-ASCII percent-encoded for the Location header


@dataclasses.dataclass(frozen=True)
class OAuthStart:
    """Where to send the browser, and the nonce to put in its cookie."""

    authorize_url: str
    nonce: str


async def oauth_start(deps, *, next_path: str | None) -> OAuthStart:
    """A fresh state (stored hashed, single use, 10 minutes) bound to a browser nonce."""
    nonce = secrets.token_urlsafe(24)
    state = await tickets.issue(deps.db, "oauth_state", {"n": _sha256(nonce), "next": safe_next(next_path)},
                                deps.clock(), STATE_TTL)
    redirect_uri = deps.config.public_base_url.rstrip("/") + OAUTH_CALLBACK_PATH
    return OAuthStart(authorize_url=deps.wechat.authorize_url(redirect_uri, state), nonce=nonce)


def login_redirect(next_path: str, login_ticket: str) -> str:
    """`next` with the login ticket in its fragment, for the H5's hash router."""
    if "#" in next_path:
        fragment = next_path.split("#", 1)[1]
        return f"{next_path}{'&' if '?' in fragment else '?'}login_ticket={login_ticket}"
    return f"{next_path}#/oauth-done?login_ticket={login_ticket}"


async def oauth_callback(deps, *, code: str | None, state: str, nonce: str | None) -> str:
    """Check the state against this browser's nonce (and only then use it up), identify the user; returns where to redirect:
    the `next` page with a login ticket when bound, the H5 bind page otherwise."""
    now = deps.clock()
    if not nonce:
        raise errors.OAuthStateInvalid()
    # the cookie is compared before the state is used up: a third party holding the state (it is
    # in the URL) but not this browser's cookie must not be able to spoil the real login
    payload = await tickets.consume(deps.db, "oauth_state", state, now,
                                    accept=lambda p: hmac.compare_digest(p["n"], _sha256(nonce)))
    if payload is None:
        raise errors.OAuthStateInvalid()
    if not code:
        raise errors.WechatError("微信授权未完成，请重新进入")
    ident = await deps.wechat.oauth_identity(code)
    app_id = deps.wechat.oa_app_id
    next_path = safe_next(payload.get("next"))
    async with deps.db.transaction() as tx:
        bound = await _bound_account(tx, app_id, ident.openid)
        if bound is not None:
            binding, account = bound
            if account["status"] != "active":
                raise errors.AccountDisabled()
            await tx.execute(_TOUCH_BINDING, {"id": binding["id"], "unionid": ident.unionid,
                                              "session_key_enc": None, "now": now})
            ticket = await tickets.issue(tx, "oauth_login", {"account_id": account["id"]}, now, LOGIN_TICKET_TTL)
            return login_redirect(next_path, ticket)
        ticket = await _issue_bind_ticket(tx, app_id=app_id, openid=ident.openid, unionid=ident.unionid,
                                          session_key_enc=None, now=now)
    return f"{BIND_PAGE}?{urlencode({'bind_ticket': ticket, 'next': next_path})}"


async def oauth_exchange(deps, *, login_ticket: str, ip: str) -> dict:
    """A one-time login ticket from the OAuth callback → `{token, expires_at, user}`."""
    now = deps.clock()
    async with deps.db.transaction() as tx:
        payload = await tickets.consume(tx, "oauth_login", login_ticket, now)
        if payload is None:
            raise errors.LoginTicketInvalid()
        account = await tx.fetchone(_ACCOUNT, {"id": payload["account_id"]})
        if account is None:
            raise errors.LoginTicketInvalid()
        return await auth_service.create_session(tx, account, method="wechat_oauth", ip=ip, now=now,
                                                 ttl_hours=deps.config.session_ttl_hours)


# --------------------------------------------------------------------------- JSSDK


def signable_url(config, url: str) -> str:
    """The page URL to sign (without its fragment), if it is on one of our own hosts."""
    if any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in url):
        raise errors.field_error("url", "页面地址格式不正确")
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise errors.field_error("url", "页面地址格式不正确") from None
    allowed = {(urlsplit(config.public_base_url).hostname or "").lower()}
    allowed.update(h.lower() for h in config.wechat_jssdk_hosts)
    if parts.scheme not in ("http", "https") or parts.username is not None or not host or host not in allowed:
        raise errors.field_error("url", "不是本站页面地址", "只能为本站页面生成微信JS-SDK签名")
    return url.split("#", 1)[0]


async def jssdk_config(deps, *, url: str) -> dict:
    """`{app_id, timestamp, nonce_str, signature}` for `wx.config` on one of our pages."""
    return await deps.wechat.jssdk_config(signable_url(deps.config, url))
