"""The error catalog: every error code the API answers with, once, as a class carrying its HTTP
status and default Chinese message. Services raise these; the web layer turns them into the
contract's JSON (`{"error": {code, message, details}}`, `DomainError.body`).

A class that sets `code` owns that code; a subclass that does not set it is a variant of the same
code (another default message or status). `catalog()` lists the owners; a test checks each code is
defined once, here, and documented (API.md or docs/console-api.md).

Field errors have one shape, `details.fields` mapping field → message: build them with
`field_error(field, message)` or `SomeError.fields({field: message, …}, summary)`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self

# the summary of an error about several fields (each field's own message is in details.fields)
CHECK_FIELDS = "请求参数有误，请检查后重试"


class DomainError(Exception):
    status = 400
    code = "INVALID_REQUEST"
    message = "请求无效"

    def __init__(self, message: str | None = None, *, details: dict[str, Any] | None = None,
                 status: int | None = None):
        self.message = message or self.message
        self.details = details or {}
        if status is not None:
            self.status = status
        super().__init__(self.message)

    @classmethod
    def fields(cls, fields: Mapping[str, str], message: str | None = None, **details: Any) -> Self:
        """This error about fields of the request: `details.fields` maps each to its message (after
        any other details given)."""
        return cls(message, details={**details, "fields": dict(fields)})

    @classmethod
    def field(cls, field: str, message: str, summary: str | None = None, **details: Any) -> Self:
        """This error about one field; the error's message is `summary`, else the field's message."""
        return cls.fields({field: message}, summary or message, **details)

    def body(self) -> dict[str, Any]:
        """The contract's error body."""
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class InvalidRequest(DomainError):
    status, code, message = 400, "INVALID_REQUEST", "请求参数有误"


def field_error(field: str, message: str, summary: str | None = None) -> InvalidRequest:
    """The contract's validation error (400 INVALID_REQUEST) about one field."""
    return InvalidRequest.field(field, message, summary)


class Unauthorized(DomainError):
    status, code, message = 401, "UNAUTHORIZED", "请先登录"


class Forbidden(DomainError):
    status, code, message = 403, "FORBIDDEN", "无权执行此操作"


class NotFound(DomainError):
    status, code, message = 404, "NOT_FOUND", "请求的内容不存在"


class MethodNotAllowed(DomainError):
    status, code, message = 405, "METHOD_NOT_ALLOWED", "不支持的请求方法"


class VersionConflict(DomainError):
    status, code, message = 409, "VERSION_CONFLICT", "数据已被他人修改，请刷新后重试"


class InvalidTransition(DomainError):
    status, code, message = 409, "INVALID_TRANSITION", "当前状态下不能执行此操作"


class PayloadTooLarge(DomainError):
    status, code, message = 413, "PAYLOAD_TOO_LARGE", "请求内容过大"


class UnsupportedMedia(DomainError):
    status, code, message = 415, "UNSUPPORTED_MEDIA", "不支持的内容类型"


class IdempotencyConflict(DomainError):
    status, code, message = 422, "IDEMPOTENCY_CONFLICT", "同一个幂等键不能用于不同的请求内容"


class IdempotencyInProgress(DomainError):
    status, code, message = 409, "IDEMPOTENCY_IN_PROGRESS", "相同的请求正在处理中，请稍后再试"


class SmsRateLimited(DomainError):
    status, code, message = 429, "SMS_RATE_LIMITED", "发送过于频繁，请稍后再试"

    def __init__(self, retry_after: int, message: str | None = None):
        super().__init__(message or f"发送过于频繁，请{retry_after}秒后再试",
                         details={"retry_after_seconds": retry_after})


class RateLimited(DomainError):
    status, code, message = 429, "RATE_LIMITED", "请求过于频繁，请稍后再试"

    def __init__(self, retry_after: int, message: str | None = None):
        super().__init__(message or f"请求过于频繁，请{retry_after}秒后再试",
                         details={"retry_after_seconds": retry_after})


class SmsCodeInvalid(DomainError):
    status, code, message = 400, "SMS_CODE_INVALID", "验证码错误或已失效"


class SmsCodeLocked(DomainError):
    status, code, message = 429, "SMS_CODE_TOO_MANY_ATTEMPTS", "验证码错误次数过多，请重新获取验证码"


class BadCredentials(DomainError):
    status, code, message = 401, "BAD_CREDENTIALS", "用户名或密码错误"


class CaptchaRequired(DomainError):
    status, code, message = 428, "CAPTCHA_REQUIRED", "请输入图形验证码"


class CaptchaInvalid(CaptchaRequired):
    message = "图形验证码错误或已失效，请重新输入"


class AccountLocked(DomainError):
    status, code, message = 423, "ACCOUNT_LOCKED", "密码错误次数过多，账号已锁定，请稍后再试"


class AccountDisabled(DomainError):
    status, code, message = 403, "ACCOUNT_DISABLED", "账号已停用，请联系管理员"


class WechatError(DomainError):
    status, code, message = 400, "WECHAT_CODE_INVALID", "微信登录凭证无效或已过期，请重新进入"


class WechatUnavailable(DomainError):
    status, code, message = 503, "WECHAT_UNAVAILABLE", "微信服务暂时不可用，请稍后再试"


class WechatRateLimited(DomainError):
    status, code, message = 429, "WECHAT_RATE_LIMITED", "微信接口调用过于频繁，请稍后再试"


class WechatAlreadyBound(DomainError):
    status, code, message = 409, "WECHAT_ALREADY_BOUND", "该微信已绑定其他账号"


class LoginTicketInvalid(DomainError):
    status, code, message = 400, "LOGIN_TICKET_INVALID", "登录凭证无效或已使用，请重新登录"


class BindTicketInvalid(DomainError):
    status, code, message = 400, "BIND_TICKET_INVALID", "绑定凭证无效或已过期，请重新登录"


class OAuthStateInvalid(DomainError):
    status, code, message = 400, "OAUTH_STATE_INVALID", "授权请求无效或已使用，请重新进入"


class PhoneInUse(DomainError):
    status, code, message = 409, "PHONE_IN_USE", "该手机号已被其他账号使用"


class ServiceUnavailable(DomainError):
    status, code, message = 503, "SERVICE_UNAVAILABLE", "服务暂时不可用，请稍后再试"


class InternalError(DomainError):
    status, code, message = 500, "INTERNAL_ERROR", "服务器内部错误，请稍后再试"


class UsernameTaken(DomainError):
    status, code, message = 409, "USERNAME_TAKEN", "该用户名已被使用"


# --------------------------------------------------------------------------- cards

class NoCard(DomainError):
    status, code, message = 404, "NO_CARD", "您还没有英才卡"


class NoCardForBooking(NoCard):
    status, message = 403, "您还没有英才卡，暂不能预约绿色通道服务"


class CardDisabled(DomainError):
    status, code, message = 403, "CARD_DISABLED", "您的英才卡已停用，暂不能使用绿色通道服务"


class CardExpired(DomainError):
    status, code, message = 403, "CARD_EXPIRED", "您的英才卡已过有效期，请办理续办"


# --------------------------------------------------------------------------- applications

class ApplicationInProgress(DomainError):
    status, code, message = 409, "APPLICATION_IN_PROGRESS", "您已有一项正在办理的申请，办结后才能再次申请"


class MaterialsMissing(DomainError):
    status, code, message = 422, "MATERIALS_MISSING", "申请材料不齐全，请补充后再提交"


class FormIncomplete(DomainError):
    status, code, message = 422, "FORM_INCOMPLETE", "申请表还有必填项未填写"


class DeclarationRequired(FormIncomplete):
    message = "请阅读申请须知并勾选诚信声明后再提交"


class CardExists(DomainError):
    status, code, message = 409, "CARD_EXISTS", "您已持有英才卡，请选择续办、补办或变更"


class CardRequired(DomainError):
    status, code, message = 409, "CARD_REQUIRED", "续办、补办、变更需已持有英才卡，请选择新办"


class SubmitConflict(DomainError):
    status, code, message = 409, "SUBMIT_CONFLICT", "提交人数较多，请重新提交"


class LevelNotEligible(DomainError):
    status, code, message = 422, "LEVEL_NOT_ELIGIBLE", "所填条件不符合申领该类别英才卡的条件"


class HonorTitleUnknown(DomainError):
    status, code, message = 422, "HONOR_TITLE_UNKNOWN", "未找到该荣誉称号的主管部门，请填写荣誉称号全称（不要使用简称）"


class HonorTitleTaken(DomainError):
    status, code, message = 409, "HONOR_TITLE_TAKEN", "该荣誉称号已存在"


class DistrictUnknown(DomainError):
    status, code, message = 422, "DISTRICT_UNKNOWN", "未找到单位所在地对应的区市人社部门，请重新选择单位所在地"


# --------------------------------------------------------------------------- employers

class EmployerExists(DomainError):
    status, code, message = 409, "EMPLOYER_EXISTS", "该统一社会信用代码的单位已注册"


class EmployerLinkExists(DomainError):
    status, code, message = 409, "EMPLOYER_LINK_EXISTS", "您已关联单位或有待确认的关联申请"


# --------------------------------------------------------------------------- green channel

class NotEligible(DomainError):
    status, code, message = 403, "NOT_ELIGIBLE", "您的英才卡等级不在该服务的服务范围内"


class ServiceNotBookable(DomainError):
    status, code, message = 422, "SERVICE_NOT_BOOKABLE", "该服务无需预约或已停止受理"


class WindowNotHandling(DomainError):
    status, code, message = 422, "WINDOW_NOT_HANDLING", "所选服务窗口不受理该服务，请重新选择窗口"


class AlreadyRated(DomainError):
    status, code, message = 409, "ALREADY_RATED", "您已评价过本次服务"


class NothingOverdue(DomainError):
    status, code, message = 422, "NOTHING_OVERDUE", "该窗口当前没有超时未办的事项"


class NoWorkingDay(DomainError):
    status, code, message = 422, "CALENDAR_NO_WORKING_DAY", "工作日历在办理时限内没有工作日，请管理员检查工作日历"


class DuplicateCode(DomainError):
    status, code, message = 409, "DUPLICATE_CODE", "服务编码已存在，请换一个"


# --------------------------------------------------------------------------- on-site

class NotVenueStaff(DomainError):
    status, code, message = 403, "NOT_VENUE_STAFF", "您的账号未关联服务场所，请联系管理员"


class PosterFontMissing(DomainError):
    status, code = 503, "POSTER_FONT_MISSING"
    message = "服务器未安装中文字体，暂时无法生成引导图，请联系运维人员安装（如 fonts-noto-cjk 或 fonts-wqy-zenhei）"


# --------------------------------------------------------------------------- PC-side sync

class SignatureInvalid(DomainError):
    status, code, message = 401, "SIGNATURE_INVALID", "签名无效或请求已过期"


class HolderUnknown(DomainError):
    status, code, message = 422, "HOLDER_UNKNOWN", "持卡人不存在，请先同步持卡人信息"


class ExternalIdConflict(DomainError):
    status, code, message = 409, "EXTERNAL_ID_CONFLICT", "该持卡人已关联其他外部编号"


def catalog() -> dict[str, type[DomainError]]:
    """Every error code → the class that owns it (its status and default message). Variants (a
    subclass that does not set `code`) are left out; they answer with their owner's code."""
    out: dict[str, type[DomainError]] = {}
    todo = DomainError.__subclasses__()
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if "code" in vars(cls):
            if cls.code in out and out[cls.code] is not cls:
                raise RuntimeError(f"error code {cls.code} defined twice: {out[cls.code]!r}, {cls!r}")
            out[cls.code] = cls
    return out
