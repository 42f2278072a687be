"""Kept for app.py, which includes this router first: the hosted flow itself, ``/verify/{id}``
and its actions, lives in :mod:`openkyc.web.hosted.flow`."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
