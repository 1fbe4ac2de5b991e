"""The appointment state table, directly (server/appointments/service.py): every (state, action) pair
has a decision here, and each is tried against the service on both databases. A new state (STATUS_ZH)
or a new action (ACTION_ZH) without a row in DECISIONS fails `test_every_pair_has_a_decision`."""

import itertools

import pytest
import sqlalchemy as sa

from server import errors
from server.appointments import service as appts
from server.core.principal import Principal
from server.db.tables import accounts, appointment_history, appointments, ratings, services, windows

STATES = tuple(appts.STATUS_ZH)
# `submit` makes an appointment (booking); every other action moves an existing one
ACTIONS = tuple(a for a in appts.ACTION_ZH if a != "submit")
STAFF = set(appts.STAFF_ACTIONS)
REFUSED = errors.InvalidTransition  # 409 INVALID_TRANSITION, with the appointment as it is

# (state, action) → the state it leads to, or REFUSED
DECISIONS = {
    ("submitted", "accept"): "accepted",
    ("submitted", "prereview"): REFUSED,
    ("submitted", "complete"): REFUSED,
    ("submitted", "forward"): "submitted",
    ("submitted", "return"): "returned",
    ("submitted", "resubmit"): REFUSED,
    ("submitted", "cancel"): "cancelled",
    ("submitted", "rate"): REFUSED,

    ("accepted", "accept"): REFUSED,
    ("accepted", "prereview"): "prereviewed",
    ("accepted", "complete"): REFUSED,
    ("accepted", "forward"): "submitted",
    ("accepted", "return"): "returned",
    ("accepted", "resubmit"): REFUSED,
    ("accepted", "cancel"): REFUSED,  # accepted: only the window can stop it now
    ("accepted", "rate"): REFUSED,

    ("prereviewed", "accept"): REFUSED,
    ("prereviewed", "prereview"): REFUSED,
    ("prereviewed", "complete"): "completed",
    ("prereviewed", "forward"): REFUSED,
    ("prereviewed", "return"): REFUSED,
    ("prereviewed", "resubmit"): REFUSED,
    ("prereviewed", "cancel"): REFUSED,
    ("prereviewed", "rate"): REFUSED,

    ("completed", "accept"): REFUSED,
    ("completed", "prereview"): REFUSED,
    ("completed", "complete"): REFUSED,
    ("completed", "forward"): REFUSED,
    ("completed", "return"): REFUSED,
    ("completed", "resubmit"): REFUSED,
    ("completed", "cancel"): REFUSED,
    ("completed", "rate"): "completed",  # a rating is added; the state stays

    ("returned", "accept"): REFUSED,
    ("returned", "prereview"): REFUSED,
    ("returned", "complete"): REFUSED,
    ("returned", "forward"): REFUSED,
    ("returned", "return"): REFUSED,
    ("returned", "resubmit"): "submitted",
    ("returned", "cancel"): "cancelled",
    ("returned", "rate"): REFUSED,

    ("cancelled", "accept"): REFUSED,
    ("cancelled", "prereview"): REFUSED,
    ("cancelled", "complete"): REFUSED,
    ("cancelled", "forward"): REFUSED,
    ("cancelled", "return"): REFUSED,
    ("cancelled", "resubmit"): REFUSED,
    ("cancelled", "cancel"): REFUSED,
    ("cancelled", "rate"): REFUSED,
}
PAIRS = list(itertools.product(STATES, ACTIONS))


def test_every_pair_has_a_decision():
    assert set(DECISIONS) == set(PAIRS), {
        "pairs without a decision": sorted(set(PAIRS) - set(DECISIONS)),
        "decisions for no pair": sorted(set(DECISIONS) - set(PAIRS))}
    assert len(STATES) == 6 and len(ACTIONS) == 8


def test_the_clerks_table_says_what_the_decisions_say():
    """STAFF_ACTIONS is the data the service checks; it must agree with the decisions."""
    assert STAFF <= set(ACTIONS)
    for action, (allowed_from, to_status) in appts.STAFF_ACTIONS.items():
        assert {s for s in STATES if DECISIONS[s, action] is not REFUSED} == set(allowed_from), action
        assert {DECISIONS[s, action] for s in allowed_from} == {to_status}, action


def test_only_the_running_states_have_a_deadline():
    assert set(appts.ACTIVE) == {"submitted", "accepted", "prereviewed"}
    assert set(appts.DEFAULT_LIMITS) == set(appts.ACTIVE)


# --------------------------------------------------------------------------- against the service

async def _principal(deps, username=None, phone=None, roles=()) -> Principal:
    row = await deps.db.fetchone(sa.select(accounts).where(
        accounts.c.username == username if username else accounts.c.phone == phone))
    return Principal(id=row["id"], name=row["name"], roles=frozenset(roles), org_id=row["org_id"])


async def _setup(deps):
    svc = await deps.db.fetchval(sa.select(services.c.id).where(services.c.code == "talent_housing"))
    wins = {r["district"] if not r["is_city"] else "city": r["id"]
            for r in await deps.db.fetchall(sa.select(windows.c.id, windows.c.district, windows.c.is_city))}
    holder = await _principal(deps, phone="13800000001", roles=("holder",))
    clerk = await _principal(deps, username="wendeng_window", roles=("window_staff",))
    return svc, wins["文登区"], wins["city"], holder, clerk


async def _in_state(deps, holder, svc, window, state) -> dict:
    """A fresh appointment, put straight into `state` as the service would have left it."""
    booked = await appts.book(deps, holder, service_id=svc, window_id=window, content="状态表测试",
                              preferred_date=None, attachments=[])
    appt_id = int(booked["id"])
    if state != "submitted":
        running = state in appts.ACTIVE
        await deps.db.execute(appointments.update().where(appointments.c.id == appt_id).values(
            status=state, deadline_at=appointments.c.deadline_at if running else None,
            completed_at=deps.clock() if state == "completed" else None))
    return await deps.db.fetchone(sa.select(appointments).where(appointments.c.id == appt_id))


async def _act(deps, holder, clerk, city, row, action):
    if action in STAFF:
        return await appts.staff_action(deps, clerk, row["id"], action=action, opinion="状态表",
                                        to_window_id=city if action == "forward" else None, version=row["version"])
    if action == "cancel":
        return await appts.cancel(deps, holder, row["id"], row["version"])
    if action == "resubmit":
        return await appts.resubmit(deps, holder, row["id"], content=None, window_id=None, version=row["version"])
    if action == "rate":
        return await appts.rate(deps, holder, row["id"], 5, "很好")
    raise AssertionError(f"the test does not know how to {action}")


async def _history_count(deps, appt_id) -> int:
    return await deps.db.fetchval(sa.select(sa.func.count()).select_from(appointment_history)
                                  .where(appointment_history.c.appointment_id == appt_id))


async def test_every_state_and_action_pair_is_decided_by_the_service(deps):
    svc, wendeng, city, holder, clerk = await _setup(deps)
    wrong = []
    for state, action in PAIRS:
        expected = DECISIONS[state, action]
        row = await _in_state(deps, holder, svc, wendeng, state)
        before = await _history_count(deps, row["id"])
        try:
            await _act(deps, holder, clerk, city, row, action)
            outcome = "done"
        except errors.DomainError as exc:
            outcome = exc
        after = await deps.db.fetchone(sa.select(appointments).where(appointments.c.id == row["id"]))
        where = f"{state} + {action}"
        if expected is REFUSED:
            if type(outcome) is not REFUSED:
                wrong.append(f"{where}: expected {REFUSED.__name__}, got {outcome!r}")
                continue
            if outcome.status != 409 or outcome.code != "INVALID_TRANSITION" or not outcome.message:
                wrong.append(f"{where}: refused as {outcome.status} {outcome.code} {outcome.message!r}")
            if (after["status"], after["version"]) != (state, row["version"]):
                wrong.append(f"{where}: a refusal changed the row to {after['status']} v{after['version']}")
            if await _history_count(deps, row["id"]) != before:
                wrong.append(f"{where}: a refusal wrote history")
            continue
        if outcome != "done":
            wrong.append(f"{where}: expected → {expected}, refused with {outcome!r}")
            continue
        if after["status"] != expected:
            wrong.append(f"{where}: expected → {expected}, got {after['status']}")
        if await _history_count(deps, row["id"]) != before + 1:
            wrong.append(f"{where}: no history entry")
        if action == "rate":
            assert await deps.db.fetchval(sa.select(sa.func.count()).select_from(ratings)
                                          .where(ratings.c.appointment_id == row["id"])) == 1
        elif after["version"] != row["version"] + 1:
            wrong.append(f"{where}: version {row['version']} → {after['version']}")
        if (after["deadline_at"] is not None) != (after["status"] in appts.ACTIVE):
            wrong.append(f"{where}: deadline {after['deadline_at']} in state {after['status']}")
        if (after["completed_at"] is not None) != (after["status"] == "completed"):
            wrong.append(f"{where}: completed_at {after['completed_at']} in state {after['status']}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("action", sorted(STAFF))
async def test_a_stale_version_is_a_conflict_before_any_state_rule(deps, action):
    """The version is checked first: a clerk acting on what they saw gets 409 VERSION_CONFLICT with
    the appointment as it is now, whatever the state."""
    svc, wendeng, city, holder, clerk = await _setup(deps)
    row = await _in_state(deps, holder, svc, wendeng, "submitted")
    with pytest.raises(errors.VersionConflict) as got:
        await appts.staff_action(deps, clerk, row["id"], action=action, opinion="过时", version=row["version"] - 1,
                                 to_window_id=city if action == "forward" else None)
    assert got.value.details["current"]["status"] == "submitted"
