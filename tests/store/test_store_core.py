"""The append path's fast entry encoding is the chain's plain definition, for any event."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from airdecon.audit import GENESIS, entry_digest, link
from airdecon.store import ALL, NewEvent
from airdecon.store._core import build_event

names = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,10}", fullmatch=True)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20,
)


@given(
    kind=st.text(min_size=1, max_size=64),
    origin=names,
    payload=json_values,
    audience=st.just(ALL) | st.frozensets(names, min_size=1, max_size=3),
    key=st.none() | st.text(min_size=1, max_size=20),
    seq=st.integers(1, 2**53),
    at=st.floats(allow_nan=False, allow_infinity=False),
)
def test_build_event_hash_is_the_plain_chain_formula(kind, origin, payload, audience, key, seq, at):  # type: ignore[no-untyped-def]
    ev = build_event(NewEvent(kind, origin, payload, audience=audience, idempotency_key=key),
                     seq=seq, at=at, prev_hash=GENESIS)
    assert ev.hash == link(GENESIS, entry_digest(ev.chain_fields()))
