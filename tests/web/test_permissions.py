"""The permission matrix: every route × method × role, against an explicit table.

Every later feature adds its routes to EXPECTED; a route missing from the table fails the test,
and so does a handler whose declared policy differs from the table or that lets a caller through
that it should not (or refuses one it should serve).
"""

import re

from server.app import collect_routes
from server.web.base import all_endpoints

ANON = "anonymous"
ROLES = ["holder", "window_staff", "reviewer", "venue_staff", "admin", "employer"]
ALL = {ANON, *ROLES}
USERS = set(ROLES)
SIGNED = frozenset({"signed"})

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
    ("POST", r"/api/v1/admin/accounts"): {"admin"},
    ("PUT", r"/api/v1/admin/accounts/(?P<account_id>[^/]+)"): {"admin"},
    ("POST", r"/api/v1/admin/accounts/(?P<account_id>[^/]+)/reset-password"): {"admin"},
    ("GET", r"/api/v1/admin/orgs"): {"admin"},
    ("POST", r"/api/v1/admin/accounts/(?P<account_id>[^/]+)/disable"): {"admin"},
    ("POST", r"/api/v1/admin/accounts/(?P<account_id>[^/]+)/enable"): {"admin"},
    ("GET", r"/api/v1/dev/sms"): ALL,
    ("POST", r"/api/v1/uploads"): USERS,
    ("GET", r"/api/v1/uploads/(?P<file_id>[^/]+)"): USERS,
    ("GET", r"/api/v1/ws"): USERS,
    # cards and applications
    ("GET", r"/api/v1/me/card"): {"holder"},
    ("POST", r"/api/v1/me/card/qr"): {"holder"},
    ("GET", r"/api/v1/admin/cards"): {"admin"},
    ("GET", r"/api/v1/admin/cards/export\.xlsx"): {"admin"},
    ("GET", r"/api/v1/admin/cards/(?P<card_no>[A-Za-z0-9-]{1,32})"): {"admin"},
    ("POST", r"/api/v1/admin/cards/(?P<card_no>[A-Za-z0-9-]{1,32})/disable"): {"admin"},
    ("POST", r"/api/v1/admin/cards/(?P<card_no>[A-Za-z0-9-]{1,32})/enable"): {"admin"},
    ("POST", r"/api/v1/applications"): {"holder"},
    ("GET", r"/api/v1/applications/materials"): USERS,
    ("GET", r"/api/v1/applications/(?P<app_id>[^/]+)"): USERS,
    ("PUT", r"/api/v1/applications/(?P<app_id>[^/]+)"): {"holder"},
    ("DELETE", r"/api/v1/applications/(?P<app_id>[^/]+)"): {"holder"},
    ("POST", r"/api/v1/applications/(?P<app_id>[^/]+)/submit"): {"holder"},
    ("POST", r"/api/v1/applications/(?P<app_id>[^/]+)/withdraw"): {"holder"},
    ("GET", r"/api/v1/me/applications"): {"holder"},
    ("GET", r"/api/v1/honor-titles"): USERS,
    ("GET", r"/api/v1/review/applications"): {"reviewer", "admin", "employer"},
    ("POST", r"/api/v1/review/applications/(?P<app_id>[^/]+)/actions"): {"reviewer", "employer"},
    ("GET", r"/api/v1/admin/honor-titles"): {"admin"},
    ("POST", r"/api/v1/admin/honor-titles"): {"admin"},
    ("PUT", r"/api/v1/admin/honor-titles/(?P<title_id>[^/]+)"): {"admin"},
    ("DELETE", r"/api/v1/admin/honor-titles/(?P<title_id>[^/]+)"): {"admin"},
    ("POST", r"/api/v1/admin/routing/preview"): {"admin"},
    ("GET", r"/api/v1/review/processed"): {"reviewer"},
    ("GET", r"/api/v1/review/processed/export\.xlsx"): {"reviewer"},
    ("GET", r"/api/v1/me/application-prefill"): {"holder"},
    # employers (talent-library side): registration, 关联代码, links, approval
    ("POST", r"/api/v1/employers/register"): ALL,
    ("GET", r"/api/v1/employers/lookup"): {"holder"},
    ("GET", r"/api/v1/me/employer-link"): {"holder"},
    ("POST", r"/api/v1/me/employer-link"): {"holder"},
    ("DELETE", r"/api/v1/me/employer-link"): {"holder"},
    ("GET", r"/api/v1/employer/profile"): {"employer"},
    ("GET", r"/api/v1/employer/links"): {"employer"},
    ("POST", r"/api/v1/employer/links/(?P<link_id>[^/]+)/actions"): {"employer"},
    ("GET", r"/api/v1/admin/employers"): {"admin", "reviewer"},
    ("POST", r"/api/v1/admin/employers/(?P<employer_id>[^/]+)/actions"): {"admin", "reviewer"},
    # green-channel appointments
    ("POST", r"/api/v1/appointments"): {"holder"},
    ("GET", r"/api/v1/me/appointments"): {"holder"},
    ("POST", r"/api/v1/me/wechat-subscriptions"): {"holder"},
    ("GET", r"/api/v1/appointments/(?P<id>[^/]+)"): USERS,
    ("POST", r"/api/v1/appointments/(?P<id>[^/]+)/cancel"): {"holder"},
    ("POST", r"/api/v1/appointments/(?P<id>[^/]+)/resubmit"): {"holder"},
    ("POST", r"/api/v1/appointments/(?P<id>[^/]+)/rating"): {"holder"},
    ("GET", r"/api/v1/staff/appointments"): {"window_staff", "admin"},
    ("GET", r"/api/v1/staff/appointments/export\.xlsx"): {"window_staff", "admin"},
    ("POST", r"/api/v1/staff/appointments/(?P<id>[^/]+)/actions"): {"window_staff"},
    ("POST", r"/api/v1/staff/supervision"): {"window_staff", "admin"},
    # 差评整改
    ("GET", r"/api/v1/admin/followups"): {"admin"},
    ("GET", r"/api/v1/followups"): {"window_staff"},
    ("POST", r"/api/v1/followups/(?P<followup_id>[^/]+)/rectify"): {"window_staff"},
    ("POST", r"/api/v1/followups/(?P<followup_id>[^/]+)/revisit"): {"window_staff", "admin"},
    # console statistics
    ("GET", r"/api/v1/admin/stats/appointments"): {"admin"},
    ("GET", r"/api/v1/admin/stats/appointments\.xlsx"): {"admin"},
    ("GET", r"/api/v1/admin/stats/ratings"): {"admin"},
    ("GET", r"/api/v1/admin/stats/ratings\.xlsx"): {"admin"},
    ("GET", r"/api/v1/admin/stats/overdue"): {"admin"},
    ("GET", r"/api/v1/admin/stats/overdue\.xlsx"): {"admin"},
    ("GET", r"/api/v1/admin/stats/cards"): {"admin"},
    ("GET", r"/api/v1/admin/stats/cards\.xlsx"): {"admin"},
    ("GET", r"/api/v1/admin/stats/applications"): {"admin"},
    ("GET", r"/api/v1/admin/stats/applications\.xlsx"): {"admin"},
    # PC-side sync: no user at all, a signature (SIGNED: every unsigned caller gets 401)
    ("PUT", r"/api/v1/sync/holders/(?P<external_id>[A-Za-z0-9_.:-]{1,64})"): SIGNED,
    ("PUT", r"/api/v1/sync/cards/(?P<card_no>[A-Za-z0-9-]{1,32})"): SIGNED,
    ("POST", r"/api/v1/sync/cards/(?P<card_no>[A-Za-z0-9-]{1,32})/status"): SIGNED,
    ("GET", r"/api/v1/sync/events"): SIGNED,
    # on-site verification and venues
    ("POST", r"/api/v1/venue/scan"): {"venue_staff"},
    ("GET", r"/api/v1/venue/visits"): {"venue_staff"},
    ("POST", r"/api/v1/onsite/checkin"): {"holder"},
    ("GET", r"/api/v1/admin/stats/visits"): {"admin"},
    ("GET", r"/api/v1/admin/stats/visits\.xlsx"): {"admin"},
    ("GET", r"/api/v1/admin/venues"): {"admin"},
    ("POST", r"/api/v1/admin/venues"): {"admin"},
    ("GET", r"/api/v1/admin/venues/(?P<venue_id>[^/]+)"): {"admin"},
    ("PUT", r"/api/v1/admin/venues/(?P<venue_id>[^/]+)"): {"admin"},
    ("GET", r"/api/v1/admin/venues/(?P<venue_id>[^/]+)/staff"): {"admin"},
    ("POST", r"/api/v1/admin/venues/(?P<venue_id>[^/]+)/staff"): {"admin"},
    ("GET", r"/api/v1/admin/venues/(?P<venue_id>[^/]+)/poster\.png"): {"admin"},
    # green-channel catalog: services, windows, districts (public reads, admin management)
    ("GET", r"/api/v1/services"): ALL,
    ("GET", r"/api/v1/services/(?P<service_id>[^/]+)"): ALL,
    ("GET", r"/api/v1/windows"): ALL,
    ("GET", r"/api/v1/windows/(?P<window_id>[^/]+)"): ALL,
    ("GET", r"/api/v1/districts"): ALL,
    ("GET", r"/api/v1/admin/services"): {"admin"},
    ("POST", r"/api/v1/admin/services"): {"admin"},
    ("GET", r"/api/v1/admin/services/(?P<service_id>[^/]+)"): {"admin"},
    ("PUT", r"/api/v1/admin/services/(?P<service_id>[^/]+)"): {"admin"},
    ("GET", r"/api/v1/admin/windows"): {"admin"},
    ("POST", r"/api/v1/admin/windows"): {"admin"},
    ("GET", r"/api/v1/admin/windows/(?P<window_id>[^/]+)"): {"admin"},
    ("PUT", r"/api/v1/admin/windows/(?P<window_id>[^/]+)"): {"admin"},
    # listings: 企业需求, 人才项目资源, 平台载体资源, 通报公告
    ("GET", r"/api/v1/listings"): ALL,
    ("GET", r"/api/v1/listings/(?P<listing_id>[^/]+)"): ALL,
    ("GET", r"/api/v1/admin/listings"): {"admin"},
    ("POST", r"/api/v1/admin/listings"): {"admin"},
    ("GET", r"/api/v1/admin/listings/(?P<listing_id>[^/]+)"): {"admin"},
    ("PUT", r"/api/v1/admin/listings/(?P<listing_id>[^/]+)"): {"admin"},
    ("DELETE", r"/api/v1/admin/listings/(?P<listing_id>[^/]+)"): {"admin"},
    # working-day calendar; 一键测试 and 公示 (issue 14)
    ("GET", r"/api/v1/admin/calendar"): {"admin"},
    ("PUT", r"/api/v1/admin/calendar/(?P<day>[^/]+)"): {"admin"},
    ("POST", r"/api/v1/eligibility/check"): ALL,
    ("GET", r"/api/v1/publicity"): ALL,
    ("POST", r"/api/v1/admin/publicity/(?P<app_id>[^/]+)/objection"): {"admin"},
}

# one demo login per role
LOGINS = {
    "holder": ("sms", "13800000001"),
    "window_staff": ("pw", "wendeng_window"),
    "reviewer": ("pw", "agri_reviewer"),
    "venue_staff": ("pw", "airport_staff"),
    "admin": ("pw", "admin"),
    "employer": ("pw", "demo_employer"),
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
        if want is SIGNED:
            assert ep.auth.kind == "sync", f"{method} {pattern} must verify the PC-side signature"
            continue
        for who in ALL:
            allowed = ep.auth.allows(None if who == ANON else frozenset({who}))
            assert allowed == (who in want), f"{method} {pattern}: {who} allowed={allowed}"
    assert seen == set(EXPECTED), f"routes in the table that no longer exist: {set(EXPECTED) - seen}"


def _concrete(pattern: str) -> str:
    # unknown ids: no side effects
    return re.sub(r"\(\?P<\w+>[^)]*\)", "999999", pattern).replace("\\.", ".")


async def test_matrix_over_http(api):
    tokens = {ANON: None}
    for role, (kind, who) in LOGINS.items():
        tokens[role] = await (api.login_sms(who) if kind == "sms" else api.login_password(who))
    # logout last: it ends the session the other calls use
    for method, pattern, _ep in sorted(_routes(), key=lambda r: r[1] == "/api/v1/auth/logout"):
        path = _concrete(pattern)
        want = EXPECTED[(method, pattern)]
        for who, token in tokens.items():
            if want is SIGNED:
                r = await api.call(method, path, token=token, json={} if method in ("POST", "PUT") else None)
                assert r.status == 401 and r.code == "SIGNATURE_INVALID", f"{who} on {method} {path}: {r}"
                continue
            r = await api.call(method, path, token=token, json={} if method in ("POST", "PUT") else None)
            if who in want:
                assert r.status not in (401, 403) or r.code not in ("UNAUTHORIZED", "FORBIDDEN"), \
                    f"{who} refused on {method} {path}: {r}"
                assert r.status < 500, f"{who} got {r.status} on {method} {path}: {r}"
            else:
                expected = 401 if who == ANON else 403
                assert r.status == expected, f"{who} on {method} {path}: {r}"
