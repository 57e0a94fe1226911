"""Need to know for a line ``request`` linked to a notice: what its sender and its recipient see.

A notice id is derived from what its own reader knows (itself, its operation, the other party:
:func:`~airdecon.operations.notice_id`), and operation ids are often guessable: shown to the other
party, a sender's notice id would let it try ids until one matched. So a linked request is
recorded as **two** copies of one message (one ``message_id``), each for one reader:

* **the sender's copy** (its own act, recorded under its name): the message as sent, its
  ``fields.notice_id`` and ``fields.operation`` — both its own;
* **the recipient's copy** (recorded by the hub, ``from`` the sender): the same text, ``ask`` and
  ``in_reply_to``, and in ``fields.notices`` the recipient's **own** open notices that arise from
  the same conflict (those of its operations that come within the minima of the sender's
  operation, each ``{"notice_id", "operation"}``) — never the sender's notice id, operation id,
  or anything else of the sender's plan. It learns that one operation of the sender concerns
  those notices of its own, which the notices themselves already told it but for that grouping.

Both copies are in the record, each visible to its one reader only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["REQUEST_ASKS", "linked_request_payloads"]

#: What a request about a notice may ask of the other party (``fields.ask``, optional).
REQUEST_ASKS = ("amend", "hold", "confirm-timing")


def linked_request_payloads(
    message: Mapping[str, Any],
    *,
    own_notice: str,
    own_operation: str,
    recipient_notices: Sequence[Mapping[str, str]],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The sender's and the recipient's copies of a request about notice *own_notice* (see the
    module); *message* is the message as the hub built it from the sender's body (``fields``
    holding ``notice_id`` and perhaps ``ask``)."""
    fields = message.get("fields") or {}
    ask = {"ask": fields["ask"]} if "ask" in fields else {}
    sender = {**message, "fields": {"notice_id": own_notice, "operation": own_operation, **ask}}
    notices = sorted(({"notice_id": str(n["notice_id"]), "operation": str(n["operation"])}
                      for n in recipient_notices), key=lambda n: n["notice_id"])  # fmt: skip
    recipient = {**message, "fields": {"notices": notices, **ask}}
    return sender, recipient
