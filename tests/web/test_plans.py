"""The console's Plans tab (issue 15), in Chromium against a real hub: own operations, hazard areas
acknowledged from the console, notices and area alerts with their clipped geometry on the map —
and of RED's plan, BLUE's browser never receives more than the part its aircraft's path crosses.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.web.conftest import Console, Hub

_RUN = itertools.count(1)


def _box(lat0: float, lon0: float, lat1: float, lon1: float, lo: float, hi: float) -> dict[str, Any]:
    now = time.time()
    return {"polygon": [[lat0, lon0], [lat0, lon1], [lat1, lon1], [lat1, lon0]], "alt_lower_ft": lo,
            "alt_upper_ft": hi, "start": now - 60, "end": now + 3600}  # fmt: skip


@pytest.fixture
def plans(hub: Hub) -> Iterator[dict[str, Any]]:
    """RED's active volume across BLUE-02's path, BLUE's plan beside it, RED's firing range;
    withdrawn after the test (the hub is shared by the session's tests)."""
    n = next(_RUN)  # ids stay taken once withdrawn: each use of the fixture files new ones
    me = {t["id"]: t for t in hub.api("BLUE").get("/v1/tracks").json()["tracks"] if t["kind"] == "own"}
    b2 = me["BLUE-02"]  # FL180, 380 kt, track 020
    lat, lon = round(b2["lat"], 3), round(b2["lon"], 3)
    red_box = _box(lat + 0.15, lon - 0.2, lat + 0.55, lon + 0.4, 15000, 20000)
    # RED's east edge: BLUE-02's corridor (track 020, 5 NM each side) stays west of it
    far = (round(lat + 0.55, 6), round(lon + 0.4, 6))
    filed = [
        ("RED", {"id": f"RED-STRIKE-OP{n}", "state": "active", "aircraft": ["RED-77"], "purpose": "strike",
                 "volumes": [red_box]}),
        ("BLUE", {"id": f"BLUE-TRAINING{n}",
                  "volumes": [_box(lat + 0.1, lon - 0.6, lat + 0.5, lon - 0.25, 10000, 25000)]}),
        ("RED", {"id": f"RED-RANGE{n}", "public": True, "purpose": "live firing",
                 "volumes": [{"circle": {"lat": 35.6, "lon": 37.2, "radius_nm": 12}, "alt_lower_ft": 0,
                              "alt_upper_ft": 40000, "start": time.time() - 60, "end": time.time() + 3600}]}),
    ]  # fmt: skip
    for party, body in filed:
        r = hub.api(party).post("/v1/operations", json=body)
        assert r.status_code == 201, r.text
    try:
        yield {"far": far, "b2": (lat, lon), "n": n}
    finally:
        for party, body in filed:
            hub.api(party).delete(f"/v1/operations/{body['id']}")


def test_plans_tab_shows_operations_hazards_notices_and_the_crossed_part(
    blue: Console, hub: Hub, plans: dict[str, Any]
) -> None:
    page = blue.page
    page.click("button[data-tab=plans]")
    loaded = "airdecon.plans && airdecon.plans.areaAlerts.length >= 1 && airdecon.plans.notices.length >= 1"
    page.wait_for_function(loaded, timeout=30_000)
    # the badge counts what waits for the officer: the hazard to acknowledge, the notice, the alert
    assert int(page.inner_text("#plans-unacked")) >= 3
    alert = page.locator(".plan-item.area-alert").first
    assert "BLUE-02 will enter an active area of RED in" in alert.inner_text()
    notice = page.locator(".plan-item.notice").first
    n = plans["n"]
    assert f"BLUE-TRAINING{n} comes within the minima of RED's plan" in notice.inner_text()
    assert page.locator(".plan-item.own", has_text=f"BLUE-TRAINING{n}").count() == 1
    drawn = blue.state("airdecon.plans.drawn")
    assert drawn["own"] >= 1 and drawn["hazard"] >= 1 and drawn["notice"] >= 1 and drawn["crossed"] >= 1
    # the crossed part and the notice's part, drawn on the map: zoom there and look
    page.evaluate(
        "airdecon.plans.fit([...airdecon.plans.notices[0].parts, airdecon.plans.areaAlerts[0].area])"
    )
    page.wait_for_timeout(600)
    blue.shot("plans-blue")
    # acknowledge RED's firing range from the console, like a safety notice
    hazard = page.locator(".plan-item.hazard", has_text=f"RED-RANGE{n}")
    hazard.locator("button.ack-hazard").click()
    page.wait_for_function(
        f"airdecon.plans.operations.some((o) => o.operation === 'RED-RANGE{n}' && o.acknowledged)"
    )
    assert "Acknowledged by you" in hazard.inner_text()
    ops = hub.api("RED").get("/v1/operations").json()["operations"]
    red_view = next(o for o in ops if o["operation"] == f"RED-RANGE{n}")
    assert red_view["acknowledged_by"] == ["BLUE"]
    # of RED's plan BLUE's browser received only the part its path crosses: no id, aircraft,
    # purpose, nor the corner of RED's volume far from BLUE-02's path
    text = "\n".join(blue.received)
    for secret in ("RED-STRIKE-OP", "RED-77", "strike", str(plans["far"][1])):
        assert secret not in text, secret
    assert not blue.errors, blue.errors


def test_red_sees_an_aircraft_of_blue_entering_under_a_pseudonym(
    red: Console, hub: Hub, plans: dict[str, Any]
) -> None:
    page = red.page
    page.click("button[data-tab=plans]")
    page.wait_for_function("airdecon.plans && airdecon.plans.areaAlerts.some((a) => a.role === 'area')",
                           timeout=30_000)  # fmt: skip
    op = f"RED-STRIKE-OP{plans['n']}"
    page.wait_for_function(f"airdecon.plans.areaAlerts.some((a) => a.operation === '{op}')", timeout=30_000)
    items = page.locator(".plan-item.area-alert", has_text=f"will enter {op} ")
    assert items.filter(has_text="an aircraft of BLUE (AA-").count() == 1
    # what RED's browser received of area alerts never names BLUE's aircraft (other tests of the
    # session may name it on the line, by BLUE's own choice)
    about = [t for t in red.received if "area_alert" in t or "area-alert" in t]
    assert about and not [t for t in about if "BLUE-02" in t]
    assert page.locator(".plan-item.hazard", has_text=f"RED-RANGE{plans['n']}").count() == 1
    red.shot("plans-red")
    assert not red.errors, red.errors


def test_a_notice_is_answered_from_the_console_and_shown_on_the_other_partys_notice(
    blue: Console, red: Console, hub: Hub, plans: dict[str, Any]
) -> None:
    """BLUE asks RED to hold from its notice; RED's console shows the request on RED's own notice
    (the hub links it to RED's notice id, never BLUE's)."""
    n = plans["n"]
    page = blue.page
    page.click("button[data-tab=plans]")
    notice = page.locator(".plan-item.notice", has_text=f"BLUE-TRAINING{n} comes within")
    notice.wait_for(timeout=30_000)
    blue_id = notice.get_attribute("data-notice-id")
    notice.locator("button.ask-notice").click()
    notice.locator("select.ask-kind").select_option("hold")
    notice.locator("input.ask-text").fill("Please hold clear of our training block until 1000Z.")
    notice.locator("button.ask-send").click()
    notice.locator(".notice-request", has_text="You asked RED: hold").wait_for(timeout=15_000)
    # RED's own notice about its strike operation carries the request
    (red_notice,) = [x for x in hub.api("RED").get("/v1/notices").json()["notices"]
                     if x["operation"] == f"RED-STRIKE-OP{n}"]  # fmt: skip
    rpage = red.page
    rpage.click("button[data-tab=plans]")
    item = rpage.locator(f".plan-item.notice[data-notice-id='{red_notice['notice_id']}']")
    item.locator(".notice-request").wait_for(timeout=15_000)
    words = item.locator(".notice-request").inner_text()
    assert f"Request about notice {red_notice['notice_id']} from BLUE: hold" in words
    assert "until 1000Z" in words
    rpage.wait_for_timeout(300)
    red.shot("plans-red-request")
    # on RED's line too, about RED's own notice; BLUE's notice id never reached RED's browser
    rpage.click("button[data-tab=line]")
    assert blue_id and blue_id not in "\n".join(red.received)
    assert not blue.errors and not red.errors, (blue.errors, red.errors)
