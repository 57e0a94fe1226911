"""Need to know: what each party may see of the picture (the single filter every face uses)."""

from airdecon.needtoknow._areas import AreaAlert, area_alert_payloads
from airdecon.needtoknow._cursor import CursorCodec
from airdecon.needtoknow._operations import (
    ANOTHER_PARTY,
    hazard_ack_audience,
    operation_audience,
    operation_view,
    plans_other_party,
)
from airdecon.needtoknow._policy import AUDIENCE_RULES, Disclosure, StateView, quantised, threat_ref
from airdecon.needtoknow._render import ALERT_CAUSES, Names, advisory_text, alert_cause
from airdecon.needtoknow._requests import REQUEST_ASKS, linked_request_payloads

__all__ = [
    "ALERT_CAUSES",
    "ANOTHER_PARTY",
    "AUDIENCE_RULES",
    "REQUEST_ASKS",
    "AreaAlert",
    "CursorCodec",
    "Disclosure",
    "Names",
    "StateView",
    "advisory_text",
    "alert_cause",
    "area_alert_payloads",
    "hazard_ack_audience",
    "linked_request_payloads",
    "operation_audience",
    "operation_view",
    "plans_other_party",
    "quantised",
    "threat_ref",
]
