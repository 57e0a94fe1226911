"""Alert lifecycle: raised, escalated, de-escalated, cleared, with hysteresis so alerts do not flap.

The tracker is fed one detection result per update (time is a parameter, never read from a clock)
and answers with the events that update caused. Rules, chosen so that a duty officer is never
told "clear" and then "conflict" again for a track that merely wobbles:

* **raise** at once when a pair first conflicts; **escalate** at once (never delay bad news);
* **de-escalate** only when the lower level has held, with its time to loss of separation at
  least ``margin_s`` beyond the threshold, for ``hold_s`` seconds;
* **clear** only when the pair has been free of conflict for ``hold_s`` seconds, or at once
  when one of its aircraft is gone (``track-lost``) or the caller says so.

Each alert has a stable identity (``alert_id``) for its whole life; a pair that conflicts again
after being cleared gets a new alert.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from airdecon.alerting._levels import Level, classify
from airdecon.detection import ConflictSet
from airdecon.units import FT, NM

__all__ = ["Alert", "AlertEvent", "AlertTracker"]


@dataclass
class Alert:
    """A live alert on one pair of aircraft (mutable: the tracker updates it)."""

    alert_id: str
    a: str
    b: str
    level: Level
    raised_t_s: float
    updated_t_s: float
    t_in_s: float
    t_out_s: float
    tcpa_s: float
    dcpa_nm: float
    dalt_cpa_ft: float
    hypothesis: str = "straight"
    _lower_since: float | None = field(default=None, repr=False)
    _absent_since: float | None = field(default=None, repr=False)


@dataclass(frozen=True)
class AlertEvent:
    """Something that happened to an alert at time ``t_s``.

    ``kind`` is ``raised``, ``escalated``, ``de-escalated`` or ``cleared``; ``level`` is the level
    after the event (for ``cleared``, the last level held); ``previous`` the level before it.
    ``hypothesis`` names the prediction that conflicts (``straight``, ``level-off``, ``turn``; see
    :class:`airdecon.detection.Conflict`). ``reason`` says why, as a code that names no aircraft
    (``loss-predicted``, ``closer``, ``further``, ``separation-assured``, ``track-lost``, or the
    caller's word for :meth:`AlertTracker.clear_all`); for ``track-lost``, ``lost`` is the aircraft
    whose track was lost. A face renders sentences from these for its audience: an id never travels as text.
    """

    kind: str
    alert_id: str
    a: str
    b: str
    level: Level
    previous: Level | None
    t_s: float
    t_in_s: float
    t_out_s: float
    tcpa_s: float
    dcpa_nm: float
    dalt_cpa_ft: float
    reason: str = ""
    lost: str | None = None
    hypothesis: str = "straight"

    def to_dict(self) -> dict[str, object]:
        """JSON-ready mapping (infinite ``t_out_s`` becomes ``None``)."""
        return {
            "kind": self.kind,
            "alert_id": self.alert_id,
            "a": self.a,
            "b": self.b,
            "level": self.level.label,
            "previous": self.previous.label if self.previous is not None else None,
            "t_s": self.t_s,
            "t_in_s": self.t_in_s,
            "t_out_s": self.t_out_s if math.isfinite(self.t_out_s) else None,
            "tcpa_s": self.tcpa_s,
            "dcpa_nm": self.dcpa_nm,
            "dalt_cpa_ft": self.dalt_cpa_ft,
            "reason": self.reason,
            "lost": self.lost,
            "hypothesis": self.hypothesis,
        }


class AlertTracker:
    """Turns successive detection results into alert lifecycle events.

    Parameters
    ----------
    caution_s, warning_s : float
        Level thresholds on time to loss of separation (see :func:`classify`); usually
        ``protocol.caution_s`` and ``protocol.warning_s``.
    hold_s : float
        How long a lower level, or the absence of a conflict, must persist before the alert
        de-escalates or clears (default 30 s: measured on noisy slow overtakes and the
        recorded AF787/TBM900 formation, 10 s still flapped).
    margin_s : float
        How far beyond a threshold the time to loss of separation must be to count as below it
        when de-escalating (default 15 s).
    id_prefix : str
        Prefix of alert ids (``"AL-"``); ids are ``prefix + running number``.

    Not thread-safe: one tracker per detection loop.
    """

    def __init__(
        self,
        caution_s: float = 120.0,
        warning_s: float = 60.0,
        *,
        hold_s: float = 30.0,
        margin_s: float = 15.0,
        id_prefix: str = "AL-",
    ) -> None:
        self.caution_s = caution_s
        self.warning_s = warning_s
        self.hold_s = hold_s
        self.margin_s = margin_s
        self.id_prefix = id_prefix
        self._alerts: dict[tuple[str, str], Alert] = {}
        self._next = 1
        self._last_t: float | None = None

    @classmethod
    def for_protocol(cls, protocol: object, **kwargs: float | str) -> AlertTracker:
        """A tracker with the thresholds of a protocol (anything with caution_s and warning_s)."""
        return cls(
            float(getattr(protocol, "caution_s", 120.0)),
            float(getattr(protocol, "warning_s", 60.0)),
            **kwargs,  # type: ignore[arg-type]
        )

    @property
    def active(self) -> list[Alert]:
        """The live alerts, most urgent first (level, then time to loss of separation)."""
        return sorted(self._alerts.values(), key=lambda al: (-al.level, al.t_in_s, al.a, al.b))

    def get(self, a: str, b: str) -> Alert | None:
        """The live alert on the pair (a, b) (either order), if any."""
        return self._alerts.get((a, b) if a < b else (b, a))

    def update(self, t_s: float, conflicts: ConflictSet, *, gone: Iterable[str] = ()) -> list[AlertEvent]:
        """Feed one detection result taken at time *t_s*; return the events it causes.

        Parameters
        ----------
        t_s : float
            Time of the detection, seconds (any epoch; must not go backwards).
        conflicts : ConflictSet
            The detection result at that time.
        gone : iterable of str
            Aircraft ids whose tracks were lost: their alerts clear at once (``track-lost``).
        """
        if self._last_t is not None and t_s < self._last_t:
            raise ValueError(f"time went backwards: {t_s} after {self._last_t}")
        self._last_t = t_s
        events: list[AlertEvent] = []
        gone_set = set(gone)
        for key in [k for k in self._alerts if k[0] in gone_set or k[1] in gone_set]:
            lost = key[0] if key[0] in gone_set else key[1]
            events.append(self._event("cleared", self._alerts.pop(key), None, t_s, "track-lost", lost))

        now_levels = classify(conflicts.t_in_s, self.caution_s, self.warning_s)
        relaxed = classify(conflicts.t_in_s, self.caution_s, self.warning_s, margin_s=self.margin_s)
        seen: set[tuple[str, str]] = set()
        # columns as Python lists once: the loop below runs for every conflict of every cycle
        ids = conflicts.ids
        a_ids = [str(x) for x in ids[conflicts.i]]
        b_ids = [str(x) for x in ids[conflicts.j]]
        t_in, t_out, tcpa = conflicts.t_in_s.tolist(), conflicts.t_out_s.tolist(), conflicts.tcpa_s.tolist()
        dcpa_nm, dalt_ft = (conflicts.dcpa_m / NM).tolist(), (conflicts.dalt_cpa_m / FT).tolist()
        levels, calms = now_levels.tolist(), relaxed.tolist()
        hyps = ["straight"] * len(a_ids) if conflicts.hypothesis is None else conflicts.hypothesis.tolist()
        alerts = self._alerts
        for k, a in enumerate(a_ids):
            b = b_ids[k]
            if gone_set and (a in gone_set or b in gone_set):
                continue
            key = (a, b)
            seen.add(key)
            level = levels[k]
            alert = alerts.get(key)
            if alert is None:
                alert = Alert(
                    alert_id=f"{self.id_prefix}{self._next}",
                    a=a,
                    b=b,
                    level=Level(level),
                    raised_t_s=t_s,
                    updated_t_s=t_s,
                    t_in_s=t_in[k],
                    t_out_s=t_out[k],
                    tcpa_s=tcpa[k],
                    dcpa_nm=dcpa_nm[k],
                    dalt_cpa_ft=dalt_ft[k],
                    hypothesis=hyps[k],
                )
                self._next += 1
                alerts[key] = alert
                events.append(self._event("raised", alert, None, t_s, "loss-predicted"))
                continue
            alert._absent_since = None
            alert.updated_t_s = t_s
            alert.t_in_s, alert.t_out_s, alert.tcpa_s = t_in[k], t_out[k], tcpa[k]
            alert.dcpa_nm, alert.dalt_cpa_ft, alert.hypothesis = dcpa_nm[k], dalt_ft[k], hyps[k]
            if level > alert.level:
                prev = alert.level
                alert.level = Level(level)
                alert._lower_since = None
                events.append(self._event("escalated", alert, prev, t_s, "closer"))
                continue
            # lower only if it is lower even with the hysteresis margin, for hold_s
            calm = calms[k]
            if calm < alert.level:
                if alert._lower_since is None:
                    alert._lower_since = t_s
                elif t_s - alert._lower_since >= self.hold_s:
                    prev = alert.level
                    alert.level = Level(calm)
                    alert._lower_since = None
                    events.append(self._event("de-escalated", alert, prev, t_s, "further"))
            else:
                alert._lower_since = None

        for key in [k for k in self._alerts if k not in seen]:
            alert = self._alerts[key]
            if alert._absent_since is None:
                alert._absent_since = t_s
            if t_s - alert._absent_since >= self.hold_s:
                del self._alerts[key]
                events.append(self._event("cleared", alert, None, t_s, "separation-assured"))
        return events

    def clear_all(self, t_s: float, reason: str = "closed") -> list[AlertEvent]:
        """Clear every live alert (e.g. at the end of a replay)."""
        events = [self._event("cleared", al, None, t_s, reason) for al in self.active]
        self._alerts.clear()
        return events

    @staticmethod
    def _event(
        kind: str, al: Alert, prev: Level | None, t_s: float, reason: str, lost: str | None = None
    ) -> AlertEvent:
        return AlertEvent(
            kind=kind,
            alert_id=al.alert_id,
            a=al.a,
            b=al.b,
            level=al.level,
            previous=prev,
            t_s=t_s,
            t_in_s=al.t_in_s,
            t_out_s=al.t_out_s,
            tcpa_s=al.tcpa_s,
            dcpa_nm=al.dcpa_nm,
            dalt_cpa_ft=al.dalt_cpa_ft,
            reason=reason,
            lost=lost,
            hypothesis=al.hypothesis,
        )
