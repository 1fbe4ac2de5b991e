"""The published OpenAPI document agrees with the routes, with the query models and with API.md.

API.md is the wire contract; it lives in the project's `shared/` folder beside the repository (CI lays
`shared/` next to the clone; a developer's work tree may sit deeper, hence the walk up). A missing
API.md fails these tests: a contract check that silently passes without its contract cannot fail.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from server.web.base import ApiHandler, all_endpoints

REPO = Path(__file__).resolve().parents[2]
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_METHOD_PATH = re.compile(r"^(GET|POST|PUT|PATCH|DELETE) (/[^\s?`]+)")

# Endpoints that API.md names but whose features are not built yet (the v1.1 additions). Each entry
# is work still to do; the test fails when one of them gets published, so the list only shrinks.
NOT_BUILT_YET: set[tuple[str, str]] = set()  # every endpoint of API.md is built

# Routes of the app that are not JSON API endpoints and so are not in the OpenAPI document, with why.
NOT_OPENAPI = {
    r"/api/v1/ws": "WebSocket (live push): OpenAPI 3.1 cannot describe it; API.md documents it",
    r"/h5": "redirect to the H5 pages",
    r"/h5/(.*)": "the H5's static files",
    r"/console": "redirect to the PC console",
    r"/console/(.*)": "the PC console's static files",
}


def find_api_md() -> Path:
    for parent in REPO.parents:
        candidate = parent / "shared" / "API.md"
        if candidate.is_file():
            return candidate
    pytest.fail(f"API.md not found in a shared/ folder above {REPO}: the contract check cannot run without it")


def _norm(path: str) -> str:
    """Compare paths without the names of their parameters (`{id}` in API.md, `{app_id}` here)."""
    return re.sub(r"\{[^}]*\}", "{}", path.rstrip("/"))


def contract_endpoints(text: str) -> list[tuple[str, str, str]]:
    """(METHOD, normalised path, the text that documents it) for every endpoint API.md names:
    every `method path` cell of every table, the Listings paragraph and every inline `METHOD /path`."""
    found: list[tuple[str, str, str]] = []
    for line in text.splitlines():
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        for part in cells[0].split(", "):
            m = _METHOD_PATH.match(part.strip())
            if m:
                found.append((m.group(1), _norm(m.group(2)), line))
                # "`.../enable` → 200 card": a sibling of the row's endpoint
                for sibling in re.findall(r"`\.\.\./([\w.-]+)`", line):
                    found.append((m.group(1), _norm(m.group(2).rsplit("/", 1)[0] + "/" + sibling), line))
    listings = text.split("## Listings", 1)[1].split("\n## ", 1)[0]
    for m in re.finditer(r"((?:GET|POST|PUT|DELETE)(?:/(?:GET|POST|PUT|DELETE))*) "
                         r"(/api/v1/[\w/{}.-]+?)(\[/\{\w+\}\])?(?=[\s;,.`]|$)", listings):
        methods, path, item = m.groups()
        where = listings[m.start():].split(";", 1)[0]  # "GET /api/v1/listings `?kind=…&q=&cursor=` → list"
        for method in methods.split("/"):
            # "POST/PUT/DELETE /x[/{id}]": each method on the collection or on the item
            targets = [_norm(path)] + ([_norm(path + "/{}")] if item else [])
            found.append((method, "|".join(targets), where))
    for m in re.finditer(r"`(GET|POST|PUT|PATCH|DELETE) (/[^\s?`]+)", text):
        found.append((m.group(1), _norm(m.group(2)), m.group(0)))
    return found


def contract_query_names(row: str) -> set[str]:
    """Query parameter names a row of API.md shows (`?status=&q=`, `?code&state`, `?after=<cursor>`)."""
    names = set()
    for q in re.findall(r"`[^`]*\?([^`\s]*)`", row):
        names.update(n for n in re.findall(r"(?:^|&)([A-Za-z_]\w*)", q))
    return names


async def _doc(api) -> dict:
    r = await api.get("/api/v1/openapi.json")
    assert r.status == 200
    return r.json


def _published(doc: dict) -> dict[str, dict]:
    return {_norm(p): ops for p, ops in doc["paths"].items()}


async def test_openapi_lists_every_route_with_models(api):
    doc = await _doc(api)
    assert doc["openapi"].startswith("3.1")
    paths = doc["paths"]
    assert "post" in paths["/api/v1/auth/sms/send"]
    body = paths["/api/v1/auth/sms/send"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["$ref"].endswith("/SmsSendIn")
    schema = doc["components"]["schemas"]["SmsSendIn"]
    assert "phone" in schema["properties"] and "phone" in schema["required"]
    assert paths["/api/v1/admin/accounts/{account_id}/disable"]["post"]["x-auth"] == "roles: admin"
    assert paths["/api/v1/me"]["get"]["security"] == [{"bearer": []}]


async def test_every_route_of_the_app_is_published_with_its_methods(api, app):
    doc = await _doc(api)
    seen = 0
    for rule in app.wildcard_router.rules:
        pattern, handler = rule.matcher.regex.pattern.rstrip("$"), rule.target
        if not (isinstance(handler, type) and issubclass(handler, ApiHandler)):
            assert pattern in NOT_OPENAPI, f"{pattern} ({handler}) is neither published nor listed in NOT_OPENAPI"
            continue
        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", pattern).replace("\\.", ".")
        assert path in doc["paths"], f"route {pattern} is not in the OpenAPI document"
        for method in all_endpoints(handler):
            assert method in doc["paths"][path], f"{method.upper()} {path} is not in the OpenAPI document"
            seen += 1
        extra = set(doc["paths"][path]) - set(all_endpoints(handler))
        assert not extra, f"{path} publishes methods the handler does not have: {extra}"
    assert seen > 50


async def test_every_endpoint_of_api_md_is_published(api):
    """Every endpoint API.md names (every table row, the Listings paragraph, inline mentions) is in the
    document with its method, except the listed features that are not built yet."""
    published = _published(await _doc(api))
    endpoints = contract_endpoints(find_api_md().read_text(encoding="utf-8"))
    assert len({(m, p) for m, p, _ in endpoints}) > 60, "API.md's tables were not parsed"
    missing, built_but_listed = [], []
    for method, paths, where in endpoints:
        options = paths.split("|")
        ok = any(method.lower() in published.get(p, {}) for p in options)
        if (method, options[0]) in NOT_BUILT_YET:
            if ok:
                built_but_listed.append(f"{method} {options[0]}")
            continue
        if options[0] == "/api/v1/ws" and method == "GET":
            continue  # the WebSocket: see NOT_OPENAPI
        if not ok:
            missing.append(f"{method} {' or '.join(options)}  ← {where[:100]}")
        if len(options) > 1:  # "…/listings[/{id}]": both the collection and the item exist
            assert all(p in published for p in options), f"{options} are not all published"
    assert not missing, "API.md endpoints missing from the OpenAPI document:\n" + "\n".join(sorted(set(missing)))
    assert not built_but_listed, ("published now, remove from NOT_BUILT_YET: " + ", ".join(sorted(set(built_but_listed))))


async def test_query_parameters_of_api_md_are_published(api):
    """`?status=&from=&to=` in API.md: each name is a query parameter of that operation in the document."""
    published = _published(await _doc(api))
    wrong = []
    checked = 0
    for method, paths, where in contract_endpoints(find_api_md().read_text(encoding="utf-8")):
        op = published.get(paths.split("|")[0], {}).get(method.lower())
        if op is None or method != "GET":
            continue
        names = {p["name"] for p in op["parameters"] if p["in"] == "query"}
        for name in contract_query_names(where):
            checked += 1
            if name not in names:
                wrong.append(f"{method} {paths}: ?{name} (API.md) is not a documented query parameter ({sorted(names)})")
    assert checked > 15
    assert not wrong, "\n".join(wrong)


async def test_every_query_parameter_has_a_schema_and_the_name_the_handler_reads(api, app):
    doc = await _doc(api)
    checked = 0
    for rule in app.wildcard_router.rules:
        handler = rule.target
        if not (isinstance(handler, type) and issubclass(handler, ApiHandler)):
            continue
        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", rule.matcher.regex.pattern.rstrip("$")).replace("\\.", ".")
        for method, ep in all_endpoints(handler).items():
            op = doc["paths"][path][method]
            params = [p for p in op["parameters"] if p["in"] == "query"]
            # the names the handler reads: the query model's aliases (`from`, never `from_` / `date_from`)
            reads = {f.alias or n for n, f in ep.query.model_fields.items()} if ep.query else set()
            assert {p["name"] for p in params} == reads, f"{method.upper()} {path}"
            for p in params:
                checked += 1
                assert isinstance(p.get("schema"), dict) and p["schema"], f"{method.upper()} {path} ?{p['name']}: no schema"
                assert "type" in p["schema"] or "anyOf" in p["schema"] or "$ref" in p["schema"] or "enum" in p["schema"]
                assert {"type": "null"} not in p["schema"].get("anyOf", []), "a query string has no null"
            for p in op["parameters"]:
                assert "schema" in p, f"{method.upper()} {path} {p['in']} {p['name']}: no schema"
    assert checked > 60


async def test_documented_query_names_are_the_ones_that_work(api):
    """`from`/`to` filter the staff list; the Python names do not (an unknown name is no filter)."""
    token = await api.login_password("city_window")
    later = await api.get("/api/v1/staff/appointments?from=2099-01-01", token=token)
    assert later.status == 200 and later.json["items"] == []
    bad = await api.get("/api/v1/staff/appointments?from=not-a-date", token=token)
    assert bad.status == 400 and "from" in bad.json["error"]["details"]["fields"]
    doc = await _doc(api)
    names = [p["name"] for p in doc["paths"]["/api/v1/staff/appointments"]["get"]["parameters"]]
    assert "from" in names and "to" in names and "date_from" not in names
    stats = [p["name"] for p in doc["paths"]["/api/v1/admin/stats/visits"]["get"]["parameters"]]
    assert "from" in stats and "from_" not in stats


def test_api_md_parser_reads_every_kind_of_mention():
    text = (
        "| method, path | body → answer |\n|---|---|\n"
        "| POST /api/v1/x/{id}/disable | `{reason}` → 200; `.../enable` → 200 |\n"
        "| GET /api/v1/a, POST /api/v1/b/{id}/actions | `?q=&from=` |\n"
        "## Listings\n\nGET /api/v1/listings `?kind=&q=`; admins POST/PUT /api/v1/admin/listings[/{id}].\n\n"
        "## Other\nAlso `GET /api/v1/c?x=` inline.\n"
    )
    got = {(m, p) for m, p, _ in contract_endpoints(text)}
    assert got == {
        ("POST", "/api/v1/x/{}/disable"), ("POST", "/api/v1/x/{}/enable"), ("GET", "/api/v1/a"),
        ("POST", "/api/v1/b/{}/actions"), ("GET", "/api/v1/listings"),
        ("POST", "/api/v1/admin/listings|/api/v1/admin/listings/{}"),
        ("PUT", "/api/v1/admin/listings|/api/v1/admin/listings/{}"), ("GET", "/api/v1/c"),
    }
    assert contract_query_names("| GET /a | `?status=&from=&to=` and `?code&state` |") == {"status", "from", "to",
                                                                                           "code", "state"}
