"""Every route, every kind of garbage: a 4xx (or a normal answer), never a 500 or a stack trace."""

import json
import re

from server.app import collect_routes
from server.web.base import all_endpoints

GARBAGE = [
    b"",
    b"not json at all",
    b"[]",
    b"null",
    b'"string"',
    b"{\"a\":",
    json.dumps({"phone": 1, "code": [], "type": {}, "form": "x", "version": "x", "action": 5, "status": None,
                "reason": 7, "token": 8, "username": None, "password": 1, "name": ["x"]}).encode(),
    json.dumps({"version": 10**30, "limit": -1, "stars": 99, "form": {"personal": {"id_number": "1" * 500}}}).encode(),
    json.dumps({"x": "\u0000\ud7ff" * 100, "phone": "1" * 5000}).encode(),
    b"\xff\xfe\xfa garbage bytes",
    # issue 10: nesting that overflows the parser's stack, integers SQLite cannot bind, ids that are
    # not upload ids, dates at the calendar's edges, digits that are not ASCII
    b'{"form":' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    json.dumps({"version": 2**64, "service_id": 2**64, "window_id": str(2**64), "stars": -(2**64), "after": 2**70,
                "attachments": ["abc"], "content": "x", "preferred_date": "0001-01-01", "valid_until": "9999-12-31",
                "issued_at": "0001-01-01", "id_number": "abcd", "name": "x", "phone": "1380000000\uff11"}).encode(),
]
PATH_VALUES = ["0", "-1", "abc", "9" * 40, "%00", "..%2F..%2Fetc", "%C2%B2", "%EF%BC%91"]
QUERIES = ["", "?limit=abc", "?limit=100000", "?cursor=%00%ff", "?status=__nope__&level=Z&after=-5", "?" + "a=1&" * 200,
           "?cursor=%C2%B2&q=%C2%B2", "?from=0001-01-01&to=9999-12-31&date=9999-12-31",
           "?after=99999999999999999999&venue_id=99999999999999999999&service_id=%EF%BC%91"]


def _paths(pattern: str):
    if "(?P<" not in pattern:
        return [pattern.replace("\\.", ".")]
    return [re.sub(r"\(\?P<\w+>[^)]*\)", v, pattern).replace("\\.", ".") for v in PATH_VALUES]


async def test_no_route_answers_500_to_garbage(api):
    tokens = [None, await api.login_sms("13800000001"), await api.login_password("admin"),
              await api.login_password("city_reviewer")]
    routes = [(m.upper(), p) for p, h in collect_routes(True) for m in all_endpoints(h)
              if p not in ("/api/v1/auth/logout", "/api/v1/ws")]
    for method, pattern in routes:
        for path in _paths(pattern):
            for token in tokens:
                if method in ("POST", "PUT"):
                    for body in GARBAGE:
                        r = await api.call(method, path, body=body, token=token,
                                           headers={"Content-Type": "application/json"})
                        assert r.status < 500, f"{method} {path} {body[:40]!r}: {r}"
                        if r.status >= 400:
                            assert r.json and r.json["error"]["message"], f"{method} {path}: {r}"
                else:
                    for q in QUERIES:
                        r = await api.call(method, path + q, token=token)
                        assert r.status < 500, f"{method} {path}{q[:40]}: {r}"
                        assert b"Traceback" not in r.body
