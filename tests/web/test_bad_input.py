"""Bad input that used to answer 500 (or a bare, body-less 400): each one now gets a 4xx in the
contract's error format (issue 10, hardening)."""

import asyncio
import json

import pytest
import sqlalchemy as sa
import tornado.httpclient
import tornado.testing

from server.db.tables import appointments, services, windows
from server.web.bodylimit import http_server
from tests.sync.test_api import Pc

# '²'.isdigit() is true, but int('²') fails; full-width, Arabic-Indic and mathematical digits are
# "decimal" and int() reads them as ASCII digits: all of them must be refused as they are
UNICODE_DIGITS = ["%C2%B2", "%C2%B9", "%EF%BC%91", "%D9%A9", "%F0%9D%9F%97"]


def contract_error(r, status: int | tuple[int, ...], code: str | None = None) -> None:
    statuses = status if isinstance(status, tuple) else (status,)
    assert r.status in statuses, r
    assert r.json and r.json["error"]["message"], r
    if code:
        assert r.json["error"]["code"] == code, r


async def _ids(deps):
    svc = {r["code"]: str(r["id"]) for r in await deps.db.fetchall(sa.select(services.c.code, services.c.id))}
    win = {r["district"] if not r["is_city"] else "city": str(r["id"])
           for r in await deps.db.fetchall(sa.select(windows.c.id, windows.c.district, windows.c.is_city))}
    return svc, win


@pytest.mark.parametrize("digit", UNICODE_DIGITS)
async def test_unicode_digits_in_path_ids_are_not_found(api, digit):
    admin = await api.login_password("admin")
    zhang = await api.login_sms("13800000001")
    for path, token in [(f"/api/v1/services/{digit}", None), (f"/api/v1/windows/{digit}", None),
                        (f"/api/v1/listings/{digit}", None), (f"/api/v1/appointments/{digit}", zhang),
                        (f"/api/v1/applications/{digit}", zhang), (f"/api/v1/admin/venues/{digit}", admin),
                        (f"/api/v1/admin/services/{digit}", admin)]:
        contract_error(await api.get(path, token=token), 404, "NOT_FOUND")
    contract_error(await api.post(f"/api/v1/admin/accounts/{digit}/disable", {}, token=admin), 404, "NOT_FOUND")


@pytest.mark.parametrize("digit", UNICODE_DIGITS)
async def test_unicode_digits_in_cursors_and_searches(api, digit):
    admin = await api.login_password("admin")
    zhang = await api.login_sms("13800000001")
    clerk = await api.login_password("city_window")
    for path, token in [(f"/api/v1/listings?cursor={digit}", None), (f"/api/v1/admin/cards?cursor={digit}", admin),
                        (f"/api/v1/me/appointments?cursor={digit}", zhang),
                        (f"/api/v1/admin/accounts?cursor={digit}", admin),
                        (f"/api/v1/staff/appointments?cursor={digit}", clerk),
                        (f"/api/v1/staff/appointments?window_id={digit}", clerk)]:
        contract_error(await api.get(path, token=token), 400, "INVALID_REQUEST")
    # a search for '²' is a search for a name, not an appointment number
    r = await api.get(f"/api/v1/staff/appointments?q={digit}", token=clerk)
    assert r.status == 200 and r.json["items"] == [], r


async def test_sync_timestamp_of_unicode_digits_is_a_bad_signature(api):
    for ts in ["²", "１７００００００００", "9" * 5000]:
        r = await api.get("/api/v1/sync/events", headers={
            "X-Sync-Key": "pc-demo", "X-Sync-Timestamp": ts.encode().decode("latin-1"), "X-Sync-Nonce": "n" * 16,
            "X-Sync-Signature": "0" * 64})
        contract_error(r, 401, "SIGNATURE_INVALID")


async def test_deeply_nested_json_is_a_400(api):
    zhang = await api.login_sms("13800000001")
    deep = b'{"form":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    r = await api.call("POST", "/api/v1/applications", body=deep, token=zhang,
                       headers={"Content-Type": "application/json"})
    contract_error(r, 400, "INVALID_REQUEST")
    # nesting that json.loads survives but nothing takes
    medium = {"type": "new", "form": {"achievements": None}}
    node = medium["form"]
    for _ in range(200):
        node["x"] = {}
        node = node["x"]
    r = await api.post("/api/v1/applications", medium, token=zhang)
    contract_error(r, 400, "INVALID_REQUEST")


async def test_integers_beyond_64_bits_are_a_400(api, deps):
    zhang = await api.login_sms("13800000001")
    lisi = await api.login_sms("13800000002")
    draft = (await api.get("/api/v1/me/applications", token=lisi)).json["items"][0]
    for big in (2**63, 2**64, -(2**63) - 1):
        r = await api.put(f"/api/v1/applications/{draft['id']}", {"form": {}, "version": big}, token=lisi)
        contract_error(r, 400, "INVALID_REQUEST")
        r = await api.post("/api/v1/venue/scan", {"token": "x", "service_id": big},
                           token=await api.login_password("airport_staff"))
        contract_error(r, 400, "INVALID_REQUEST")
    r = await api.post("/api/v1/appointments/1/rating", {"stars": 2**64}, token=zhang)
    contract_error(r, (400, 404))
    r = await Pc(api, deps.clock).call("GET", "/api/v1/sync/events", query=f"after={2**64}")
    contract_error(r, 400, "INVALID_REQUEST")


async def test_attachment_ids_are_looked_up_as_strings(api, deps):
    svc, win = await _ids(deps)
    zhang = await api.login_sms("13800000001")
    before = await deps.db.fetchval(sa.select(sa.func.count()).select_from(appointments))
    for bad in (["abc"], ["²"], ["999999999"], [""], ["1" * 70]):
        r = await api.post("/api/v1/appointments", {"service_id": svc["child_school"], "window_id": win["文登区"],
                                                    "content": "附件测试", "attachments": bad}, token=zhang)
        contract_error(r, 400, "INVALID_REQUEST")
        assert "attachments" in " ".join(r.json["error"]["details"].get("fields", {})), r
    assert await deps.db.fetchval(sa.select(sa.func.count()).select_from(appointments)) == before, "no half-written row"


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-12-31", "2101-01-01"])
async def test_dates_far_from_today_are_a_400(api, deps, day):
    svc, win = await _ids(deps)
    clerk = await api.login_password("city_window")
    admin = await api.login_password("admin")
    venue = await api.login_password("airport_staff")
    zhang = await api.login_sms("13800000001")
    for path, token in [(f"/api/v1/staff/appointments?from={day}", clerk), (f"/api/v1/staff/appointments?to={day}", clerk),
                        (f"/api/v1/staff/appointments/export.xlsx?from={day}&to={day}", clerk),
                        (f"/api/v1/venue/visits?date={day}", venue),
                        (f"/api/v1/admin/stats/visits?from={day}&to={day}", admin)]:
        contract_error(await api.get(path, token=token), 400, "INVALID_REQUEST")
    r = await api.post("/api/v1/appointments", {"service_id": svc["child_school"], "window_id": win["文登区"],
                                                "content": "x", "preferred_date": day}, token=zhang)
    contract_error(r, 400, "INVALID_REQUEST")


async def test_sane_dates_still_work(api):
    clerk = await api.login_password("city_window")
    r = await api.get("/api/v1/staff/appointments?from=2000-01-01&to=2100-12-31", token=clerk)
    assert r.status == 200, r


async def test_control_characters_in_authorization(api):
    """Tornado refuses control characters in a header while parsing it (before any handler runs);
    that refusal, and whatever else reaches the application, is in the contract's format."""
    for value in ["Bearer abc\x7f", "Bearer \x01\x02", "Bearer ab\x00c", "Bearer a\x1bb", "\x7f",
                  "Bearer " + "é" * 10, "Bearer\tx"]:
        r = await api.get("/api/v1/me", headers={"Authorization": value})
        contract_error(r, (400, 401))
    # the connection that sent it is closed; the next one works
    assert (await api.get("/api/v1/services")).status == 200


async def test_oversized_json_body_is_a_contract_413(api):
    r = await api.call("POST", "/api/v1/auth/sms/send", body=b" " * (2 * 1024 * 1024),
                       headers={"Content-Type": "application/json"})
    contract_error(r, 413, "PAYLOAD_TOO_LARGE")


async def _raw_request(port: int, head: bytes, body_size: int) -> bytes:
    """Send a request over a plain socket and read the whole answer (the client sends all of its
    body before reading, as a browser does)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(head)
    sent, chunk = 0, b"x" * 65536
    try:
        while sent < body_size:
            writer.write(chunk[: min(len(chunk), body_size - sent)])
            sent += min(len(chunk), body_size - sent)
            await writer.drain()
    except ConnectionError:
        pass
    data = await asyncio.wait_for(reader.read(), timeout=30)
    writer.close()
    return data


def _status_and_json(raw: bytes):
    head, _, body = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(body) if body else None


@pytest.fixture
def served(io_loop, app, deps):
    """The app behind the same HTTPServer `python -m server` runs (its limits included)."""
    sock, port = tornado.testing.bind_unused_port()
    server = http_server(app, deps.config)
    server.add_sockets([sock])
    yield port
    server.stop()
    io_loop.run_sync(server.close_all_connections)


@pytest.mark.parametrize("size_mib", [12, 30])
async def test_12_mib_body_gets_a_contract_413_from_the_real_server(served, size_mib):
    size = size_mib * 1024 * 1024
    head = (f"POST /api/v1/uploads HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
            f"Content-Length: {size}\r\nConnection: close\r\n\r\n").encode()
    status, body = _status_and_json(await _raw_request(served, head, size if size_mib == 12 else 0))
    assert status == 413 and body["error"]["code"] == "PAYLOAD_TOO_LARGE" and body["error"]["message"]


async def test_chunked_oversized_body_gets_a_contract_413(served):
    head = (b"POST /api/v1/uploads HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
            b"Content-Type: multipart/form-data; boundary=b\r\nConnection: close\r\n\r\n")
    reader, writer = await asyncio.open_connection("127.0.0.1", served)
    writer.write(head)
    piece = b"x" * 65536
    for _ in range(12 * 16):  # 12 MiB in 64 KiB chunks
        writer.write(b"10000\r\n" + piece + b"\r\n")
        await writer.drain()
    writer.write(b"0\r\n\r\n")
    raw = await asyncio.wait_for(reader.read(), timeout=30)
    writer.close()
    status, body = _status_and_json(raw)
    assert status == 413 and body["error"]["code"] == "PAYLOAD_TOO_LARGE"


async def test_a_normal_request_still_works_on_the_real_server(served):
    data = json.dumps({"phone": "13800000009", "purpose": "login"}).encode()
    head = (f"POST /api/v1/auth/sms/send HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n").encode() + data
    status, body = _status_and_json(await _raw_request(served, head, 0))
    assert status == 200 and "cooldown_seconds" in body
