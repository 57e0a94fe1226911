"""An alert predicted only under a hypothesis says so on its card (issue 14 item 4): the officer
sees what the prediction assumes.

A hub of its own (the session hub's scene is what the other browser tests assert on), flying
BLUE-21 at FL200 climbing 2,000 fpm with a selected altitude of 25,000 ft, head-on with CIVIL-21
level at FL250, 49 NM apart. Flown straight on, BLUE-21 would be 1,700 ft above CIVIL-21 when they
pass (no conflict); levelling off at 25,000 ft in 150 s, it loses separation with CIVIL-21 at about
200 s: an alert named ``level-off``. (The flier keeps climbing past its selected altitude after
150 s, so the test reads the card well before.)
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.web.conftest import Console, Fleet, Hub, open_console, start_hub

SCENE: Fleet = [
    ("BLUE", "BLUE-21", 35.000, 38.000, 20000, 400, 90, 2000),
    ("CIVIL", "CIVIL-21", 35.000, 38.000 + 49.4 / 60 / 0.8192, 25000, 400, 270, 0),
]


@pytest.fixture(scope="module")
def climb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    with start_hub(tmp_path_factory.mktemp("level-off"), SCENE) as h:
        h.overrides["BLUE-21"] = {"selected_alt_ft": 25000}
        yield h


def test_an_alert_under_the_level_off_hypothesis_names_it(browser: Browser, climb: Hub) -> None:
    blue: Console = open_console(browser, climb, "BLUE")
    page = blue.page
    try:
        sel = "airdecon.alerts.find(a => a.own.some(o => o.id === 'BLUE-21'))"
        page.wait_for_function(f"{sel} && {sel}.hypothesis === 'level-off'", timeout=40_000)
        card = page.locator("#alert-list li.alert", has_text="BLUE-21")
        words = "Level-off: predicted with the climb or descent levelling off"
        expect(card).to_contain_text(words, timeout=5_000)
        assert card.locator(".alert-hypothesis.level-off").count() == 1
        blue.shot("alert-hypothesis-level-off")
        # the other names, and none for a straight prediction or a card whose prediction is over
        texts = page.evaluate("""async () => {
          const { cardContent } = await import('/static/js/cards.js');
          const a = { alert_id: 'AL-x', level: 'caution', t_in_s: 90, tcpa_s: 120, dcpa_nm: 1, dalt_cpa_ft: 0,
                      own: [{ id: 'BLUE-21' }], threat: { ref: 'AL-x', alt_ft: 20000 } };
          const text = (b) => cardContent(b, []).map((n) => n.textContent).join(' | ');
          return ['turn', 'straight', undefined].map((hyp) => text({ ...a, hypothesis: hyp }))
            .concat([text({ ...a, hypothesis: 'turn', state: 'clearing' })]);
        }""")
        assert "Turn: predicted along the turn being flown, if it goes on" in texts[0], texts[0]
        assert all("predicted along" not in t and "Level-off" not in t for t in texts[1:]), texts
        assert not blue.errors, blue.errors
    finally:
        page.context.close()
