"""Typed domain errors. Services raise these; the web layer turns them into the contract's JSON
(status, machine code, Chinese message) in one place (`server.web.base`)."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400
    code = "INVALID_REQUEST"
    message = "请求无效"

    def __init__(self, message: str | None = None, *, details: dict[str, Any] | None = None,
                 status: int | None = None, code: str | None = None):
        self.message = message or self.message
        self.details = details or {}
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code
        super().__init__(self.message)


class InvalidRequest(DomainError):
    status, code, message = 400, "INVALID_REQUEST", "请求参数有误"


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


class CaptchaInvalid(DomainError):
    status, code, message = 428, "CAPTCHA_REQUIRED", "图形验证码错误或已失效，请重新输入"


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
