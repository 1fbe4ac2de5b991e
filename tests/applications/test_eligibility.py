"""一键测试 (issue 14 item 4): the levels, reasons and review route, by the rules submission applies."""

import pytest

from server.applications import eligibility as el

CITY_HR = "威海市人力资源和社会保障局"


@pytest.mark.parametrize("text,level", [
    ("正高级工程师", "full_senior"), ("教授", "full_senior"), ("主任医师", "full_senior"), ("副主任医师", "senior"),
    ("副教授", "senior"), ("高级农艺师", "senior"), ("高级技师", "none"), ("工程师", "intermediate"),
    ("中级", "intermediate"), ("", "none"), (None, "none"), ("无", "none"), ("senior", "senior"),
])
def test_titles_are_read_as_the_form_types_them(text, level):
    assert el.title_level(text) == level


@pytest.mark.parametrize("text,level", [("博士研究生", "doctor"), ("硕士研究生", "master"), ("大学本科", "bachelor"),
                                        ("学士", "bachelor"), ("大专", "college"), ("高中", "other")])
def test_education_levels(text, level):
    assert el.education_level(text) == level


def _levels(education="other", title="none", honors=(), age=None):
    return el.card_levels(el.Facts(education, title, tuple(honors), (), age)).levels


def test_the_level_rules():
    assert _levels(title="full_senior") == ["A", "B", "C"]
    assert _levels("doctor", honors=["威海市名医"]) == ["A", "B", "C"]
    assert _levels("master", "senior", ["威海市名医"]) == ["A", "B", "C"]
    assert _levels("master", honors=["威海市名医"]) == ["B", "C"]
    assert _levels("doctor") == ["B", "C"]
    assert _levels("master") == ["C"]
    assert _levels("bachelor", age=35) == ["C"]
    assert _levels("bachelor", age=36) == []
    assert _levels("bachelor") == []
    assert _levels("college", "none") == []


async def check(api, **body):
    return await api.post("/api/v1/eligibility/check", body)


async def test_anonymous_self_test_gives_levels_reasons_and_route(api):
    # 李四's answers: a 市直 employer, 乡村之星 → 市农业农村局, then the city bureau (seed 002 example 1)
    r = await check(api, education="硕士研究生", title="高级农艺师", honors=["威海市乡村之星"], age=41,
                    employer_is_city_level=True)
    assert r.status == 200, r
    assert r.json["eligible"] is True and r.json["levels"] == ["A", "B", "C"]
    assert any("乡村之星" in reason and "A类" in reason for reason in r.json["reasons"])
    assert r.json["route"] == ["威海市农业农村局", CITY_HR]
    assert [s["name"] for s in r.json["stages"]] == ["主管部门审核", "市人社局初审", "市人社局终审"]
    # 张三's: a 文登区 employer → the district bureau (example 2)
    r = await check(api, education="博士研究生", employer_district="文登区")
    assert r.json["levels"] == ["B", "C"] and r.json["route"] == ["文登区人力资源和社会保障局", CITY_HR]
    # a fixed-route university
    r = await check(api, education="硕士研究生", employer_name="哈尔滨工业大学（威海）")
    assert r.json["levels"] == ["C"] and r.json["route"] == [CITY_HR]
    # not eligible, and an abbreviated honor title is not recognised
    r = await check(api, education="大学专科", honors=["乡村之星"], employer_is_city_level=True)
    assert r.json["eligible"] is False and r.json["levels"] == [] and r.json["route"] == []
    assert any("乡村之星" in reason and "全称" in reason for reason in r.json["reasons"])
    assert any("暂不符合" in reason for reason in r.json["reasons"])
    r = await check(api, education="大学本科", age=30, employer_district="火星区")
    assert r.json["levels"] == ["C"] and r.json["route"] == [] and any("单位所在地" in x for x in r.json["reasons"])


async def test_bad_answers_are_400(api):
    for body in ({}, {"education": ""}, {"education": "硕士", "age": 5}, {"education": "硕士", "honors": "x"},
                 {"education": "硕士", "honors": ["x" * 129]}, {"education": "硕士", "extra": 1}):
        r = await api.post("/api/v1/eligibility/check", body)
        assert r.status == 400 and r.code == "INVALID_REQUEST", (body, r)


async def test_the_self_test_is_rate_limited_per_ip(api, monkeypatch):
    monkeypatch.setattr(el, "CHECK_IP_LIMIT", 3)
    for _ in range(3):
        assert (await check(api, education="硕士")).status == 200
    r = await check(api, education="硕士")
    assert r.status == 429 and r.code == "RATE_LIMITED" and "频繁" in r.json["error"]["message"]


async def test_submission_applies_the_same_level_rules(api):
    lisi = await api.login_sms("13800000002")
    draft = (await api.get("/api/v1/me/applications?status=draft", token=lisi)).json["items"][0]
    app = (await api.get(f"/api/v1/applications/{draft['id']}", token=lisi)).json
    form = app["form"]
    form["education"]["degree"] = "大学本科"
    form["talent"]["title"] = "无"
    form["talent"]["card_level"] = "A"
    r = await api.put(f"/api/v1/applications/{app['id']}", {"form": form, "version": app["version"]}, token=lisi)
    assert r.status == 200, r
    r = await api.post(f"/api/v1/applications/{app['id']}/submit", {"version": r.json["version"]}, token=lisi)
    assert r.status == 422 and r.code == "LEVEL_NOT_ELIGIBLE", r
    test = await check(api, education="大学本科", title="无", honors=["威海市乡村之星"], employer_is_city_level=True)
    assert r.json["error"]["details"]["levels"] == test.json["levels"] == ["B", "C"]
    app = (await api.get(f"/api/v1/applications/{app['id']}", token=lisi)).json
    assert app["status"] == "draft", "nothing half-written"
    form = app["form"]
    form["talent"]["card_level"] = "B"
    r = await api.put(f"/api/v1/applications/{app['id']}", {"form": form, "version": app["version"]}, token=lisi)
    r = await api.post(f"/api/v1/applications/{app['id']}/submit", {"version": r.json["version"]}, token=lisi)
    assert r.status == 200 and r.json["status"] == "submitted", r
