"""Every event the log holds, defined once: its type, its payload and who is told live.

A feature builds an event with the function named after its type and hands it to
`server.events.log.record` inside its business transaction; `record` refuses any type not in
`TYPES`. The payload is what the PC-side pull serves as it is and the WebSocket sends masked
(`log.masked`); the clients read `type`, `entity` and `entity_id` and re-read over HTTP, the PC
reads `data`. An event's entity is the part of its type before the dot.

Audiences (`audience`) address people and records, never a whole org: `accounts` (the holder it
concerns), `roles` (every account with the role: admins), `org_roles` ((org, role): e.g. the
reviewers of the org at an application's stage, the clerks of a venue), `windows` (the clerks
assigned to those service windows) and `city_window` (the city window's clerks, who see every
window's work). A reviewer and a window clerk of the same district bureau therefore hear only of
their own work.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence

TYPES: dict[str, str] = {
    "account.created": "a venue clerk's account was added",
    "application.submitted": "an application was submitted (or resubmitted after 补正)",
    "application.withdrawn": "the applicant withdrew an application",
    "application.updated": "a review action or the publicity period moved an application",
    "appointment.created": "a holder booked an appointment at a window",
    "appointment.updated": "an appointment changed status or window",
    "appointment.rated": "the holder rated a finished appointment",
    "calendar.changed": "an administrator set a day's kind",
    "card.issued": "a card (main or 副卡) was issued, by approval or by the PC",
    "card.status_changed": "a card was enabled or disabled",
    "card.updated": "a card's level or validity changed",
    "employer.registered": "an employer registered (or registered again)",
    "employer.status_changed": "an employer was approved, rejected or disabled",
    "employer_link.requested": "a holder asked to be linked to an employer",
    "employer_link.updated": "the employer approved or refused a link",
    "followup.opened": "a bad rating opened a 整改",
    "followup.rectified": "the window's org reported its rectification",
    "followup.closed": "the 回访 closed a 整改",
    "holder.upserted": "the PC synced a holder",
    "listing.created": "a listing was published or drafted",
    "listing.updated": "a listing changed",
    "listing.archived": "a listing was taken off the public views",
    "service.created": "an administrator added a service",
    "service.updated": "an administrator changed a service",
    "venue.changed": "a venue was added or changed",
    "visit.recorded": "a venue scan or self check-in was logged, whatever its verdict",
    "window.created": "an administrator added a service window",
    "window.updated": "an administrator changed a service window",
    "window.supervised": "a window with overdue work was sent a supervision",
}


class UnknownEvent(ValueError):
    """A type the catalog does not define: a programming error, never a client's."""


@dataclasses.dataclass(frozen=True, slots=True)
class Event:
    type: str
    entity_id: str
    data: dict
    to: str = ""  # the audience string (`audience`)

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise UnknownEvent(f"event type {self.type!r} is not in server.events.catalog.TYPES")

    @property
    def entity(self) -> str:
        return self.type.split(".", 1)[0]


def audience(*, accounts: Iterable[int] = (), roles: Iterable[str] = (),
             org_roles: Iterable[tuple[int | None, str]] = (), windows: Iterable[int | None] = (),
             city_window: bool = False) -> str:
    """Who is told live about an event (see the module docstring), as whole tokens within 255 characters."""
    toks = ([f"a:{a}" for a in accounts if a] + [f"r:{r}" for r in roles]
            + [f"o:{o}:{r}" for o, r in org_roles if o] + [f"w:{w}" for w in windows if w]
            + (["w:city"] if city_window else []))
    out = ""
    for t in dict.fromkeys(toks):  # whole tokens only: a cut one could address someone else
        if len(out) + len(t) + 1 > 255:
            break
        out = f"{out} {t}" if out else t
    return out


ADMINS = audience(roles=["admin"])


# --------------------------------------------------------------------------- cards

def _card(card: dict, holder_id: int) -> dict:
    """What every card event carries: the card as stored (status not derived from the date)."""
    return {"card_no": card["card_no"], "status": card["status"], "level": card["level"],
            "valid_until": card["valid_until"].isoformat(), "holder_id": str(holder_id)}


def _holder_and_admins(holder_id: int) -> str:
    return audience(accounts=[holder_id], roles=["admin"])


def card_issued(card: dict, *, main: dict | None = None) -> Event:
    """`card` as inserted; a 副卡 also names its main card and the member's relation."""
    data = _card(card, card["holder_id"])
    if main is not None:
        data |= {"main_card_no": main["card_no"], "relation": card["relation"]}
    return Event("card.issued", card["card_no"], data, _holder_and_admins(card["holder_id"]))


def card_status_changed(card: dict, *, holder_id: int, reason: str) -> Event:
    """`card` as written (its new status); `reason` as given ("" when none)."""
    return Event("card.status_changed", card["card_no"], {**_card(card, holder_id), "reason": reason},
                 _holder_and_admins(holder_id))


def card_updated(card: dict, *, holder_id: int) -> Event:
    return Event("card.updated", card["card_no"], _card(card, holder_id), _holder_and_admins(holder_id))


def holder_upserted(*, external_id: str, version: int, name: str, account_id: int) -> Event:
    return Event("holder.upserted", external_id, {"external_id": external_id, "version": version, "name": name},
                 audience(accounts=[account_id]))


# --------------------------------------------------------------------------- applications

def _application(type_: str, app: dict, extra_orgs: Iterable[int | None]) -> Event:
    """Told live: the applicant and the reviewers (and employer staff) of the org at the current
    stage and of the orgs it just left, whose queues changed; not the org's window clerks."""
    return Event(type_, str(app["id"]),
                 {"id": str(app["id"]), "status": app["status"], "acceptance_no": app["acceptance_no"],
                  "stage_index": app["stage_index"], "version": app["version"]},
                 audience(accounts=[app["applicant_id"]],
                          org_roles=[(o, r) for o in (app["current_org_id"], *extra_orgs)
                                     for r in ("reviewer", "employer")]))


def application_submitted(app: dict) -> Event:
    return _application("application.submitted", app, ())


def application_withdrawn(app: dict, *, left_org: int | None) -> Event:
    return _application("application.withdrawn", app, [left_org])


def application_updated(app: dict, *, acting_org: int | None = None) -> Event:
    return _application("application.updated", app, [acting_org] if acting_org else [])


# --------------------------------------------------------------------------- appointments and windows

def _appointment(type_: str, appt: dict, window_ids: Sequence[int]) -> Event:
    """Told live: the holder, the clerks of the window(s) involved (both ends of a forward), the
    city window's clerks (who see every window's work) and admins; not everyone in the org."""
    return Event(type_, str(appt["id"]),
                 {"id": str(appt["id"]), "status": appt["status"], "window_id": str(appt["window_id"]),
                  "version": appt["version"]},
                 audience(accounts=[appt["holder_id"]], windows=window_ids, city_window=True, roles=["admin"]))


def appointment_created(appt: dict) -> Event:
    return _appointment("appointment.created", appt, [appt["window_id"]])


def appointment_updated(appt: dict, *window_ids: int) -> Event:
    """`window_ids`: the windows involved (the old and the new one of a move or forward)."""
    return _appointment("appointment.updated", appt, window_ids)


def appointment_rated(appt: dict) -> Event:
    return _appointment("appointment.rated", appt, [appt["window_id"]])


def window_supervised(window: dict, *, overdue: int, manual: bool) -> Event:
    return Event("window.supervised", str(window["id"]),
                 {"window_id": str(window["id"]), "overdue": overdue, "manual": manual},
                 audience(windows=[window["id"]], city_window=True, roles=["admin"]))


def _followup_staff(org_id: int) -> str:
    return audience(roles=["admin"], org_roles=[(org_id, "window_staff")])


def followup_opened(*, followup_id: int, appointment_id: int, stars: int, window: dict,
                    deadline_at: str) -> Event:
    return Event("followup.opened", str(followup_id),
                 {"id": str(followup_id), "appointment_id": str(appointment_id), "stars": stars,
                  "window_id": str(window["id"]), "deadline_at": deadline_at},
                 _followup_staff(window["org_id"]))


def followup_rectified(followup: dict, *, late: bool) -> Event:
    return Event("followup.rectified", str(followup["id"]), {"id": str(followup["id"]), "late": late},
                 _followup_staff(followup["org_id"]))


def followup_closed(followup: dict, *, satisfied: bool) -> Event:
    return Event("followup.closed", str(followup["id"]), {"id": str(followup["id"]), "satisfied": satisfied},
                 _followup_staff(followup["org_id"]))


# --------------------------------------------------------------------------- on-site

def visit_recorded(*, visit_id: int, place: dict, service_id: int | None, method: str, verdict: str,
                   card_no: str | None, check_code: str | None, holder_id: int | None) -> Event:
    """To the holder and the venue's clerks; the card number goes out masked (`log.masked`)."""
    return Event("visit.recorded", str(visit_id), {
        "visit_id": str(visit_id), "venue_id": str(place["venue_id"]), "venue_name": place["venue_name"],
        "service_id": str(service_id) if service_id else None, "service_name": place["service_name"],
        "method": method, "verdict": verdict, "card_no": card_no, "check_code": check_code,
    }, audience(accounts=[holder_id] if holder_id else [], org_roles=[(place["venue_org_id"], "venue_staff")]))


def venue_created(*, venue_id: int, name: str) -> Event:
    return Event("venue.changed", str(venue_id), {"venue_id": str(venue_id), "name": name, "created": True}, ADMINS)


def venue_updated(*, venue_id: int, org_id: int, fields: list[str]) -> Event:
    return Event("venue.changed", str(venue_id), {"venue_id": str(venue_id), "fields": fields},
                 audience(roles=["admin"], org_roles=[(org_id, "venue_staff")]))


def account_created(*, account_id: int, roles: list[str], venue_id: int) -> Event:
    return Event("account.created", str(account_id),
                 {"account_id": str(account_id), "roles": roles, "venue_id": str(venue_id)}, ADMINS)


# --------------------------------------------------------------------------- employers

def employer_registered(*, org_id: int, name: str, approver_org_id: int) -> Event:
    return Event("employer.registered", str(org_id), {"id": str(org_id), "name": name, "status": "pending"},
                 audience(roles=["admin"], org_roles=[(approver_org_id, "reviewer")]))


def employer_status_changed(*, org_id: int, status: str, staff_ids: list[int], approver_org_id: int | None) -> Event:
    return Event("employer.status_changed", str(org_id), {"id": str(org_id), "status": status},
                 audience(roles=["admin"], accounts=staff_ids, org_roles=[(approver_org_id, "reviewer")]))


def employer_link_requested(*, link_id: int, employer_org_id: int) -> Event:
    return Event("employer_link.requested", str(link_id), {"id": str(link_id), "status": "pending"},
                 audience(org_roles=[(employer_org_id, "employer")]))


def employer_link_updated(*, link_id: int, status: str, holder_id: int, employer_org_id: int) -> Event:
    return Event("employer_link.updated", str(link_id), {"id": str(link_id), "status": status},
                 audience(accounts=[holder_id], org_roles=[(employer_org_id, "employer")]))


# --------------------------------------------------------------------------- administration

def service_created(service: dict, *, by: int) -> Event:
    return Event("service.created", str(service["id"]),
                 {"code": service["code"], "name": service["name"], "by": by}, ADMINS)


def service_updated(service: dict, *, fields: Iterable[str], by: int) -> Event:
    return Event("service.updated", str(service["id"]),
                 {"fields": sorted(fields), "status": service["status"], "by": by}, ADMINS)


def window_created(*, window_id: int, name: str, district: str | None, by: int) -> Event:
    return Event("window.created", str(window_id), {"name": name, "district": district, "by": by}, ADMINS)


def window_updated(*, window_id: int, fields: Iterable[str], status: str, by: int) -> Event:
    return Event("window.updated", str(window_id), {"fields": sorted(fields), "status": status, "by": by}, ADMINS)


def listing_created(listing: dict, *, by: int) -> Event:
    return Event("listing.created", str(listing["id"]),
                 {"kind": listing["kind"], "status": listing["status"], "by": by}, ADMINS)


def listing_updated(listing: dict, *, fields: Iterable[str], by: int) -> Event:
    return Event("listing.updated", str(listing["id"]),
                 {"fields": sorted(fields), "status": listing["status"], "by": by}, ADMINS)


def listing_archived(listing: dict, *, by: int) -> Event:
    return Event("listing.archived", str(listing["id"]), {"kind": listing["kind"], "by": by}, ADMINS)


def calendar_changed(day: dt.date, *, kind: str) -> Event:
    return Event("calendar.changed", day.isoformat(), {"date": day.isoformat(), "kind": kind}, ADMINS)
