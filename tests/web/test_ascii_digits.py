"""Only ASCII 0-9 is a digit (issue 10, hardening): full-width, Arabic-Indic and mathematical
digits in phones, ID numbers and ids are refused with a 400 in Chinese, never folded into ASCII.
On MariaDB the utf8mb4 collation equates `１` with `1`, so a full-width phone used to log into the
ASCII phone's account there; on SQLite it became a new account."""

import pathlib
import re

import pytest
import sqlalchemy as sa

from server.db.tables import accounts
from server.demo_city import HOLDERS, id_with_check_digit
from tests.sync.test_api import Pc

NON_ASCII_PHONES = ["1380000000１", "1390000000٩", "139000000𝟗𝟗", "１３８００００００01", "1380000000²"]
ZHANG_ID = HOLDERS[0][3]
FULL_WIDTH_ID = ZHANG_ID.translate(str.maketrans("0123456789", "０１２３４５６７８９"))


def chinese_field_error(r, field: str) -> None:
    assert r.status == 400 and r.code == "INVALID_REQUEST", r
    fields = r.json["error"]["details"]["fields"]
    assert any(k.endswith(field) for k in fields), r
    assert all(re.search(r"[\u4e00-\u9fff]", m) for m in fields.values()), r


@pytest.mark.parametrize("phone", NON_ASCII_PHONES)
async def test_non_ascii_phone_gets_no_sms_and_no_account(api, deps, phone):
    before = await deps.db.fetchval(sa.select(sa.func.count()).select_from(accounts))
    r = await api.post("/api/v1/auth/sms/send", {"phone": phone, "purpose": "login"})
    chinese_field_error(r, "phone")
    r = await api.post("/api/v1/auth/sms/login", {"phone": phone, "code": "123456"})
    chinese_field_error(r, "phone")
    assert await deps.db.fetchval(sa.select(sa.func.count()).select_from(accounts)) == before


async def test_full_width_phone_never_reaches_zhangs_account(api):
    """The MariaDB case: `1380000000１` = `13800000001` under utf8mb4_unicode_ci."""
    zhang_code_sms = await api.login_sms("13800000001")  # a fresh code for 张三 exists
    assert zhang_code_sms
    code = await api.last_sms_code("13800000001")
    r = await api.post("/api/v1/auth/sms/login", {"phone": "1380000000１", "code": code})
    assert r.status == 400 and "token" not in (r.json or {}), r
    r = await api.post("/api/v1/auth/password/login", {"username": "1380000000１", "password": "Demo@12345"})
    assert r.status in (400, 401) and "token" not in (r.json or {}), r


async def test_application_refuses_full_width_id_and_phone(api):
    lisi = await api.login_sms("13800000002")
    for personal, field in [({"id_type": "resident_id", "id_number": FULL_WIDTH_ID}, "id_number"),
                            ({"id_number": ZHANG_ID[:-1] + "Ｘ"}, "id_number"),
                            ({"id_type": "passport", "id_number": "Ｅ１２３４５６７８"}, "id_number"),
                            ({"id_type": "passport", "id_number": "E12345678"}, None),
                            ({"phone": "1380000000１"}, "phone"),
                            ({"birth_date": "0001-01-01"}, "birth_date")]:
        r = await api.post("/api/v1/applications", {"type": "renew", "form": {"personal": personal}}, token=lisi)
        if field is None:
            assert r.status in (201, 409, 422), r  # the form itself is fine
            continue
        chinese_field_error(r, field)
    # MariaDB's collation equates a full-width 关联代码 with the employer's: refused everywhere
    r = await api.post("/api/v1/applications", {"type": "renew", "form": {"employer": {
        "association_code": "９１３７１０８１MA3WDJG02Y"}}}, token=lisi)
    chinese_field_error(r, "association_code")
    r = await api.post("/api/v1/applications", {"type": "new", "form": {"family": [
        {"name": "李小四", "relation": "子女", "id_number": FULL_WIDTH_ID}]}}, token=lisi)
    chinese_field_error(r, "id_number")


@pytest.mark.parametrize("id_type,id_number", [
    ("resident_id", "abcd"), ("resident_id", FULL_WIDTH_ID), ("resident_id", "371002199001010010"),
    ("passport", "ab"), ("passport", "Ｅ１２３４５６７８"), ("passport", "E1234567٩"), ("hk_macao_pass", "C12 34567"),
])
async def test_sync_refuses_bad_id_numbers(api, deps, id_type, id_number):
    pc = Pc(api, deps.clock)
    r = await pc.call("PUT", "/api/v1/sync/holders/PC-77", {"version": 1, "name": "赵六", "id_type": id_type,
                                                           "id_number": id_number})
    chinese_field_error(r, "id_number")


async def test_sync_accepts_valid_id_numbers(api, deps):
    pc = Pc(api, deps.clock)
    for i, (id_type, id_number) in enumerate([("resident_id", id_with_check_digit("37100219900101002").lower()),
                                              ("passport", "E12345678")]):
        r = await pc.call("PUT", f"/api/v1/sync/holders/PC-8{i}", {"version": 1, "name": "赵六", "id_type": id_type,
                                                                  "id_number": id_number})
        assert r.status == 201, r
    r = await pc.call("PUT", "/api/v1/sync/holders/PC-80", {"version": 2, "name": "赵六", "id_number": ZHANG_ID,
                                                           "phone": "1390000000٩"})
    chinese_field_error(r, "phone")
    r = await pc.call("PUT", "/api/v1/sync/holders/PC-80", {"version": 2, "name": "赵六", "id_number": ZHANG_ID,
                                                           "employer_code": "９１３７１０８１MA3WDJG02Y"})
    chinese_field_error(r, "employer_code")
    # Python's `$` matches before a final newline; the validators anchor at the very end
    r = await pc.call("PUT", "/api/v1/sync/holders/PC-80", {"version": 2, "name": "赵六", "id_number": ZHANG_ID,
                                                           "phone": "13900000066\n"})
    chinese_field_error(r, "phone")


async def test_venue_staff_and_ids_refuse_non_ascii_digits(api, deps):
    admin = await api.login_password("admin")
    venues = (await api.get("/api/v1/admin/venues", token=admin)).json["items"]
    r = await api.post(f"/api/v1/admin/venues/{venues[0]['id']}/staff",
                       {"username": "gate_2", "name": "门岗", "password": "Demo@12345", "phone": "1390000000٩"}, token=admin)
    chinese_field_error(r, "phone")
    r = await api.post("/api/v1/admin/venues", {"name": "新场所", "service_ids": ["１"]}, token=admin)
    chinese_field_error(r, "service_ids")
    r = await api.post("/api/v1/venue/scan", {"token": "x", "service_id": "٣"}, token=await api.login_password("airport_staff"))
    chinese_field_error(r, "service_id")
    zhang = await api.login_sms("13800000001")
    r = await api.post("/api/v1/appointments", {"service_id": "１", "window_id": "１", "content": "x"}, token=zhang)
    chinese_field_error(r, "service_id")


# --------------------------------------------------------------------------- the code itself

SERVER = pathlib.Path(__file__).resolve().parents[2] / "server"
# `\d` (not `\\d` in a docstring), `.isdigit(`, `.isdecimal(`, `.isnumeric(`
FORBIDDEN = re.compile(r"(?<!\\)\\d|\.isdigit\(|\.isdecimal\(|\.isnumeric\(")


def test_no_unicode_digit_checks_in_the_server():
    """`\\d` and `str.isdigit()` accept `１`, `٩`, `²`: validators use `[0-9]` (server.core.validators)."""
    offenders = []
    for path in sorted(SERVER.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if FORBIDDEN.search(line):
                offenders.append(f"{path.relative_to(SERVER.parent)}:{n}: {line.strip()}")
    assert offenders == [], "use [0-9] / server.core.validators instead:\n" + "\n".join(offenders)


def test_the_guard_itself_catches_what_it_should():
    assert FORBIDDEN.search(r'Field(pattern=r"^\d{1,18}$")')
    assert FORBIDDEN.search("if raw.isdigit():")
    assert not FORBIDDEN.search(r'Field(pattern=r"^[0-9]{1,18}$")')
