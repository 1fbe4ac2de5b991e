"""Every event is built by its catalog function; the log refuses any other."""

import datetime as dt
import pathlib
import re
import types

import pytest

from server.events import catalog, log

SERVER = pathlib.Path(__file__).resolve().parents[2] / "server"


def test_an_unknown_type_is_refused():
    with pytest.raises(catalog.UnknownEvent):
        catalog.Event("card.lost", "WH1", {})


async def test_record_takes_only_catalog_events(deps):
    fake = types.SimpleNamespace(type="card.lost", entity="card", entity_id="WH1", data={}, to="")
    async with deps.db.transaction() as tx:
        with pytest.raises(catalog.UnknownEvent):
            await log.record(tx, fake, now=deps.clock())


def test_every_type_has_its_builder_and_every_builder_its_type():
    source = (SERVER / "events" / "catalog.py").read_text()
    built = set(re.findall(r'(?:Event|_application|_appointment)\("([a-z_]+\.[a-z_]+)"', source))
    assert built == set(catalog.TYPES)


def test_features_record_only_catalog_events():
    """No feature writes a type string or a payload of its own: `events.record(tx, event.<type>(...))`."""
    for path in SERVER.rglob("*.py"):
        if path.parent.name == "events":
            continue
        text = path.read_text()
        for m in re.finditer(r"events\.record\(", text):
            assert re.match(r"events\.record\(tx, event\.[a-z_]+\(", text[m.start():]), (path, text[m.start():m.start() + 80])


def test_card_events_share_one_card_payload():
    card = {"card_no": "WH1", "status": "active", "level": "A", "valid_until": dt.date(2029, 1, 1), "holder_id": 7,
            "relation": None}
    base = {"card_no", "status", "level", "valid_until", "holder_id"}
    assert catalog.card_issued(card).data.keys() == base
    assert catalog.card_updated(card, holder_id=7).data.keys() == base
    changed = catalog.card_status_changed(card, holder_id=7, reason="")
    assert changed.data.keys() == base | {"reason"} and changed.entity == "card" and changed.entity_id == "WH1"
    assert changed.to == catalog.audience(accounts=[7], roles=["admin"])
