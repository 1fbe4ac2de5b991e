"""deploy/: the environment template names every variable server/config.py reads, and the units
run what exists."""

from __future__ import annotations

import base64
import os
import re
from pathlib import Path

from server.config import Config

ROOT = Path(__file__).resolve().parent.parent


def _read_by_config() -> set[str]:
    src = (ROOT / "server" / "config.py").read_text()
    names = set(re.findall(r'env\.get\(\s*"([A-Z][A-Z0-9_]+)"', src))
    names |= set(re.findall(r'_(?:int|float)\(env,\s*"([A-Z][A-Z0-9_]+)"', src))
    names |= set(re.findall(r'_bool\(env\.get\("([A-Z][A-Z0-9_]+)"', src))
    templates = re.search(r'for name in \(([^)]*)\):\s*\n\s*value = env\.get\(f"ALIYUN_SMS_TEMPLATE_', src)
    names |= {f"ALIYUN_SMS_TEMPLATE_{n}" for n in re.findall(r'"([A-Z_]+)"', templates.group(1))}
    return names


def test_the_env_template_lists_every_variable():
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (ROOT / "deploy" / "yck.env.example").read_text(), re.M))
    read = _read_by_config()
    assert len(read) > 40
    assert read - listed == set(), "missing from deploy/yck.env.example"
    assert listed - read == set(), "not read by server/config.py"


def test_the_env_template_is_a_production_configuration_but_for_its_placeholders():
    env = {}
    for line in (ROOT / "deploy" / "yck.env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = value
    assert env["ID_ENCRYPTION_KEY"].startswith("CHANGE-ME")
    env["ID_ENCRYPTION_KEY"] = base64.b64encode(os.urandom(32)).decode()  # the one that must be real base64
    cfg = Config.from_env(env)
    assert cfg.is_production and cfg.trusted_proxy and cfg.upload_store == "s3" and not cfg.outbox_relay
    cfg.check()  # the placeholders are not the development secrets: it would start


def test_the_units_start_the_modules_that_exist():
    for unit, module in (("yck-web@.service", "server/__main__.py"), ("yck-worker.service", "server/worker.py")):
        text = (ROOT / "deploy" / "systemd" / unit).read_text()
        assert "NoNewPrivileges=yes" in text and "ProtectSystem=strict" in text and "User=yck" in text
        assert (ROOT / module).exists()
