"""Console routes: liveness, and the web console (its page here, its files under ``/static``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from airdecon import __version__
from airdecon.web import static_dir

__all__ = ["mount_static", "router"]

router = APIRouter()


@router.get("/v1/health", tags=["meta"])
async def health() -> dict[str, Any]:
    """Liveness (no credentials needed; says nothing about any party)."""
    return {"ok": True, "version": __version__}


@router.get("/", include_in_schema=False)
async def root() -> FileResponse:
    """The web console (each party's officer signs in with the party's token)."""
    return FileResponse(static_dir() / "index.html", headers={"Cache-Control": "no-cache"})


def mount_static(app: FastAPI) -> None:
    """Serve the console's files under ``/static``."""
    app.mount("/static", StaticFiles(directory=static_dir()), name="static")
