"""The H5 (h5/dist, built by `make h5`) is served by the same process under /h5/."""

import pytest

from server.app import H5Handler


@pytest.fixture
def dist(tmp_path, monkeypatch):
    """A small built H5: index.html naming one content-hashed asset."""
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(
        '<!doctype html><title>威海英才卡</title><script type="module" src="/h5/assets/index-Ab12Cd34.js"></script>',
        encoding="utf-8",
    )
    (tmp_path / "assets" / "index-Ab12Cd34.js").write_text("console.log('英才卡')", encoding="utf-8")
    monkeypatch.setattr(H5Handler, "root", tmp_path)
    return tmp_path


async def test_index_for_h5_root_and_never_cached(api, dist):
    r = await api.get("/h5/")
    assert r.status == 200, r
    assert r.headers["Content-Type"].startswith("text/html")
    assert "威海英才卡" in r.body.decode()
    assert r.headers["Cache-Control"] == "no-cache"  # it names the current assets: always revalidate
    assert "Expires" not in r.headers

    r = await api.get("/h5")
    assert r.status == 301
    assert r.headers["Location"] == "/h5/"


async def test_hashed_assets_cached_for_a_year(api, dist):
    r = await api.get("/h5/assets/index-Ab12Cd34.js")
    assert r.status == 200, r
    assert "javascript" in r.headers["Content-Type"]
    assert r.headers["Cache-Control"] == "public, max-age=31536000, immutable"


async def test_missing_files_and_escapes_are_404(api, dist):
    assert (await api.get("/h5/assets/nope-Zz99Yy88.js")).status == 404
    assert (await api.get("/h5/../server/config.py")).status in (400, 403, 404)
    assert (await api.get("/h5/%2e%2e/%2e%2e/server/config.py")).status in (400, 403, 404)


async def test_the_api_is_untouched(api, dist):
    r = await api.get("/healthz")
    assert r.status == 200
    assert r.json["status"] == "ok"
