"""The back office at ``/dashboard``: server-rendered pages for compliance operators.

Each page module exposes ``router`` (full paths under ``/dashboard/...``) and is listed in
``ROUTER_MODULES``; ``app.py`` includes every one that exists, with its optional routers. The contract every page uses
(who is signed in, roles, CSRF, rendering) is in :mod:`openkyc.web.dashboard.auth`.
"""

from __future__ import annotations

# Modules built beside this one (queue, cases, ...) are included once they exist, so each
# can land on its own.
ROUTER_MODULES = (
    "openkyc.web.dashboard.login",
    "openkyc.web.dashboard.account",
    "openkyc.web.dashboard.operators",
    "openkyc.web.dashboard.audit",
    "openkyc.web.dashboard.queue",
    "openkyc.web.dashboard.cases",
    "openkyc.web.dashboard.sessions",
    "openkyc.web.dashboard.overview",
    "openkyc.web.dashboard.merchants",
)
