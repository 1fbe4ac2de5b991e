"""The published OpenAPI document agrees with the routes and with API.md."""

import re
from pathlib import Path

API_MD = Path(__file__).resolve().parents[3] / "shared" / "API.md"


async def test_openapi_lists_every_route_with_models(api):
    r = await api.get("/api/v1/openapi.json")
    assert r.status == 200
    doc = r.json
    assert doc["openapi"].startswith("3.1")
    paths = doc["paths"]
    assert "post" in paths["/api/v1/auth/sms/send"]
    body = paths["/api/v1/auth/sms/send"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["$ref"].endswith("/SmsSendIn")
    schema = doc["components"]["schemas"]["SmsSendIn"]
    assert "phone" in schema["properties"] and "phone" in schema["required"]
    assert paths["/api/v1/admin/accounts/{account_id}/disable"]["post"]["x-auth"] == "roles: admin"
    assert paths["/api/v1/me"]["get"]["security"] == [{"bearer": []}]


async def test_contract_paths_of_built_features_are_published(api):
    """Every path of API.md whose feature is built appears in the document with the same method."""
    doc = (await api.get("/api/v1/openapi.json")).json
    if not API_MD.exists():
        return
    rows = re.findall(r"^\| (GET|POST|PUT|DELETE) (/\S+?) \|", API_MD.read_text(), re.M)
    built = [(m, p.split("?")[0]) for m, p in rows if p.startswith(("/api/v1/auth", "/api/v1/me\u0020", "/api/v1/wechat"))
             or p in ("/api/v1/me", "/api/v1/me/password")]
    assert built, "API.md should list the auth endpoints"
    for method, path in built:
        assert path in doc["paths"], f"{method} {path} (API.md) is not published"
        assert method.lower() in doc["paths"][path], f"{method} {path} (API.md) has no such method"
