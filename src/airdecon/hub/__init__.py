"""The hub: the multi-party server (HTTP + WebSocket) with need-to-know, distress and the line."""

from airdecon.hub._app import create_app
from airdecon.hub._bootstrap import (
    DEMO_PARTIES,
    build_hub,
    demo_protocol,
    load_hub_key,
    load_protocol,
    open_hub_store,
)
from airdecon.hub._picture import Picture
from airdecon.hub._reports import Report, parse_batch, parse_report
from airdecon.hub._service import Hub
from airdecon.hub._settings import HubSettings

__all__ = [
    "DEMO_PARTIES",
    "Hub",
    "HubSettings",
    "Picture",
    "Report",
    "build_hub",
    "create_app",
    "demo_protocol",
    "load_hub_key",
    "load_protocol",
    "open_hub_store",
    "parse_batch",
    "parse_report",
]
