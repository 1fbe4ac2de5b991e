"""Imports point one way (README "Architecture"): the web layer on top, then the features, then the base.

- Nothing outside the web layer imports `server.web`: the web layer is `server/web/`, the features'
  `*handlers.py`, `server/app.py` and `server/__main__.py`, plus `ALLOWED_WEB` below.
- `server/core/` imports nothing of the server but itself and `server.errors`.
- `server/integrations/` imports no feature: only the base (`core`, `db`, `config`, `errors`) and
  other integrations.

Every import in a module counts, also those inside functions (the lazy ones).
"""

from __future__ import annotations

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]
SERVER = ROOT / "server"

# modules outside the web layer that may still import it, and why
ALLOWED_WEB = {
    # the WebSocket side of live push: it writes wire frames with the API's JSON encoder and re-checks
    # each socket's session exactly as every HTTP request is authenticated (`load_principal`)
    "server/realtime/hub.py",
}

BASE_FOR_INTEGRATIONS = ("server.core", "server.db", "server.config", "server.errors", "server.ports", "server.integrations")


def _imports(path: pathlib.Path) -> list[tuple[int, str]]:
    """(line, module) for every import; `from server import web` counts as `server.web`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
    return found


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _offending(rel: str, path: pathlib.Path, bad) -> list[str]:
    """One line per offending import statement (`from a.b import c` yields both a.b and a.b.c)."""
    lines: dict[int, str] = {}
    for line, mod in _imports(path):
        if bad(mod):
            lines.setdefault(line, f"{rel}:{line}: {mod}")
    return list(lines.values())


def _modules():
    for path in sorted(SERVER.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if "/migrations/" not in rel:
            yield rel, path


def _is_web_layer(rel: str) -> bool:
    return (rel.startswith("server/web/") or rel.endswith("handlers.py")
            or rel in ("server/app.py", "server/__main__.py") or rel in ALLOWED_WEB)


def test_only_the_web_layer_imports_server_web():
    offenders = [o for rel, path in _modules() if not _is_web_layer(rel)
                 for o in _offending(rel, path, lambda mod: _within(mod, "server.web"))]
    assert offenders == [], "move what both layers need to server/core/:\n" + "\n".join(offenders)


def test_core_imports_only_itself_and_errors():
    def bad(mod: str) -> bool:
        return _within(mod, "server") and mod != "server" and not any(
            _within(mod, ok) for ok in ("server.core", "server.errors"))

    offenders = [o for rel, path in _modules() if rel.startswith("server/core/") for o in _offending(rel, path, bad)]
    assert offenders == [], "\n".join(offenders)


def test_integrations_import_no_feature():
    def bad(mod: str) -> bool:
        return _within(mod, "server") and mod != "server" and not any(
            _within(mod, ok) for ok in BASE_FOR_INTEGRATIONS)

    offenders = [o for rel, path in _modules() if rel.startswith("server/integrations/")
                 for o in _offending(rel, path, bad)]
    assert offenders == [], "\n".join(offenders)


def test_the_allow_list_names_modules_that_exist():
    assert all((ROOT / rel).is_file() for rel in ALLOWED_WEB)


def test_the_import_reader_sees_every_form(tmp_path):
    src = tmp_path / "m.py"
    src.write_text("import server.web.base\nfrom server import web\n"
                   "def f():\n    from server.web.jsonutil import dumps\n")
    mods = {m for _, m in _imports(src)}
    assert {"server.web.base", "server.web", "server.web.jsonutil"} <= mods
