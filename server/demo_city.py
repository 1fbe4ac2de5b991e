"""The demo city's shared facts (API.md "Demo data"): districts, the demo people and orgs, the
demo password. Plain data read by every feature's demo piece; this module imports no feature.
`server.demo.load_demo` loads the pieces in order."""

from __future__ import annotations

DEMO_PASSWORD = "Demo@12345"

DISTRICTS = ["环翠区", "文登区", "荣成市", "乳山市", "高区", "经区", "临港区", "南海新区"]
DISTRICT_CODES = ["huancui", "wendeng", "rongcheng", "rushan", "gaoqu", "jingqu", "lingang", "nanhai"]


def id_with_check_digit(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(first17, weights))
    return first17 + "10X98765432"[total % 11]


HOLDERS = [
    # key, name, phone, ID number
    ("zhangsan", "张三", "13800000001", id_with_check_digit("37108119800101123")),
    ("lisi", "李四", "13800000002", id_with_check_digit("37100219850315456")),
    ("wangwu", "王五", "13800000003", id_with_check_digit("37108219790720789")),
]

STAFF = [
    # username, name, roles, org code
    ("wendeng_window", "刘敏", "window_staff", "hr_wendeng"),
    ("city_window", "陈静", "window_staff", "city_hr"),
    ("agri_reviewer", "赵刚", "reviewer", "dept_agri"),
    ("wendeng_reviewer", "孙丽", "reviewer", "hr_wendeng"),
    ("city_reviewer", "周强", "reviewer", "city_hr"),
    ("airport_staff", "吴婷", "venue_staff", "venue_airport"),
    ("hospital_staff", "郑华", "venue_staff", "venue_hospital"),
    ("admin", "系统管理员", "admin", "city_hr"),
]


def org_rows() -> list[dict]:
    rows = [dict(code="city_hr", type="city_hr", name="威海市人力资源和社会保障局", district="环翠区")]
    for d, code in zip(DISTRICTS, DISTRICT_CODES):
        rows.append(dict(code=f"hr_{code}", type="district_hr", name=f"{d}人力资源和社会保障局", district=d))
    rows += [
        dict(code="dept_agri", type="city_dept", name="威海市农业农村局", district="环翠区"),
        dict(code="dept_sci", type="city_dept", name="威海市科学技术局", district="环翠区"),
        dict(code="dept_health", type="city_dept", name="威海市卫生健康委员会", district="环翠区"),
        dict(code="emp_hit", type="employer", name="哈尔滨工业大学（威海）", district="环翠区",
             association_code="121000004000019720", fixed_route=True),
        dict(code="emp_sdu", type="employer", name="山东大学（威海）", district="环翠区",
             association_code="12100000495571069K", fixed_route=True),
        dict(code="emp_city_co", type="employer", name="威海市海洋科技发展有限公司", district="环翠区",
             association_code="91371000MA3CITY01X", is_city_level=True),
        dict(code="emp_wendeng_co", type="employer", name="威海文登精工机械有限公司", district="文登区",
             association_code="91371081MA3WDJG02Y"),
        dict(code="venue_airport", type="venue", name="威海国际机场商务贵宾区", district="文登区"),
        dict(code="venue_hospital", type="venue", name="威海市立医院", district="环翠区"),
    ]
    return rows
