"""Hypothesis strategies for random fleets that actually meet each other, anywhere on Earth."""

from __future__ import annotations

from hypothesis import strategies as st

from tests.scenarios import FPM, FT, KT, place

centres = st.one_of(
    st.tuples(st.floats(-89.5, 89.5), st.floats(-180.0, 180.0)),
    st.tuples(st.floats(-60.0, 60.0), st.sampled_from([179.95, -179.95, 180.0])),  # antimeridian
    st.tuples(st.sampled_from([89.9, -89.9, 89.99]), st.floats(-180.0, 180.0)),  # poles
)


@st.composite
def fleets(draw, min_size: int = 2, max_size: int = 24, spread_nm: float = 40.0):  # type: ignore[no-untyped-def]
    """Records (SI, with lat/lon) of a random fleet clustered around a random centre."""
    lat0, lon0 = draw(centres)
    n = draw(st.integers(min_size, max_size))
    shared_velocity = draw(st.tuples(st.floats(0, 550), st.floats(0, 360)))
    recs = []
    for k in range(n):
        x = draw(st.floats(-spread_nm, spread_nm))
        y = draw(st.floats(-spread_nm, spread_nm))
        if draw(st.integers(0, 4)) == 0:  # some aircraft share one velocity (zero relative motion)
            gs_kt, trk = shared_velocity
        else:
            gs_kt, trk = draw(st.floats(0, 600)), draw(st.floats(0, 360))
        import math

        vx, vy = gs_kt * math.sin(math.radians(trk)), gs_kt * math.cos(math.radians(trk))
        p = place(x, y, vx, vy, lat0, lon0)
        alt_ft = draw(st.floats(27000, 33000))
        vs_fpm = draw(st.one_of(st.just(0.0), st.floats(-4000, 4000)))
        recs.append(
            {
                "id": f"AC{k:03d}",
                "lat": p["lat"],
                "lon": p["lon"],
                "alt_m": alt_ft * FT,
                "gs_mps": p["gs_kt"] * KT,
                "trk_deg": p["trk_deg"],
                "vs_mps": vs_fpm * FPM,
            }
        )
    return recs
