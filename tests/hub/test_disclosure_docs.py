"""docs/hub.md states the disclosure rules as the code implements them."""

from __future__ import annotations

import re
from pathlib import Path

from airdecon.needtoknow import AUDIENCE_RULES

DOC = Path(__file__).resolve().parents[2] / "docs" / "hub.md"


def test_the_documented_audience_rules_are_the_codes() -> None:
    text = DOC.read_text()
    block = re.search(r"<!-- audience-rules -->\n(.*?)<!-- /audience-rules -->", text, re.S)
    assert block, "docs/hub.md lost its audience-rules block"
    documented = dict(re.findall(r"^- \*\*(\w+)\*\*: (.*)$", block.group(1), re.M))
    assert documented == AUDIENCE_RULES, "update docs/hub.md's audience-rules block from AUDIENCE_RULES"
