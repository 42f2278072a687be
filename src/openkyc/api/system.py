"""Operational endpoints: health, readiness, metrics, and the self-hosted API docs page."""

from __future__ import annotations

import html

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from openkyc.api.dependencies import get_state
from openkyc.api.openapi import SIGNING_GUIDE
from openkyc.observability.readiness import readiness
from openkyc.state import AppState

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(state: AppState = Depends(get_state)) -> JSONResponse:
    """The database, the queue and the media storage, each reported on its own: a load
    balancer needs only the status code, an operator sees which one is down."""
    checks = await readiness(state)
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not_ready", "checks": checks},
        status_code=200 if ready else 503,
    )


@router.get("/metrics")
async def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


@router.get("/docs")
async def docs(request: Request) -> HTMLResponse:
    """Served by us, with no CDN: the signing guide and every operation of the OpenAPI spec."""
    spec = request.app.openapi()
    rows = []
    for path, operations in spec.get("paths", {}).items():
        for method, operation in operations.items():
            summary = operation.get("summary", "")
            description = operation.get("description", "")
            rows.append(
                f"<tr><td><code>{html.escape(method.upper())}</code></td>"
                f"<td><code>{html.escape(path)}</code></td>"
                f"<td>{html.escape(summary)}<br><small>{html.escape(description)}</small></td></tr>"
            )
    guide = html.escape(SIGNING_GUIDE)
    body = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>OpenKYC API</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}}
td{{padding:.3rem .6rem;vertical-align:top;border-bottom:1px solid #ddd}}pre{{white-space:pre-wrap;background:#f5f5f5;padding:1rem}}</style>
</head><body><h1>OpenKYC API (Love&amp;Pay KYC v2 compatible)</h1>
<p>Machine-readable description: <a href="/openapi.json">/openapi.json</a></p>
<h2>Signing requests</h2><pre>{guide}</pre>
<h2>Operations</h2><table>{"".join(rows)}</table>
</body></html>"""
    return HTMLResponse(body)
