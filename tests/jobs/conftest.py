"""Fixtures for the outbox, the Aliyun sender and the worker."""

from tests.fakes.aliyun_server import fake_aliyun  # noqa: F401  (a fixture)
