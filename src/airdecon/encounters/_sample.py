"""Sampling an encounter model: initial network, dynamic network, and de-discretisation.

Vectorised over samples: every function draws for *n* independent samples at once, from a
``numpy.random.Generator`` the caller seeds (the same seed gives the same samples).

* :func:`sample_initial` draws the initial network in topological order (ancestral sampling), each
  variable from its conditional probability table given its parents' bins;
* :func:`sample_dynamic` then steps the transition network once per second: the dynamic variables
  at *t+1* are drawn given their parents (static variables and the state at *t*), then become the
  state at *t*;
* :func:`to_values` turns bins into numbers: uniform within the bin (a bin straddling 0 gives
  exactly 0, as in the reference), categorical variables give their category (1-based, as the
  model documentation numbers them). A dynamic variable keeps its drawn value while its bin is
  unchanged, except that with the model's ``resample_rates`` probability per second it is redrawn
  within the bin (the reference's within-bin resampling, which keeps rates from jittering each
  second).

Values are in the model's own units (kt, kt/s, ft/min, deg/s, NM, ft: :data:`UNITS`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from airdecon.encounters._model import BayesNet, EncounterModel
from airdecon.errors import InputError
from airdecon.units import FloatArray

__all__ = ["sample_dynamic", "sample_initial", "to_values"]

IntArray = npt.NDArray[np.int64]


def _draw(
    net: BayesNet, i: int, bins: IntArray, rng: np.random.Generator, cdfs: dict[int, FloatArray]
) -> IntArray:
    """Bins of variable *i* for every row of *bins* (its parents already filled in)."""
    cdf = cdfs.get(i)
    if cdf is None:
        cdf = cdfs[i] = np.cumsum(net.probabilities(i), axis=1)
    rows = cdf[net.config(i, bins)]
    u = rng.random(bins.shape[0]) * rows[:, -1]
    return np.minimum((u[:, None] >= rows).sum(axis=1), int(net.r[i]) - 1).astype(np.int64)


def sample_initial(
    model: EncounterModel, n: int, rng: np.random.Generator, *, given: Mapping[str, int] | None = None
) -> IntArray:
    """Bins of the initial network for *n* samples: int array of shape (n, n_initial), 0-based.

    *given* fixes variables by label to a bin (0-based) before sampling the rest (their parents
    must be given too, as in the reference's ``start``).
    """
    net = model.initial
    if n < 0:
        raise InputError(f"number of samples must be >= 0, got {n}")
    bins = np.zeros((n, len(net.labels)), dtype=np.int64)
    fixed: dict[int, int] = {}
    for label, b in (given or {}).items():
        i = net.index(label)
        if not 0 <= b < net.r[i]:
            raise InputError(f"{label}: bin {b} outside 0..{net.r[i] - 1}")
        fixed[i] = b
    for i, b in fixed.items():
        if any(p not in fixed for p in net.parents[i]):
            raise InputError(f"{net.labels[i]}: a variable can be given only with all its parents")
        bins[:, i] = b
    cdfs: dict[int, FloatArray] = {}
    for i in net.order:
        if i not in fixed:
            bins[:, i] = _draw(net, i, bins, rng, cdfs)
    return bins


def sample_dynamic(model: EncounterModel, first: IntArray, steps: int, rng: np.random.Generator) -> IntArray:
    """Bins of every initial variable at each second: int array of shape (n, steps, n_initial).

    Row 0 is *first* (the initial sample); each later second draws the transition network's
    dynamic variables given the second before. Static variables keep their bin throughout. A model
    without a transition network repeats *first*.
    """
    n, n0 = first.shape
    out = np.empty((n, steps, n0), dtype=np.int64)
    if steps == 0:
        return out
    out[:, 0] = first
    net = model.transition
    if net is None or not model.temporal_map:
        out[:, 1:] = first[:, None, :]
        return out
    x = np.zeros((n, len(net.labels)), dtype=np.int64)
    x[:, :n0] = first
    cdfs: dict[int, FloatArray] = {}
    for t in range(1, steps):
        for k in net.order:
            x[:, k] = _draw(net, k, x, rng, cdfs)
        for now, nxt in model.temporal_map:
            x[:, now] = x[:, nxt]
        out[:, t] = x[:, :n0]
    return out


def to_values(model: EncounterModel, bins: IntArray, rng: np.random.Generator) -> FloatArray:
    """Numbers for bins of shape (n, steps, n_initial) (or (n, n_initial)), same shape.

    Continuous variables: uniform within their bin (0 in a bin straddling 0), drawn once per
    sample for a static variable; a dynamic one is redrawn when its bin changes or, with its
    resample rate, at any second. Categorical variables: the category number (bin + 1).
    """
    series = bins if bins.ndim == 3 else bins[:, None, :]
    n, steps, n0 = series.shape
    out = np.empty(series.shape, dtype=np.float64)
    dynamic = set(model.dynamic)
    for i in range(n0):
        edges = model.boundaries[i]
        b = series[:, :, i]
        if edges is None:
            out[:, :, i] = b + 1
            continue
        if np.any((b < 0) | (b >= edges.size - 1)):
            raise InputError(f"{model.initial.labels[i]}: bin outside the model's {edges.size - 1} bins")
        lo, hi = edges[b], edges[b + 1]
        z = model.zero_bins[i]
        if i not in dynamic or steps == 1:
            u = rng.random((n, 1))
            vals = lo + (hi - lo) * u
        else:
            vals = np.empty((n, steps))
            rate = float(model.resample_rates[i])
            cur = lo[:, 0] + (hi[:, 0] - lo[:, 0]) * rng.random(n)
            vals[:, 0] = cur
            for t in range(1, steps):
                redraw = (b[:, t] != b[:, t - 1]) | (rng.random(n) < rate)
                fresh = lo[:, t] + (hi[:, t] - lo[:, t]) * rng.random(n)
                cur = np.where(redraw, fresh, cur)
                vals[:, t] = cur
        if z is not None:
            vals = np.where(b == z, 0.0, vals)
        out[:, :, i] = vals
    return out if bins.ndim == 3 else out[:, 0, :]
