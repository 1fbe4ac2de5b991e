"""The PC console (h5/dist-console, built by `make h5`) is served by the same process under /console/."""

import pytest

from server.app import ConsoleHandler, H5Handler


@pytest.fixture
def dist(tmp_path, monkeypatch):
    """A small built console beside a small built H5, each naming its own hashed asset."""
    console = tmp_path / "console"
    (console / "assets").mkdir(parents=True)
    (console / "index.html").write_text(
        '<!doctype html><title>管理控制台</title><script type="module" src="/console/assets/index-Zx12Cd34.js"></script>',
        encoding="utf-8",
    )
    (console / "assets" / "index-Zx12Cd34.js").write_text("console.log('控制台')", encoding="utf-8")
    h5 = tmp_path / "h5"
    h5.mkdir()
    (h5 / "index.html").write_text("<!doctype html><title>威海英才卡</title>", encoding="utf-8")
    monkeypatch.setattr(ConsoleHandler, "root", console)
    monkeypatch.setattr(H5Handler, "root", h5)
    return console


async def test_console_index_never_cached_with_page_headers(api, dist):
    r = await api.get("/console/")
    assert r.status == 200, r
    assert r.headers["Content-Type"].startswith("text/html")
    assert "管理控制台" in r.body.decode()
    assert r.headers["Cache-Control"] == "no-cache"
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Frame-Options"] == "DENY"

    r = await api.get("/console")
    assert r.status == 301
    assert r.headers["Location"] == "/console/"


async def test_console_hashed_assets_immutable(api, dist):
    r = await api.get("/console/assets/index-Zx12Cd34.js")
    assert r.status == 200, r
    assert r.headers["Cache-Control"] == "public, max-age=31536000, immutable"


async def test_console_and_h5_are_apart(api, dist):
    # the H5 still serves its own index; the console's assets are not under /h5/
    assert "威海英才卡" in (await api.get("/h5/")).body.decode()
    assert (await api.get("/h5/assets/index-Zx12Cd34.js")).status == 404
    assert (await api.get("/console/../server/config.py")).status in (400, 403, 404)


async def test_unbuilt_console_says_how_to_build(api, tmp_path, monkeypatch):
    monkeypatch.setattr(ConsoleHandler, "root", tmp_path / "nothing")
    r = await api.get("/console/")
    assert r.status == 404
    assert "make h5" in r.body.decode()


def test_the_built_console_satisfies_the_policy():
    """The console's built index.html: module scripts, styles and preloads from /console/ only, nothing
    inline (the page CSP has no 'unsafe-inline' for scripts); the e2e journeys run it under the policy."""
    from pathlib import Path

    from server.app import CONSOLE_DIST
    from tests.web.test_security_headers import _Tags

    index = Path(CONSOLE_DIST, "index.html")
    if not index.exists():
        pytest.skip("h5/dist-console not built (make h5)")
    tags = _Tags()
    tags.feed(index.read_text(encoding="utf-8"))
    assert tags.scripts and all(s["src"].startswith("/console/assets/") for s in tags.scripts), tags.scripts
    assert tags.inline_code == "" and tags.inline_handlers == []
    for link in tags.links:
        if link.get("rel") in ("stylesheet", "modulepreload"):
            assert link["href"].startswith("/console/assets/"), link
