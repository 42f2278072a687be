"""The baseline: a bare FastAPI endpoint returning constant JSON, served the same way."""

from fastapi import FastAPI
from fastapi.responses import JSONResponse

app = FastAPI()
_BODY = {"success": True, "session": {"id": "00000000-0000-4000-8000-000000000000"}}


@app.post("/api/v2/kyc/sessions")
async def constant() -> JSONResponse:
    return JSONResponse(_BODY, status_code=201)
