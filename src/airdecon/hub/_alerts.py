"""The alert desk: a cycle's alerts and advisories as each party may see them, and the ledger.

Between the picture (what the hub knows) and the record (what each party is shown) sits this one
step. For every alert it keeps the public pseudonym (``AL-…``, random, never the tracker's running
number), the precision at which each reader is shown the other aircraft (full once the reader's own
track is mature, coarse before), the last geometry disclosed (shown, frozen, while the alert is in
its hold after separation is regained: the threat's live position is not), and what each party has
been told about its own aircraft (the disclosure ledger). Every sentence is rendered from structure
for its reader (:mod:`airdecon.needtoknow`): no free text with an aircraft in it crosses.

Not thread-safe: the hub calls it with its picture lock held.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from airdecon.alerting import AlertEvent
from airdecon.hub._guard import ReportGuard
from airdecon.hub._picture import CycleResult, Picture
from airdecon.hub._views import Cpas, Views
from airdecon.needtoknow import Disclosure, Names, StateView, advisory_text, alert_cause, threat_ref
from airdecon.protocol import Precision
from airdecon.store import JsonValue, NewEvent
from airdecon.units import FPM

__all__ = ["HUB_PARTY", "AlertDesk"]

HUB_PARTY = "HUB"
_NOWHERE = StateView(0, 0, 0, 0, 0, 0)
_GEOMETRY = ("t_in_s", "t_out_s", "tcpa_s", "dcpa_nm", "dalt_cpa_ft", "precision")

Pair = tuple[str, str]
#: ``on_error(item, error)``: one item of a cycle (``("alert", alert id)``, ...) failed
OnError = Callable[[tuple[str, str], Exception], None]


class AlertDesk:
    """Alerts, advisories and disclosures of the live picture, per reader."""

    def __init__(self, disclosure: Disclosure, guard: ReportGuard) -> None:
        self.disclosure = disclosure
        self.guard = guard
        self._public: dict[str, str] = {}
        self._precision: dict[tuple[str, str], Precision] = {}  # (public id, reader)
        self._frozen: dict[tuple[str, str], dict[str, Any]] = {}  # (public id, reader): last disclosed
        self._ledgered: dict[tuple[str, str], str] = {}  # (public id, reader): precision in the ledger
        self.advice: dict[Pair, dict[str, dict[str, Any]]] = {}
        self.failed: set[Pair] = set()  # pairs the resolver could not resolve on its last run
        self._advice_sig: dict[tuple[str, str], tuple[Any, ...]] = {}

    # ------------------------------------------------------------------ identities
    def public_id(self, internal: str) -> str:
        """The public pseudonym of an alert (random: it counts nothing)."""
        pub = self._public.get(internal)
        if pub is None:
            pub = "AL-" + secrets.token_hex(4)
            self._public[internal] = pub
        return pub

    def _names(self, reader: str, pair: Pair, pub: str) -> Names:
        refs = {k: threat_ref(pub) for k in pair if not k.startswith(reader + "/")}
        return Names(reader, self.disclosure.civil, refs)

    def _reader_precision(self, pub: str, reader: str, own_key: str, now: float) -> Precision:
        p = self._precision.get((pub, reader))
        if p is None:
            p = self.disclosure.precision(self.guard.age(own_key, now))
            self._precision[(pub, reader)] = p
        return p

    # ------------------------------------------------------------------ the cycle
    def cycle_events(
        self, result: CycleResult, picture: Picture, now: float, on_error: OnError | None = None
    ) -> list[NewEvent]:
        """The alert and ledger events of one cycle (before the record; audiences decided here).

        With *on_error*, an alert whose processing raises is handed to it (``("alert", alert id)``
        and the error) and the others go on; without, the error propagates."""
        out: list[NewEvent] = []
        views, cpas = Views(result.fleet), Cpas(result.fleet, result.conflicts)
        self._refresh_precision(picture, cpas, now, on_error)
        for ev in result.alert_events:
            try:
                out.extend(self._event(ev, views, cpas, now))
            except Exception as exc:
                if on_error is None:
                    raise
                on_error(("alert", ev.alert_id), exc)
        return out

    def _refresh_precision(self, picture: Picture, cpas: Cpas, now: float, on_error: OnError | None) -> None:
        """Each reader's precision for its current alerts, once a cycle (a track matures)."""
        for al in picture.alerts.active:
            try:
                if not cpas.current((al.a, al.b)):
                    continue
                pub = self.public_id(al.alert_id)
                for own in (al.a, al.b):
                    reader = own.split("/", 1)[0]
                    self._precision[(pub, reader)] = self.disclosure.precision(self.guard.age(own, now))
            except Exception as exc:
                if on_error is None:
                    raise
                on_error(("precision", al.alert_id), exc)

    def _event(self, ev: AlertEvent, views: Views, cpas: Cpas, now: float) -> list[NewEvent]:
        pub = self.public_id(ev.alert_id)
        pair = (ev.a, ev.b)
        payloads = self._payloads(ev, pub, views, cpas, now, current=ev.kind != "cleared")
        out = [NewEvent("alert", HUB_PARTY, payload, audience=aud) for aud, payload in payloads]
        if ev.kind == "cleared":
            self._forget(pub, pair)
        else:
            out.extend(self._ledger(pub, pair, ev.kind))
        return out

    def _payloads(
        self, ev: AlertEvent, pub: str, views: Views, cpas: Cpas, now: float, *, current: bool
    ) -> list[tuple[frozenset[str], dict[str, Any]]]:
        pa, ida = ev.a.split("/", 1)
        pb, idb = ev.b.split("/", 1)
        pair = (ev.a, ev.b)
        body = {
            "alert_id": pub,
            "kind": ev.kind,
            "level": ev.level.label,
            "previous": ev.previous.label if ev.previous else None,
            "t_in_s": round(ev.t_in_s, 2),
            "t_out_s": round(ev.t_out_s, 2) if math.isfinite(ev.t_out_s) else None,
            "tcpa_s": round(ev.tcpa_s, 2),
            "dcpa_nm": round(ev.dcpa_nm, 3),
            "dalt_cpa_ft": round(ev.dalt_cpa_ft, 0),
            "hypothesis": ev.hypothesis,
            "state": "current" if current else ("cleared" if ev.kind == "cleared" else "clearing"),
        }
        causes = {}
        for reader in {pa, pb}:
            c = alert_cause(ev.reason or "active", ev.lost, self._names(reader, pair, pub))
            causes[reader] = c
        precision = {
            pa: self._reader_precision(pub, pa, ev.a, now),
            pb: self._reader_precision(pub, pb, ev.b, now),
        }
        advice = self.advice.get(pair, {})
        out = self.disclosure.alert_payloads(
            event=body,
            side_a=(pa, ida, views.get(ev.a) or _NOWHERE),
            side_b=(pb, idb, views.get(ev.b) or _NOWHERE),
            advisories={k: self._advice_for(k, pair, pub, v) for k, v in advice.items()},
            cpa=cpas.get(pair),
            precision=precision,
            causes=causes,
        )
        for aud, payload in out:
            party = next(iter(aud))
            for p in payload.get("own", []):
                if p.get("advisory") is None:
                    p["advisory_status"] = self._advice_status(pair)
            if current and ev.kind != "cleared" and payload.get("threat"):
                keep = (*_GEOMETRY, "threat", "cpa")
                self._frozen[(pub, party)] = {k: payload[k] for k in keep if k in payload}
        return out

    def _advice_status(self, pair: Pair) -> str:
        """Why an aircraft of an alert has no advisory: ``pending`` until the resolver has run on
        the pair, then ``none-needed`` (its pair is resolved by the other aircraft's manoeuvre),
        or ``failed`` when the resolver could not resolve the pair's encounter this time."""
        if pair in self.failed:
            return "failed"
        return "none-needed" if pair in self.advice else "pending"

    def _ledger(self, pub: str, pair: Pair, kind: str) -> list[NewEvent]:
        """What each aircraft's owner must be told: its aircraft was shown to the other party."""
        out = []
        for own, other in ((pair[0], pair[1]), (pair[1], pair[0])):
            owner, ident = own.split("/", 1)
            reader = other.split("/", 1)[0]
            if reader == owner or self.disclosure.is_civil(owner):
                continue  # one's own pairs, and public civil traffic, are no disclosure
            p = self._precision.get((pub, reader))
            label = p.label if p is not None else "coarse"
            if self._ledgered.get((pub, reader)) == label and kind not in ("raised",):
                continue
            self._ledgered[(pub, reader)] = label
            payload: JsonValue = {
                "alert_id": pub,
                "to": reader,
                "aircraft": ident,
                "precision": label,
                "on": kind,
            }
            out.append(NewEvent("disclosure", HUB_PARTY, payload, audience=[owner]))
        return out

    def precision_changes(self, picture: Picture, on_error: OnError | None = None) -> list[NewEvent]:
        """Ledger entries for alerts whose reader precision changed since last recorded (with
        *on_error*, one alert that raises is handed to it and the others go on)."""
        out: list[NewEvent] = []
        for al in picture.alerts.active:
            pub = self._public.get(al.alert_id)
            if pub is None:
                continue
            try:
                for reader in sorted({al.a.split("/", 1)[0], al.b.split("/", 1)[0]}):
                    p = self._precision.get((pub, reader))
                    before = self._ledgered.get((pub, reader))
                    if p is not None and before is not None and before != p.label:
                        out.extend(self._ledger(pub, (al.a, al.b), "precision"))
                        break
            except Exception as exc:
                if on_error is None:
                    raise
                on_error(("ledger", al.alert_id), exc)
        return out

    def _forget(self, pub: str, pair: Pair) -> None:
        for internal in [k for k in self._public if self._public[k] == pub]:
            del self._public[internal]
        for d in (self._precision, self._frozen, self._ledgered):
            for key in [k for k in d if k[0] == pub]:
                del d[key]

    # ------------------------------------------------------------------ reads
    def alerts_for(self, party: str, picture: Picture, now: float) -> list[dict[str, Any]]:
        """*party*'s current alerts, most urgent first; an alert in its hold shows its last
        disclosed geometry with ``state: clearing``."""
        views = Views(picture.last_fleet)
        cpas = Cpas(picture.last_fleet, picture.last_conflicts)
        out = []
        for al in picture.alerts.active:
            if not (al.a.startswith(party + "/") or al.b.startswith(party + "/")):
                continue
            ev = AlertEvent(
                "active", al.alert_id, al.a, al.b, al.level, None, al.updated_t_s, al.t_in_s,
                al.t_out_s, al.tcpa_s, al.dcpa_nm, al.dalt_cpa_ft, "active", hypothesis=al.hypothesis,
            )  # fmt: skip
            pub = self.public_id(al.alert_id)
            current = cpas.current((al.a, al.b))
            for aud, payload in self._payloads(ev, pub, views, cpas, now, current=current):
                if party not in aud:
                    continue
                frozen = self._frozen.get((pub, party))
                if not current and payload.get("threat") is not None:
                    payload = {**payload, **(frozen or {"threat": {"ref": threat_ref(pub)}, "cpa": None})}
                    payload["state"] = "clearing"
                out.append(payload)
        return out

    def threats_for(self, party: str, picture: Picture, now: float) -> list[dict[str, Any]]:
        """The other parties' aircraft of *party*'s current alerts, as threat tracks (none in hold)."""
        views = Views(picture.last_fleet)
        cpas = Cpas(picture.last_fleet, picture.last_conflicts)
        out = []
        for al in picture.alerts.active:
            if al.a.startswith(party + "/") and not al.b.startswith(party + "/"):
                own, other = al.a, al.b
            elif al.b.startswith(party + "/") and not al.a.startswith(party + "/"):
                own, other = al.b, al.a
            else:
                continue
            if self.disclosure.is_civil(other.split("/", 1)[0]):
                continue  # civil traffic is listed as civil already
            pub = self.public_id(al.alert_id)
            if not cpas.current((al.a, al.b)):
                frozen = self._frozen.get((pub, party))
                if frozen and frozen.get("threat"):
                    out.append({**frozen["threat"], "state": "clearing"})
                continue
            if other not in views:
                continue
            p = self._reader_precision(pub, party, own, now)
            out.append(self.disclosure.threat_track(pub, views[other], views.get(own), p))
        return out

    # ------------------------------------------------------------------ advisories
    def _advice_for(self, key: str, pair: Pair, pub: str, adv: Mapping[str, Any]) -> dict[str, Any]:
        """An advisory as its own party reads it: own id, words naming only the pair's other aircraft."""
        owner = key.split("/", 1)[0]
        partner = pair[1] if pair[0] == key else pair[0]
        names = self._names(owner, pair, pub)
        d = {k: v for k, v in adv.items() if k not in ("reason", "current_trk_deg", "current_vs_fpm")}
        d["aircraft"] = key.split("/", 1)[1]
        d["with"] = names.of(partner)
        d["reason"] = advisory_text(
            rule=str(adv.get("rule")),
            trk_deg=adv.get("trk_deg"),
            vs_fpm=adv.get("vs_fpm"),
            current_trk_deg=float(adv.get("current_trk_deg", 0.0)),
            current_vs_fpm=float(adv.get("current_vs_fpm", 0.0)),
            partner=names.of(partner),
            resolved=bool(adv.get("resolved", True)),
        )
        return d

    def take_advice(
        self,
        resolved: Sequence[tuple[Pair, str, bool, list[dict[str, Any]], str | None]],
        fleet: Any,
        picture: Picture,
    ) -> list[NewEvent]:
        """Keep the resolver's latest advice (structured) and return an ``advisory`` event for
        each advisory that changed in a way that matters to a crew (5° of track, 500 fpm, rule).

        A pair the resolver could not resolve (its error is not None) has no advice this run: its
        alert's own entries say ``advisory_status: "failed"``."""
        views = Views(fleet)
        advice: dict[Pair, dict[str, dict[str, Any]]] = {}
        self.failed = {pair for pair, *_rest, error in resolved if error is not None}
        for pair, level, ok, advs, error in resolved:
            if error is not None:
                continue
            per: dict[str, dict[str, Any]] = {}
            for adv in advs:
                key = str(adv["aircraft"])
                st = views.get(key)
                per[key] = {
                    "rule": adv.get("rule"),
                    **({"trk_deg": adv["trk_deg"]} if adv.get("trk_deg") is not None else {}),
                    **({"vs_fpm": adv["vs_fpm"]} if adv.get("vs_fpm") is not None else {}),
                    "level": level,
                    "resolved": ok,
                    "current_trk_deg": st.trk_deg if st else 0.0,
                    "current_vs_fpm": st.vs_mps / FPM if st else 0.0,
                }
            advice[pair] = per
        self.advice = advice
        events: list[NewEvent] = []
        for pair, per in advice.items():
            al = picture.alerts.get(*pair)
            if al is None:
                continue
            pub = self.public_id(al.alert_id)
            for key, adv in per.items():
                trk, vs = adv.get("trk_deg"), adv.get("vs_fpm")
                sig = (
                    adv.get("rule"),
                    None if trk is None else round(trk / 5.0) % 72,
                    None if vs is None else round(vs / 500.0),
                    adv.get("level"),
                    adv.get("resolved"),
                )
                if self._advice_sig.get((al.alert_id, key)) == sig:
                    continue
                self._advice_sig[(al.alert_id, key)] = sig
                payload = {"alert_id": pub, **self._advice_for(key, (al.a, al.b), pub, adv)}
                events.append(NewEvent("advisory", HUB_PARTY, payload, audience=[key.split("/", 1)[0]]))
        live = {al.alert_id for al in picture.alerts.active}
        self._advice_sig = {k: v for k, v in self._advice_sig.items() if k[0] in live}
        return events

