"""Fixtures for the auth tests: the fake WeChat server and a real gateway pointed at it."""

from tests.fakes.wechat_server import fake_wechat, wechat_gateway  # noqa: F401
