"""How long an Idempotency-Key answers retries (the web layer) and is kept (the housekeeping job)."""

from __future__ import annotations

import datetime as dt

# an Idempotency-Key answers retries for this long; a key reused later is a new request
# (the housekeeping job deletes older keys: server/jobs/housekeeping.py)
IDEMPOTENCY_TTL = dt.timedelta(hours=24)
