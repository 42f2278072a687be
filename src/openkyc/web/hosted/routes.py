"""Included first by app.py: the review step's thumbnails (:mod:`openkyc.web.hosted.captures`);
the hosted flow itself, ``/verify/{id}`` and its actions, lives in
:mod:`openkyc.web.hosted.flow`."""

from __future__ import annotations

from fastapi import APIRouter

from openkyc.web.hosted import brand, captures

router = APIRouter(include_in_schema=False)
router.include_router(captures.router)
router.include_router(brand.router)
