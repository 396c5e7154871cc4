"""The baseline of bench/reference.py: one Starlette JSON endpoint under uvicorn, nothing else."""

from __future__ import annotations

import sys

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


async def item(request: Request) -> JSONResponse:
    return JSONResponse({"id": int(request.path_params["item_id"]), "name": "bare"})


async def create(request: Request) -> JSONResponse:
    body = await request.json()
    return JSONResponse({"id": 1, **body}, status_code=201)


app = Starlette(
    routes=[
        Route("/items/{item_id:int}", item, methods=["GET"]),
        Route("/items", create, methods=["POST"]),
    ]
)

if __name__ == "__main__":
    port = int(sys.argv[1])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
