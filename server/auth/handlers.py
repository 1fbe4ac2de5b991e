"""HTTP for SMS and password logins, captcha, logout. (WeChat logins: wechat_handlers.py.)"""

from __future__ import annotations

from server.auth import schemas as s
from server.auth import service
from server.web.auth_policy import LOGGED_IN, PUBLIC
from server.web.base import ApiHandler, endpoint


class SmsSendHandler(ApiHandler):
    @endpoint(PUBLIC, body=s.SmsSendIn, response=s.SmsSendOut, summary="发送短信验证码")
    async def post(self):
        b = self.body_args
        cooldown = await service.request_sms_code(self.deps, phone=b.phone, purpose=b.purpose, ip=self.client_ip)
        return {"cooldown_seconds": cooldown}


class SmsLoginHandler(ApiHandler):
    @endpoint(PUBLIC, body=s.SmsLoginIn, response=s.SessionOut, summary="短信验证码登录（新手机号自动注册为持卡人账号）")
    async def post(self):
        b = self.body_args
        return await service.sms_login(self.deps, phone=b.phone, code=b.code, ip=self.client_ip)


class CaptchaHandler(ApiHandler):
    @endpoint(PUBLIC, response=s.CaptchaOut, summary="图形验证码（密码连续错误3次后需要；每个IP有频率限制）")
    async def get(self):
        return await service.new_captcha(self.deps, ip=self.client_ip)


class PasswordLoginHandler(ApiHandler):
    @endpoint(PUBLIC, body=s.PasswordLoginIn, response=s.SessionOut, summary="账号密码登录")
    async def post(self):
        b = self.body_args
        return await service.password_login(self.deps, username=b.username, password=b.password,
                                            captcha_id=b.captcha_id, captcha_code=b.captcha_code, ip=self.client_ip)


class LogoutHandler(ApiHandler):
    @endpoint(LOGGED_IN, status=204, summary="退出登录")
    async def post(self):
        await service.logout(self.db, self.principal.session_id, self.now())


ROUTES = [
    (r"/api/v1/auth/sms/send", SmsSendHandler),
    (r"/api/v1/auth/sms/login", SmsLoginHandler),
    (r"/api/v1/auth/captcha", CaptchaHandler),
    (r"/api/v1/auth/password/login", PasswordLoginHandler),
    (r"/api/v1/auth/logout", LogoutHandler),
]
