"""The composition root's product: everything a handler or job needs, created in `main()` (or a
test) and passed to `make_app`. Nothing here is opened at import time.

Each outside-world field is typed with its port (`server.ports`); `build_deps` wires the default
implementations, tests pass fakes that speak the same methods.

What a service takes (one convention): a function that opens its own transaction or needs more than
the database (the clock, SMS, WeChat, upload links or store) takes `deps` first; a function that only
reads, or works inside a caller's transaction, takes `db` (or `tx`) and plain values (`now`, ids,
dates, `links` when it signs URLs). Handlers parse the path and body before they call: services take
ints, dates and validated models, never raw path strings, and name files only through
`deps.upload_links`, never by spelling a URL."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from concurrent.futures import ThreadPoolExecutor

from server.config import Config
from server.core.privacy import IdCipher
from server.core.timeutil import utcnow
from server.ports import Clock, Database, Relay, SmsSender, UploadLinks, UploadStore, Wechat


@dataclasses.dataclass
class Deps:
    config: Config
    db: Database
    clock: Clock
    cipher: IdCipher
    executor: ThreadPoolExecutor
    sms: SmsSender
    relay: Relay | None = None  # server.jobs.outbox.OutboxRelay
    wechat: Wechat | None = None  # server.integrations.wechat.WechatGateway
    upload_links: UploadLinks | None = None  # server.uploads.links.UploadLinks: signs the upload URLs every answer carries
    decode_slots: asyncio.Semaphore | None = None  # image decodes at once in this process
    upload_store: UploadStore | None = None  # server.uploads.storage: where uploaded bytes live (blocking calls)


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
