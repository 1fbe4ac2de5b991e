"""Migration 0004 gives every stored upload a random public id and rewrites the file references
kept in application forms and appointment attachments, so existing drafts keep working."""

from __future__ import annotations

import json
import re

import sqlalchemy as sa

from server.db.migrate import upgrade

NOW = "2026-11-20 08:00:00"


def test_existing_references_follow_the_new_ids(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url, "0003")
    engine = sa.create_engine(url)
    with engine.begin() as c:
        c.execute(sa.text("INSERT INTO accounts (id, name, roles, failed_logins, status, version, created_at, updated_at)"
                          " VALUES (1, '李四', 'holder', 0, 'active', 1, :n, :n)"), {"n": NOW})
        for i in (7, 8):
            c.execute(sa.text("INSERT INTO uploads (id, owner_id, kind, content_type, storage_key, size, sha256, created_at)"
                              " VALUES (:i, 1, 'material', 'image/png', :k, 1, 'x', :n)"), {"i": i, "k": f"k{i}", "n": NOW})
        form = {"materials": [{"kind": "id_card", "file_id": "7"}, {"kind": "degree", "file_id": "99"}],
                "photo_file_id": "8"}
        c.execute(sa.text("INSERT INTO applications (id, applicant_id, type, status, form, reviewed, version, created_at,"
                          " updated_at) VALUES (1, 1, 'new', 'draft', :f, 0, 1, :n, :n)"), {"f": json.dumps(form), "n": NOW})
        c.execute(sa.text("INSERT INTO appointments (id, holder_id, service_id, window_id, district, holder_name, status,"
                          " content, attachments, version, created_at, updated_at) VALUES (1, 1, 1, 1, '文登区', '李四',"
                          " 'submitted', 'x', :a, 1, :n, :n)"), {"a": json.dumps(["8", "7"]), "n": NOW})
    engine.dispose()
    upgrade(url, "0004")
    engine = sa.create_engine(url)
    with engine.connect() as c:
        ids = dict(c.execute(sa.text("SELECT id, public_id FROM uploads")).all())
        form = json.loads(c.execute(sa.text("SELECT form FROM applications")).scalar())
        attachments = json.loads(c.execute(sa.text("SELECT attachments FROM appointments")).scalar())
    engine.dispose()
    assert all(re.fullmatch(r"[0-9a-f]{32}", p) for p in ids.values()) and len(set(ids.values())) == 2
    assert form["materials"] == [{"kind": "id_card", "file_id": ids[7]}]  # a dangling reference is dropped
    assert form["photo_file_id"] == ids[8]
    assert attachments == [ids[8], ids[7]]
