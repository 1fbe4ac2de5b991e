"""The default implementations wired by build_deps speak the ports Deps is typed with."""

from server import ports
from server.db.database import MysqlDatabase, SqliteDatabase
from server.integrations.sms import ConsoleSmsSender
from server.uploads.storage import LocalStore


async def test_the_default_implementations_satisfy_the_ports(deps, tmp_path):
    assert isinstance(deps.db, ports.Database)
    assert isinstance(deps.clock, ports.Clock)
    assert isinstance(deps.sms, ports.SmsSender)
    assert isinstance(deps.wechat, ports.Wechat)
    assert isinstance(deps.upload_links, ports.UploadLinks)
    assert isinstance(deps.upload_store, ports.UploadStore)
    assert isinstance(deps.relay, ports.Relay)
    async with deps.db.transaction() as tx:
        assert isinstance(tx, ports.Transaction)
    async with deps.db.connection() as conn:
        assert isinstance(conn, ports.Transaction)
    # both databases, whichever this run uses, and the stores and senders build_deps may choose
    assert isinstance(MysqlDatabase("mysql+aiomysql://u:p@127.0.0.1:3306/x"), ports.Database)
    assert isinstance(SqliteDatabase("sqlite+aiosqlite:///:memory:"), ports.Database)
    assert isinstance(LocalStore(tmp_path), ports.UploadStore)
    assert isinstance(ConsoleSmsSender(deps.db, deps.clock), ports.SmsSender)


def test_a_fake_missing_a_method_is_not_a_port():
    class HalfStore:
        def put(self, key, data, content_type): ...

    assert not isinstance(HalfStore(), ports.UploadStore)
