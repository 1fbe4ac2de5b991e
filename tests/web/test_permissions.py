"""The permission matrix: every route × method × role, against an explicit table.

Every later feature adds its routes to EXPECTED; a route missing from the table fails the test,
and so does a handler whose declared policy differs from the table or that lets a caller through
that it should not (or refuses one it should serve).
"""

import re

import pytest

from server.app import collect_routes
from server.web.base import all_endpoints

ANON = "anonymous"
ROLES = ["holder", "window_staff", "reviewer", "venue_staff", "admin"]
ALL = {ANON, *ROLES}
USERS = set(ROLES)

# (METHOD, route pattern) -> who may call it
EXPECTED = {
    ("GET", r"/healthz"): ALL,
    ("GET", r"/metrics"): ALL,
    ("GET", r"/api/v1/openapi.json"): ALL,
    ("POST", r"/api/v1/auth/sms/send"): ALL,
    ("POST", r"/api/v1/auth/sms/login"): ALL,
    ("GET", r"/api/v1/auth/captcha"): ALL,
    ("POST", r"/api/v1/auth/password/login"): ALL,
    ("POST", r"/api/v1/auth/logout"): USERS,
    ("POST", r"/api/v1/auth/wechat/mp-login"): ALL,
    ("POST", r"/api/v1/auth/wechat/mp-phone-login"): ALL,
    ("POST", r"/api/v1/auth/wechat/bind"): ALL,
    ("GET", r"/api/v1/auth/wechat/oauth"): ALL,
    ("GET", r"/api/v1/auth/wechat/oauth/callback"): ALL,
    ("POST", r"/api/v1/auth/wechat/oauth/exchange"): ALL,
    ("GET", r"/api/v1/wechat/jssdk"): ALL,
    ("GET", r"/api/v1/me"): USERS,
    ("POST", r"/api/v1/me/password"): USERS,
    ("GET", r"/api/v1/admin/accounts"): {"admin"},
    ("POST", r"/api/v1/admin/accounts/(?P<account_id>[^/]+)/disable"): {"admin"},
    ("POST", r"/api/v1/admin/accounts/(?P<account_id>[^/]+)/enable"): {"admin"},
    ("GET", r"/api/v1/dev/sms"): ALL,
}

# one demo login per role
LOGINS = {
    "holder": ("sms", "13800000001"),
    "window_staff": ("pw", "wendeng_window"),
    "reviewer": ("pw", "agri_reviewer"),
    "venue_staff": ("pw", "airport_staff"),
    "admin": ("pw", "admin"),
}


def _routes():
    out = []
    for pattern, handler in collect_routes(dev_routes=True):
        for method, ep in all_endpoints(handler).items():
            out.append((method.upper(), pattern, ep))
    return out


def test_every_route_is_in_the_table_and_declares_the_same_policy():
    seen = set()
    for method, pattern, ep in _routes():
        key = (method, pattern)
        assert key in EXPECTED, f"{method} {pattern} is missing from the permission matrix"
        seen.add(key)
        want = EXPECTED[key]
        for who in ALL:
            allowed = ep.auth.allows(None if who == ANON else frozenset({who}))
            assert allowed == (who in want), f"{method} {pattern}: {who} allowed={allowed}"
    assert seen == set(EXPECTED), f"routes in the table that no longer exist: {set(EXPECTED) - seen}"


def _concrete(pattern: str) -> str:
    return re.sub(r"\(\?P<\w+>[^)]*\)", "999999", pattern)  # unknown ids: no side effects


async def test_matrix_over_http(api):
    tokens = {ANON: None}
    for role, (kind, who) in LOGINS.items():
        tokens[role] = await (api.login_sms(who) if kind == "sms" else api.login_password(who))
    # logout last: it ends the session the other calls use
    for method, pattern, ep in sorted(_routes(), key=lambda r: r[1] == "/api/v1/auth/logout"):
        path = _concrete(pattern)
        want = EXPECTED[(method, pattern)]
        for who, token in tokens.items():
            r = await api.call(method, path, token=token, json={} if method in ("POST", "PUT") else None)
            if who in want:
                assert r.status not in (401, 403) or r.code not in ("UNAUTHORIZED", "FORBIDDEN"), \
                    f"{who} refused on {method} {path}: {r}"
                assert r.status < 500, f"{who} got {r.status} on {method} {path}: {r}"
            else:
                expected = 401 if who == ANON else 403
                assert r.status == expected, f"{who} on {method} {path}: {r}"
