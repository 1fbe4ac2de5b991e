"""The error catalog (server/errors.py): every error code the API answers with is one class there,
with its HTTP status and default Chinese message; the codes agree with the documentation; field
errors are built by its helpers only, in the contract's one shape (`details.fields`)."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import server
from server import errors
from tests.web.test_openapi import find_api_md

REPO = Path(__file__).resolve().parents[2]
CONSOLE_API_MD = REPO / "docs" / "console-api.md"
HTTP_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}

# The codes API.md does not name (endpoints added after the contract, the web layer's general answers)
ERRORS_MD = REPO / "docs" / "errors.md"


def _import_every_module() -> None:
    """Every module of the server package, so an error class defined anywhere is seen."""
    for mod in pkgutil.walk_packages(server.__path__, "server."):
        if mod.name.endswith("__main__") or ".migrations" in mod.name:
            continue
        importlib.import_module(mod.name)


def documented_codes(text: str) -> set[str]:
    """The error codes a document names: the `UPPER_CASE` words on a line that gives a 4xx/5xx status."""
    codes: set[str] = set()
    for line in text.splitlines():
        if re.search(r"\b[45][0-9]{2}\b", line):
            codes.update(re.findall(r"`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)`", line))
    return codes - HTTP_METHODS


def test_every_error_code_is_defined_once_in_the_catalog():
    _import_every_module()
    cat = errors.catalog()  # raises when two classes set the same code
    stack = errors.DomainError.__subclasses__()
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.startswith("tests."):
            continue
        assert cls.__module__ == "server.errors", f"{cls.__qualname__} ({cls.__module__}) belongs in server/errors.py"
        owner = cat[cls.code]
        assert issubclass(cls, owner), f"{cls.__qualname__} answers {cls.code} but is no variant of {owner.__name__}"
    for code, cls in cat.items():
        assert re.fullmatch(r"[A-Z][A-Z0-9]*(_[A-Z0-9]+)*", code)
        assert 400 <= cls.status <= 599, code
        assert re.search(r"[\u4e00-\u9fff]", cls.message), f"{code}: the default message is shown to users, in Chinese"


def test_the_catalog_and_the_documentation_agree():
    documented = documented_codes(find_api_md().read_text(encoding="utf-8"))
    documented |= documented_codes(CONSOLE_API_MD.read_text(encoding="utf-8"))
    documented |= documented_codes(ERRORS_MD.read_text(encoding="utf-8"))
    cat = errors.catalog()
    assert documented - set(cat) == set(), "codes the documentation names but the server never answers with"
    assert set(cat) - documented == set(), "document these codes in docs/errors.md (or API.md, docs/console-api.md)"


def test_errors_md_gives_each_code_its_status_and_message():
    cat = errors.catalog()
    for line in ERRORS_MD.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\| `([A-Z_0-9]+)` \| ([0-9]{3}) \| .+ \| (.+) \|$", line)
        if m:
            cls = cat[m.group(1)]
            assert int(m.group(2)) == cls.status, m.group(1)
            shown = m.group(3).rstrip("…").rstrip("，")
            assert cls.message.startswith(shown), m.group(1)


def test_documented_codes_parser():
    text = ("| POST /x | → 200; 409 `USERNAME_TAKEN` / `PHONE_IN_USE` |\n"
            "- `POST` `{title}` → 201. 409 `HONOR_TITLE_TAKEN`\n"
            "`make run` sets `HOST`, `PORT`; `PUBLICITY_DAYS` > 0\n")
    assert documented_codes(text) == {"USERNAME_TAKEN", "PHONE_IN_USE", "HONOR_TITLE_TAKEN"}


def test_no_code_is_raised_by_string_and_no_field_error_is_built_by_hand():
    """A code comes from its class (DomainError takes no `code=`); `details.fields` from the helpers."""
    by_hand = re.compile(r"details=\{[^}]*\"fields\"", re.S)
    generic = re.compile(r"errors\.DomainError\(")
    for path in (REPO / "server").rglob("*.py"):
        if path.name == "errors.py" or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        assert not by_hand.search(text), f"{path}: build field errors with errors.field_error / Error.fields"
        assert not generic.search(text), f"{path}: raise the catalog's class for the code"


def test_field_error_shapes():
    e = errors.field_error("phone", "请输入正确的11位手机号")
    assert (e.status, e.code, e.message) == (400, "INVALID_REQUEST", "请输入正确的11位手机号")
    assert e.body() == {"error": {"code": "INVALID_REQUEST", "message": "请输入正确的11位手机号",
                                  "details": {"fields": {"phone": "请输入正确的11位手机号"}}}}
    e = errors.field_error("file", "此项为必填项", "请选择要上传的文件")
    assert (e.message, e.details) == ("请选择要上传的文件", {"fields": {"file": "此项为必填项"}})
    e = errors.InvalidRequest.fields({"a": "x", "b": "y"}, errors.CHECK_FIELDS)
    assert (e.message, e.details) == ("请求参数有误，请检查后重试", {"fields": {"a": "x", "b": "y"}})
    # another code; the class's default message stays unless one is given; other details come first
    e = errors.FormIncomplete.fields({"declaration_accepted": "请勾选"})
    assert (e.status, e.code, e.message) == (422, "FORM_INCOMPLETE", "申请表还有必填项未填写")
    e = errors.LevelNotEligible.fields({"talent.card_level": "超出"}, "不符合", levels=["C"])
    assert list(e.details) == ["levels", "fields"]
    # variants answer with their owner's code
    assert (errors.NoCardForBooking.status, errors.NoCardForBooking.code) == (403, "NO_CARD")
    assert errors.DeclarationRequired.code == "FORM_INCOMPLETE"
    assert errors.CaptchaInvalid.code == "CAPTCHA_REQUIRED"
