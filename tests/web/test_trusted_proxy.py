"""TRUSTED_PROXY: the client address comes from `X-Real-IP` only when the TCP peer is a configured
proxy (TRUSTED_PROXY_ADDRESSES); anyone else who sends the header is counted as who they are."""

from __future__ import annotations

import pytest

LIMIT = 2


async def _send(api, phone: str, real_ip: str | None):
    headers = {"X-Real-IP": real_ip} if real_ip else {}
    return await api.post("/api/v1/auth/sms/send", {"phone": phone, "purpose": "login"}, headers=headers)


class TestBehindNginxOnThisHost:
    @pytest.fixture
    def config_overrides(self):
        # the test client connects from 127.0.0.1, which is the default proxy address
        return {"TRUSTED_PROXY": "1", "SMS_IP_HOURLY_LIMIT": str(LIMIT)}

    async def test_the_per_ip_limit_counts_the_forwarded_address(self, api):
        for i in range(LIMIT):
            assert (await _send(api, f"1390000000{i}", "203.0.113.5")).status == 200
        r = await _send(api, "13900000009", "203.0.113.5")
        assert r.status == 429, r
        # another client behind the same proxy has its own count
        assert (await _send(api, "13900000008", "198.51.100.7")).status == 200

    async def test_a_malformed_header_is_ignored(self, api):
        for i in range(LIMIT):
            assert (await _send(api, f"1390000001{i}", f"not-an-ip-{i}")).status == 200
        # both counted against the peer itself (127.0.0.1), so the peer is now at its limit
        assert (await _send(api, "13900000019", None)).status == 429


class TestFromAnUntrustedPeer:
    @pytest.fixture
    def config_overrides(self):
        # the proxy is elsewhere: the loopback test client is an ordinary client
        return {"TRUSTED_PROXY": "1", "TRUSTED_PROXY_ADDRESSES": "10.1.2.3", "SMS_IP_HOURLY_LIMIT": str(LIMIT)}

    async def test_a_spoofed_real_ip_does_not_escape_the_limit(self, api):
        for i in range(LIMIT):
            assert (await _send(api, f"1390000002{i}", f"203.0.113.{i + 1}")).status == 200
        r = await _send(api, "13900000029", "203.0.113.99")
        assert r.status == 429, r


def test_a_bad_proxy_address_refuses_to_start():
    from server.config import Config, ConfigError

    with pytest.raises(ConfigError, match="TRUSTED_PROXY_ADDRESSES"):
        Config.from_env({"TRUSTED_PROXY": "1", "TRUSTED_PROXY_ADDRESSES": "nginx.local"}).check()
