"""The line: duty officers' messages between parties, with delivery and read receipts.

:class:`Line` records a message to one party or to all before acknowledging it, sends its sender
one delivery receipt per recipient once it reached them (by socket or by poll), and a read receipt
when a recipient marks it read — to the sender and the reader only: of a message to all, a third
party never learns who read it.

A ``request`` whose ``fields`` hold a ``notice_id`` answers one of the sender's notices of plan
against plan (:mod:`airdecon.hub._operations`): the hub checks the notice is the sender's own,
open and against the recipient, and records two copies of the message — the sender's (its own
notice) and the recipient's, linked to the recipient's own notices from the same conflict and
recorded by the hub — as :mod:`airdecon.needtoknow._requests` decides. Each copy's sender is its
``from``: the party whose message it is.
"""

from __future__ import annotations

import contextlib
import hashlib
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any, cast

from airdecon.errors import InputError, WriteConflict
from airdecon.hub._alerts import HUB_PARTY
from airdecon.hub._context import HubContext
from airdecon.hub._operations import Operations
from airdecon.hub._record import Record
from airdecon.needtoknow import REQUEST_ASKS, linked_request_payloads
from airdecon.store import ALL, Event, JsonValue, NewEvent

__all__ = ["MESSAGE_KINDS", "Line"]

MESSAGE_KINDS = ("text", "safety-notice", "incident-report", "request", "reply")


class Line:
    """Messages and receipts (see the module docstring)."""

    def __init__(self, ctx: HubContext, record: Record, operations: Operations | None = None) -> None:
        self._ctx = ctx
        self._record = record
        self._operations = operations
        self._delivered: set[tuple[str, str]] = set()  # (message id, party) delivery receipts sent

    def send(self, party: str, body: Mapping[str, Any], *, idempotency_key: str | None) -> dict[str, Any]:
        """A line message to one party or all: stored durably before it is acknowledged."""
        to = body.get("to")
        kind = body.get("kind", "text")
        text = body.get("text")
        if kind not in MESSAGE_KINDS:
            raise InputError(f"kind: must be one of {', '.join(MESSAGE_KINDS)}")
        if not isinstance(text, str) or not text.strip() or len(text) > 20_000:
            raise InputError("text: must be a non-empty string of at most 20000 characters")
        if to == "all":
            audience: Any = ALL
        elif isinstance(to, str) and to in self._ctx.parties and to != party:
            audience = [party, to]
        else:
            raise InputError("to: must be 'all' or another party of the protocol")
        reply_to = body.get("in_reply_to")
        if reply_to is not None and not isinstance(reply_to, str):
            raise InputError("in_reply_to: must be a message id")
        fields = body.get("fields", {})
        if not isinstance(fields, dict):
            raise InputError("fields: must be an object (structured content of the message kind)")
        if "notice_id" in fields:
            _check_linked(kind, to, fields)
        msg_id = (
            "M-" + uuid.uuid4().hex[:12]
            if idempotency_key is None
            else "M-" + hashlib.sha256(f"{party}\0{idempotency_key}".encode()).hexdigest()[:12]
        )
        payload = {
            "message_id": msg_id,
            "from": party,
            "to": to,
            "kind": kind,
            "text": text,
            "in_reply_to": reply_to,
            "fields": fields,
        }
        events = [NewEvent("message", party, payload, audience=audience, idempotency_key=idempotency_key)]
        if "notice_id" in fields:
            ev = self._replayed(party, payload, idempotency_key)
            if ev is not None:
                return {"message_id": msg_id, "cursor": self._record.cursor(party, ev.seq), "at": ev.at}
            events = self._linked(party, str(to), payload, idempotency_key)
        ev = self._record.append(events)[0]
        return {
            "message_id": ev.payload["message_id"] if isinstance(ev.payload, dict) else msg_id,
            "cursor": self._record.cursor(party, ev.seq),
            "at": ev.at,
        }

    def _replayed(self, party: str, payload: dict[str, Any], idempotency_key: str | None) -> Event | None:
        """A request about a notice already recorded under this idempotency key: answered as it
        was, even if its notice has cleared since (a retry is not a new request); the key with
        another message is 409, as for any event."""
        if idempotency_key is None:
            return None
        ev = self._find_message(party, str(payload["message_id"]))
        if ev is None or ev.origin != party or not isinstance(ev.payload, dict):
            return None
        # send() recorded it, having checked that its fields are an object
        fields = cast("dict[str, JsonValue]", ev.payload["fields"])
        was = {**ev.payload, "fields": {k: v for k, v in fields.items() if k != "operation"}}
        if was != payload:
            key = f"{party}/{idempotency_key}"
            raise WriteConflict("idempotency key", key, "already used by another message")
        return ev

    def _linked(
        self, party: str, to: str, payload: dict[str, Any], idempotency_key: str | None
    ) -> list[NewEvent]:
        """The two copies of a request about *party*'s notice (see the module): the sender's
        first (its answer's cursor), then the recipient's, recorded by the hub."""
        if self._operations is None:
            raise InputError("fields.notice_id: this line has no planned operations")
        ident = str(payload["fields"]["notice_id"])
        operation, theirs = self._operations.linked(party, ident, to)
        mine, copy = linked_request_payloads(payload, own_notice=ident, own_operation=operation,
                                             recipient_notices=theirs)  # fmt: skip
        return [
            NewEvent("message", party, mine, audience=[party], idempotency_key=idempotency_key),
            NewEvent("message", HUB_PARTY, copy, audience=[to],
                     idempotency_key=f"request:{payload['message_id']}"),
        ]  # fmt: skip

    def delivered(self, party: str, events: Sequence[Event]) -> None:
        """*events* were handed to *party* (by its socket or a poll): one delivery receipt to the
        sender of each line message among them (once per message and party, however fetched)."""
        receipts = []
        for ev in events:
            mid = _message_id(ev)
            if ev.kind != "message" or _sender(ev) == party or (mid, party) in self._delivered:
                continue
            self._delivered.add((mid, party))
            receipts.append(
                NewEvent(
                    "receipt",
                    HUB_PARTY,
                    {"message_id": mid, "status": "delivered", "by": party},
                    audience=[_sender(ev)],
                    idempotency_key=f"delivered:{mid}:{party}",
                )
            )
        self._record.append(receipts)

    def mark_read(self, party: str, message_id: str) -> dict[str, Any]:
        """*party* has read a message addressed to it: a read receipt to the sender, and to *party*
        itself (its other consoles learn it was read). Nobody else: of a message to all, a third
        party never learns who read it."""
        msg = self._find_message(party, message_id)
        if msg is None or _sender(msg) == party:
            raise InputError(f"unknown message {message_id!r}")
        payload: dict[str, JsonValue] = {"message_id": message_id, "status": "read", "by": party}
        receipt = NewEvent(
            "receipt",
            HUB_PARTY,
            payload,
            audience=[_sender(msg), party],
            idempotency_key=f"read:{message_id}:{party}",
        )
        # a receipt recorded before readers were told too conflicts with its key: it stands as it is
        with contextlib.suppress(WriteConflict):
            self._record.append([receipt])
        return payload

    def messages_for(self, party: str, after_seq: int = 0, limit: int = 500) -> list[dict[str, Any]]:
        """*party*'s line after global entry *after_seq*: its messages and receipts as
        :meth:`~airdecon.hub._record.Record.wire` events, each message with where it stands.

        A message addressed to *party* carries ``read_by_me``: whether *party* has marked it read
        (its own act, so true also for a receipt recorded when only the sender was told). A message
        *party* sent carries ``read_by``: the parties whose read receipt *party* may see. Messages
        addressed to *party* count as delivered once handed over here, as on the stream.
        """
        events = self._record.history(party, ("message", "receipt"), after_seq, limit)
        messages = [ev for ev in events if ev.kind == "message"]
        reads = self._read_receipts({_message_id(ev) for ev in messages}, after_seq)
        out = []
        for ev in events:
            wired = self._record.wire(party, ev)
            if ev.kind == "message":
                readers = reads.get(_message_id(ev), {})
                if _sender(ev) == party:
                    seen = sorted(by for by, receipt in readers.items() if receipt.visible_to(party))
                    wired["data"] = {**wired["data"], "read_by": seen}
                else:
                    wired["data"] = {**wired["data"], "read_by_me": party in readers}
            out.append(wired)
        self.delivered(party, messages)
        return out

    def _read_receipts(self, message_ids: set[str], after_seq: int) -> dict[str, dict[str, Event]]:
        """``{message id: {reader: read receipt}}`` for these messages, from the receipts recorded
        after *after_seq* (a receipt always follows its message).

        Every party's receipts, unfiltered: the caller decides what of them a party may learn."""
        out: dict[str, dict[str, Event]] = defaultdict(dict)
        seq = after_seq
        store = self._ctx.store
        while message_ids and (batch := store.events_after(seq, kinds=("receipt",), limit=1000)):
            for ev in batch:
                p = ev.payload if isinstance(ev.payload, dict) else {}
                if p.get("status") == "read" and p.get("message_id") in message_ids:
                    out[str(p["message_id"])].setdefault(str(p.get("by")), ev)
            seq = batch[-1].seq
        return out

    def _find_message(self, party: str, message_id: str) -> Event | None:
        seq = 0
        while batch := self._ctx.store.events_after(seq, party=party, kinds=("message",), limit=1000):
            for ev in batch:
                if isinstance(ev.payload, dict) and ev.payload.get("message_id") == message_id:
                    return ev
            seq = batch[-1].seq
        return None


def _message_id(ev: Event) -> str:
    """The id of a line message (or of the message a receipt is about)."""
    return str(ev.payload.get("message_id")) if isinstance(ev.payload, dict) else ""


def _sender(ev: Event) -> str:
    """Whose line message *ev* is: its ``from`` (a request's copy for its recipient is recorded
    by the hub, from the requesting party)."""
    sender = ev.payload.get("from") if isinstance(ev.payload, dict) else None
    return sender if isinstance(sender, str) else ev.origin


def _check_linked(kind: object, to: object, fields: dict[str, Any]) -> None:
    """A message that names a notice must be a request to one party, with known fields."""
    if kind != "request":
        raise InputError("fields.notice_id: only a request may name a notice (kind: request)")
    if to == "all":
        raise InputError("to: a request about a notice goes to the party it is against, not to all")
    if not isinstance(fields["notice_id"], str):
        raise InputError("fields.notice_id: must be the id of one of your open notices")
    extra = sorted(set(fields) - {"notice_id", "ask"})
    if extra:
        raise InputError(f"fields.{extra[0]}: a request about a notice holds notice_id and ask only")
    if "ask" in fields and fields["ask"] not in REQUEST_ASKS:
        raise InputError(f"fields.ask: must be one of {', '.join(REQUEST_ASKS)}")
