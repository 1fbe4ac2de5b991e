"""Configuration: production refuses development secrets and has no dev routes."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from server.app import collect_routes
from server.config import Config, ConfigError

ROOT = Path(__file__).resolve().parents[1]

PROD = {
    "APP_ENV": "production",
    "DATABASE_URL": "mysql+aiomysql://app:pw@127.0.0.1:3306/yck",
    "SECRET_KEY": "s" * 40,
    "ID_ENCRYPTION_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
    "ID_HASH_KEY": "another-long-secret-for-id-hashes",
    "SYNC_CLIENTS": "pc:very-secret",
    "QR_KEYS": "k1:qr-secret-1",
    "UPLOAD_URL_KEY": "upload-url-secret",
    "WECHAT_MP_SECRET": "real-mp", "WECHAT_OA_SECRET": "real-oa",
    "ALIYUN_ACCESS_KEY_ID": "ak", "ALIYUN_ACCESS_KEY_SECRET": "sk", "ALIYUN_SMS_TEMPLATE_LOGIN": "SMS_1",
}


def test_production_with_default_secrets_refuses_to_start():
    r = subprocess.run([sys.executable, "-m", "server"], cwd=ROOT, capture_output=True, text=True, timeout=60,
                       env={**os.environ, "APP_ENV": "production", "DATABASE_URL": PROD["DATABASE_URL"]})
    assert r.returncode == 2
    assert "refuses to start with development secrets" in r.stderr and "SECRET_KEY" in r.stderr


def test_production_config_checks():
    Config.from_env(PROD).check()
    with pytest.raises(ConfigError, match="sqlite|DATABASE_URL"):
        Config.from_env({**PROD, "DATABASE_URL": "sqlite+aiosqlite:///x.db"}).check()
    with pytest.raises(ConfigError, match="console"):
        Config.from_env({**PROD, "SMS_PROVIDER": "console"}).check()
    with pytest.raises(ConfigError):
        Config.from_env({**PROD, "ID_ENCRYPTION_KEY": "c2hvcnQ="}).check()
    with pytest.raises(ConfigError, match="UPLOAD_URL_KEY"):
        Config.from_env({k: v for k, v in PROD.items() if k != "UPLOAD_URL_KEY"}).check()
    with pytest.raises(ConfigError, match="UPLOAD_DECODE_CONCURRENCY"):
        Config.from_env({**PROD, "UPLOAD_DECODE_CONCURRENCY": "0"}).check()
    with pytest.raises(ConfigError, match="integer"):
        Config.from_env({"PORT": "eighty"})


def test_production_has_no_dev_routes():
    cfg = Config.from_env(PROD)
    assert cfg.load_demo_data is False
    assert not [p for p, _ in collect_routes(cfg.dev_routes) if "/dev/" in p]
    assert [p for p, _ in collect_routes(True) if "/dev/" in p]


def test_db_timeout_is_read_and_checked():
    assert Config.from_env({}).db_timeout_seconds == 3
    assert Config.from_env({"DB_TIMEOUT_SECONDS": "1.5"}).db_timeout_seconds == 1.5
    with pytest.raises(ConfigError, match="DB_TIMEOUT_SECONDS"):
        Config.from_env({"DB_TIMEOUT_SECONDS": "soon"})
    for bad in ("0", "-1", "nan", "inf", "3600"):
        with pytest.raises(ConfigError, match="DB_TIMEOUT_SECONDS"):
            Config.from_env({"DB_TIMEOUT_SECONDS": bad}).check()
    with pytest.raises(ConfigError, match="DB_POOL_SIZE"):
        Config.from_env({"DB_POOL_SIZE": "0"}).check()
