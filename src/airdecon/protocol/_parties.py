"""The protocol's parties: who signs, in which role, and their 24-hour points of contact."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from airdecon.errors import ProtocolError
from airdecon.protocol._reader import _bool, _drop_none, _list, _Obj, _text
from airdecon.protocol._signing import parse_public_key

__all__ = ["PARTY_ID", "ROLES", "Contact", "Party", "Role"]

Role = Literal["party", "coalition", "civil"]
ROLES: tuple[str, ...] = ("party", "coalition", "civil")
PARTY_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
"""What a party id may be (it also names files in a protocol directory)."""
_PHONE = re.compile(r"^\+?[0-9][0-9 ().-]{4,}$")


@dataclass(frozen=True)
class Contact:
    """A 24-hour point of contact: who to call, on what."""

    name: str
    phone: str
    email: str | None = None

    @classmethod
    def parse(cls, value: object, path: str) -> Contact:
        """Read one contact object (fields ``name``, ``phone``, optional ``email``)."""
        o = _Obj(value, path)
        name = _text(o.get("name", required=True), o.at("name"))
        phone = _text(
            o.get("phone", required=True), o.at("phone"), pattern=_PHONE, what="must be a phone number"
        )
        email = o.get("email")
        if email is not None:
            email = _text(email, o.at("email"))
            if "@" not in email:
                raise ProtocolError(f"{o.at('email')}: must be an e-mail address, got {email!r}")
        o.done()
        return cls(name=name, phone=phone, email=email)

    def to_mapping(self) -> dict[str, Any]:
        """Normalised mapping."""
        return _drop_none({"name": self.name, "phone": self.phone, "email": self.email})


@dataclass(frozen=True)
class Party:
    """One party to the protocol.

    Attributes
    ----------
    id : str
        The party id, as aircraft carry it in ``Fleet.party``.
    name : str
        Human-readable name.
    role : {"party", "coalition", "civil"}
        ``coalition``: a member adhering under a lead party (``lead``); ``civil``: civil traffic,
        each aircraft its own operator.
    signing_key : str
        Ed25519 public key, ``ed25519:<base64>``.
    contacts : tuple of Contact
        24-hour points of contact (at least one).
    lead : str or None
        For a coalition member, the lead party's id.
    watch_own_pairs : bool
        Whether pairs of this party's own aircraft are watched (default false).
    """

    id: str
    name: str
    role: Role
    signing_key: str
    contacts: tuple[Contact, ...]
    lead: str | None = None
    watch_own_pairs: bool = False

    @classmethod
    def parse(cls, value: object, path: str) -> Party:
        """Read one party object."""
        o = _Obj(value, path)
        pid = _text(
            o.get("id", required=True),
            o.at("id"),
            pattern=PARTY_ID,
            what="must be 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit",
        )
        name = _text(o.get("name", required=True), o.at("name"))
        role = o.get("role", required=True)
        if role not in ROLES:
            raise ProtocolError(f"{o.at('role')}: must be one of {list(ROLES)}, got {role!r}")
        key = o.get("signing_key", required=True)
        parse_public_key(key, where=o.at("signing_key"))
        contacts_raw = _list(o.get("contacts", required=True), o.at("contacts"), min_len=1)
        contacts = tuple(Contact.parse(c, f"{o.at('contacts')}[{n}]") for n, c in enumerate(contacts_raw))
        lead = o.get("lead")
        if role == "coalition":
            lead = _text(o.get("lead", required=True), o.at("lead"))
        elif lead is not None:
            raise ProtocolError(f"{o.at('lead')}: only a coalition member names a lead (role is {role!r})")
        watch_own = _bool(o.get("watch_own_pairs", False), o.at("watch_own_pairs"))
        o.done()
        return cls(
            id=pid,
            name=name,
            role=role,
            signing_key=key,
            contacts=contacts,
            lead=lead,
            watch_own_pairs=watch_own,
        )

    def to_mapping(self) -> dict[str, Any]:
        """Normalised mapping."""
        return _drop_none(
            {
                "id": self.id,
                "name": self.name,
                "role": self.role,
                "lead": self.lead,
                "signing_key": self.signing_key,
                "contacts": [c.to_mapping() for c in self.contacts],
                "watch_own_pairs": self.watch_own_pairs,
            }
        )
