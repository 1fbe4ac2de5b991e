"""The composition root's product: everything a handler or job needs, created in `main()` (or a
test) and passed to `make_app`. Nothing here is opened at import time."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from server.config import Config
from server.core.privacy import IdCipher
from server.core.timeutil import utcnow


@dataclasses.dataclass
class Deps:
    config: Config
    db: Any
    clock: Callable[[], dt.datetime]
    cipher: IdCipher
    executor: ThreadPoolExecutor
    sms: Any  # SmsSender
    relay: Any = None  # OutboxRelay
    wechat: Any = None  # WechatGateway
    upload_links: Any = None  # server.uploads.links.UploadLinks: signs the upload URLs every answer carries
    decode_slots: Any = None  # asyncio.Semaphore: image decodes at once in this process
    upload_store: Any = None  # server.uploads.storage.UploadStore: where uploaded bytes live (blocking calls)


def build_deps(config: Config, db, *, clock=utcnow, sms=None, wechat=None, executor=None) -> Deps:
    """Wire the default implementations for a configuration; tests pass their own pieces."""
    from server.integrations.sms import ConsoleSmsSender
    from server.jobs.outbox import OutboxRelay

    executor = executor or ThreadPoolExecutor(max_workers=8, thread_name_prefix="blocking")
    if sms is None:
        if config.sms_provider == "aliyun":
            from server.integrations.aliyun_sms import AliyunSmsSender

            sms = AliyunSmsSender.from_config(config, executor)
        else:
            sms = ConsoleSmsSender(db, clock)
    if wechat is None:
        from server.integrations.wechat import WechatGateway

        wechat = WechatGateway.from_config(config, executor)
    deps = Deps(config=config, db=db, clock=clock, cipher=IdCipher(config.id_encryption_key, config.id_hash_key),
                executor=executor, sms=sms, wechat=wechat)
    from server.integrations.wechat_subscribe import WechatSubscribeSender
    from server.uploads.links import UploadLinks
    from server.uploads.storage import open_store

    deps.upload_links = UploadLinks(config.upload_url_key, clock)
    deps.upload_store = open_store(config)
    deps.decode_slots = asyncio.Semaphore(config.upload_decode_concurrency)

    senders = {"sms": sms, "wechat_subscribe": WechatSubscribeSender(wechat, config.wechat_subscribe_template_id)}
    deps.relay = OutboxRelay(db, senders, clock, poll_seconds=config.outbox_poll_seconds,
                             lease=dt.timedelta(seconds=config.outbox_lease_seconds))
    return deps
