"""The caller's own answers, composed in one place from the features' pieces, in this order:

- `GET /me`: the account (accounts), then by role the card of a holder (cards), the venue of a
  venue clerk (onsite) and the windows of a window clerk (appointments);
- `GET /me/card`: the card with its dependents (cards), then this year's on-site quotas (onsite).

Each piece is a plain service function; nothing registers itself at import time.
"""

from __future__ import annotations

from server import errors
from server.accounts import service as accounts
from server.appointments import service as appointments
from server.cards import service as cards
from server.core.timeutil import today_cst
from server.onsite import service as onsite


async def me(deps, account_id: int) -> dict:
    db = deps.db
    account = await accounts.get_account(db, account_id)
    out = await accounts.own_view(db, account)
    roles = account["roles"].split(",")
    if "holder" in roles:
        card = await cards.holder_card(db, account["id"])
        out["card"] = cards.card_summary(card, today_cst(deps.clock())) if card else None
    if "venue_staff" in roles:
        venue = await onsite.staff_venue(db, account["org_id"])
        out["venue_id"] = str(venue["id"]) if venue else None
    if "window_staff" in roles:
        scope = await appointments.scope_of(db, account["id"], roles)
        out["window_ids"] = [str(w) for w in sorted(scope.window_ids)]
        out["sees_all_windows"] = scope.all
    return out


async def my_card(deps, holder_id: int) -> dict:
    """The holder's card, read live (NoCard when there is none)."""
    now = deps.clock()
    card, dependents = await cards.holder_cards(deps.db, holder_id)
    if card is None:
        raise errors.NoCard()
    out = cards.my_card_view(card, dependents, today_cst(now), deps.upload_links)
    out["quotas"] = await onsite.card_quotas(deps.db, card, now)
    return out
