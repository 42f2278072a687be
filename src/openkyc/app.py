"""create_app(): lifespan, middleware, routers and error handlers."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from openkyc.api import openapi_document, system
from openkyc.api import sessions as session_endpoints
from openkyc.api.errors import install_error_handlers
from openkyc.api.middleware import EdgeMiddleware
from openkyc.api.openapi import SIGNING_GUIDE
from openkyc.config import Settings
from openkyc.state import AppState, build_state
from openkyc.web.dashboard import ROUTER_MODULES as DASHBOARD_ROUTER_MODULES
from openkyc.web.dashboard.auth import install_error_pages
from openkyc.web.hosted import routes as hosted_routes
from openkyc.worker.consumer import EmbeddedWorker
from openkyc.worker.periodic import run_periodic_jobs

logger = logging.getLogger("openkyc")

UPLOAD_MAX_BYTES = 12 * 1024 * 1024
STATIC_DIR = Path(__file__).resolve().parent / "web" / "static"
# Routers of domains that grow beside the core; each module exposes ``router``.
OPTIONAL_ROUTERS = (
    "openkyc.api.webhooks",
    "openkyc.api.media",
    "openkyc.web.hosted.flow",
    "openkyc.web.hosted.samples",
)


def _optional_routers(names: tuple[str, ...]) -> list[APIRouter]:
    routers = []
    for name in names:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        routers.append(module.router)
    return routers


def create_app(settings: Settings | None = None, *, state: AppState | None = None) -> FastAPI:
    settings = settings or (state.settings if state else Settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app_state = state or build_state(settings)
        app.state.openkyc = app_state
        background: asyncio.Task[None] | None = None
        worker: EmbeddedWorker | None = None
        if settings.run_worker_in_process:
            # Embedded mode: worker threads and the sweep live in this process.
            worker = EmbeddedWorker(
                app_state.queue,
                app_state.settings.worker_threads,
                app_state.settings.shutdown_timeout_s,
            )
            worker.start()
            background = asyncio.create_task(run_periodic_jobs(app_state))
        try:
            yield
        finally:
            if worker is not None:
                await asyncio.to_thread(worker.stop)
            if background is not None:
                background.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await background
            throttle = getattr(app.state, "dashboard_throttle", None)
            if throttle is not None:
                await throttle.close()
            if state is None:
                await app_state.close()

    app = FastAPI(
        title="OpenKYC",
        version="0.1.0",
        description=SIGNING_GUIDE,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    install_error_handlers(app)
    openapi_document.install(app)
    # After the API's handlers: dashboard paths answer errors with HTML pages instead.
    install_error_pages(app)
    app.include_router(session_endpoints.router)
    app.include_router(hosted_routes.router)
    for router in _optional_routers(OPTIONAL_ROUTERS + DASHBOARD_ROUTER_MODULES):
        app.include_router(router)
    app.include_router(system.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(
        EdgeMiddleware, max_body_bytes=settings.max_body_bytes, upload_max_bytes=UPLOAD_MAX_BYTES
    )
    return app
