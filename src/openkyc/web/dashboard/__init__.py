"""The back office at ``/dashboard``: server-rendered pages for compliance operators.

Each page module exposes ``router`` (full paths under ``/dashboard/...``) and is listed in
``ROUTER_MODULES``; ``app.py`` includes every one that exists. The contract every page uses
(who is signed in, roles, CSRF, rendering) is in :mod:`openkyc.web.dashboard.auth`.
"""

from __future__ import annotations

import importlib

from fastapi import APIRouter

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


def _routers() -> list[APIRouter]:
    routers = []
    for name in ROUTER_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        routers.append(module.router)
    return routers


ROUTERS = _routers()
