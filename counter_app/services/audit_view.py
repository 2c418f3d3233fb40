"""The audit log as signed-in people see it: searching it is a supervisor's or an admin's right.

Apart from `services.audit`, which every service (`services.auth` included) calls to record
what happened: the role check needs `services.auth`, and auth records its own events in the
audit log, so the check lives here and neither module imports the other in a circle.
"""

from __future__ import annotations

from typing import Any

from counter_app.services import audit, auth
from counter_app.services.audit import AuditEntry


def search_as(user: auth.SignedInUser, **filters: Any) -> list[AuditEntry]:
    """`audit.search` for a signed-in user: supervisors and admins only (`Action.VIEW_AUDIT`)."""
    auth.require(user, auth.Action.VIEW_AUDIT)
    return audit.search(**filters)
