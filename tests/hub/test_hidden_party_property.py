"""With ``disclosure.plans_name_party: false``, nothing a party is told of plans says who: the same
plans filed by RED or by GREEN give BLUE the same bytes — its notices (ids, parts, order, events)
and its area alerts — and give the filer the same bytes about BLUE (issue 15).

Random worlds: BLUE's operation, one to three operations of the other party (active or planned),
perhaps a CIVIL plan too (the same in both runs), and a BLUE aircraft flying east at them.
"""

from __future__ import annotations

import json
import re
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.hub.harness import T0, World, aircraft, world

HIDDEN = {"disclosure": {"plans_name_party": False}}


def square(lat: float, lon: float, d: float, lo: int, hi: int) -> dict[str, Any]:
    return {"polygon": [[lat, lon], [lat, lon + d], [lat + d, lon + d], [lat + d, lon]],
            "alt_lower_ft": lo, "alt_upper_ft": hi, "start": T0 - 60, "end": T0 + 3600}  # fmt: skip


boxes = st.tuples(st.floats(39.8, 40.2), st.floats(9.9, 10.4), st.floats(0.05, 0.3),
                  st.sampled_from([(20000, 30000), (24000, 26000), (31000, 35000)]))  # fmt: skip


@st.composite
def worlds(draw: st.DrawFn) -> dict[str, Any]:
    theirs = draw(st.lists(st.tuples(boxes, st.booleans()), min_size=1, max_size=3))
    return {"blue": draw(boxes), "theirs": theirs, "civil": draw(st.none() | boxes),
            "ac": (draw(st.floats(39.9, 40.3)), draw(st.floats(9.6, 9.9)))}  # fmt: skip


def _view(w: World, party: str, own_ids: bool = False) -> str:
    """What *party* is told of plans: notices, area alerts, and their events, in order (with
    *own_ids*, its notice ids replaced by their operation and its notices in operation order:
    they hash its own name, and are listed in the order of those hashes)."""
    events = [e["data"] for e in w.get(party, "/v1/events").json()["events"]
              if e["kind"] in ("notice", "area-alert")]  # fmt: skip
    notices = w.get(party, "/v1/notices").json()
    if own_ids:
        notices["notices"].sort(key=lambda n: n["operation"])
        for n in [*notices["notices"], *events]:
            if "notice_id" in n:
                n["notice_id"] = f"N({n['operation']})"
    body = {"notices": notices, "alerts": w.get(party, "/v1/area-alerts").json(), "events": events}
    return re.sub(r"AA-[0-9a-f]{8}", "AA-x", json.dumps(body, sort_keys=True))


def _run(script: dict[str, Any], other: str) -> tuple[str, str]:
    with world(extra=HIDDEN) as w:
        (lat, lon, d, (lo, hi)) = script["blue"]
        body = {"id": "B-OP", "volumes": [square(lat, lon, d, lo, hi)]}
        assert w.post("BLUE", "/v1/operations", body).is_success
        for n, ((lat, lon, d, (lo, hi)), active) in enumerate(script["theirs"]):
            body = {"id": f"X-{n}", "state": "active" if active else "planned",
                    "volumes": [square(lat, lon, d, lo, hi)]}  # fmt: skip
            assert w.post(other, "/v1/operations", body).is_success
        if script["civil"] is not None:
            lat, lon, d, (lo, hi) = script["civil"]
            assert w.post("CIVIL", "/v1/operations", {"id": "C-OP", "volumes": [square(lat, lon, d, lo, hi)]})
        for _ in range(3):
            w.report("BLUE", aircraft("BLUE-1", *script["ac"], 90.0))
            w.step(1.0, advise=False)
        return _view(w, "BLUE"), _view(w, other, own_ids=True)


# a failure is reported as found (with its example), not shrunk for minutes
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[p for p in Phase if p is not Phase.shrink])  # fmt: skip
@given(worlds())
def test_the_same_plans_of_red_or_green_tell_blue_and_the_filer_the_same(script: dict[str, Any]) -> None:
    blue_red, red = _run(script, "RED")
    blue_green, green = _run(script, "GREEN")
    assert blue_red == blue_green
    assert red == green
    for text in (blue_red, red):
        assert not [p for p in ("BLUE", "RED", "GREEN", "CIVIL") if f'"{p}"' in text], text
