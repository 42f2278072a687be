"""Lease owner names: which worker, on which host, holds a verification run or a delivery.

A name is ``host:pid:thread``, so that a worker starting on the same host can tell a dead
predecessor's lease from a live one (issue 21, item 9).
"""

from __future__ import annotations

import os
import socket
import threading


def worker_identity() -> str:
    return f"{this_host_owner_prefix()}{os.getpid()}:{threading.get_ident() % 100000}"


def this_host_owner_prefix() -> str:
    """What every lease owner name on this machine starts with."""
    return f"{socket.gethostname()[:40]}:"


def owner_is_dead_here(owner: str) -> bool:
    """True if ``owner`` names a process of this host that no longer exists.

    Only a certainty counts: a pid that exists (even reused by another program), a name from
    another host or one that does not parse is treated as alive and left to its lease.
    """
    prefix = this_host_owner_prefix()
    if not owner.startswith(prefix):
        return False
    pid_text = owner[len(prefix) :].split(":", 1)[0]
    if not pid_text.isascii() or not pid_text.isdigit() or int(pid_text) == os.getpid():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError):
        return False
    return False
