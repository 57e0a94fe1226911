"""Sampling the networks: reproducible under a seed, and faithful to the model's tables.

The statistical tests compare sample frequencies with the model's probabilities by a chi-square
test at the 0.1 % level (critical values from the Wilson-Hilferty approximation): a sampler that
ignored a parent, shifted a bin or read the counts in the wrong order fails them.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from airdecon.encounters import EncounterModel, parse_model, sample_dynamic, sample_initial, to_values
from airdecon.errors import InputError

Z_999 = 3.0902  # standard normal quantile at 0.999


def chi2_critical(df: int) -> float:
    """The 99.9 % point of the chi-square distribution with *df* degrees of freedom."""
    return df * (1.0 - 2.0 / (9.0 * df) + Z_999 * math.sqrt(2.0 / (9.0 * df))) ** 3


def chi2(observed: np.ndarray, p: np.ndarray) -> tuple[float, int]:
    """Chi-square statistic and degrees of freedom of *observed* counts against probabilities *p*
    (cells of zero probability must be empty and are left out)."""
    n = observed.sum()
    keep = p > 0
    assert observed[~keep].sum() == 0, "a sample fell in a bin of probability 0"
    expected = n * p[keep]
    return float(((observed[keep] - expected) ** 2 / expected).sum()), int(keep.sum()) - 1


def test_sampling_is_reproducible_under_a_seed(cor: EncounterModel) -> None:
    a = sample_initial(cor, 500, np.random.default_rng(7))
    b = sample_initial(cor, 500, np.random.default_rng(7))
    c = sample_initial(cor, 500, np.random.default_rng(8))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    da = to_values(cor, sample_dynamic(cor, a, 60, np.random.default_rng(3)), np.random.default_rng(4))
    db = to_values(cor, sample_dynamic(cor, b, 60, np.random.default_rng(3)), np.random.default_rng(4))
    np.testing.assert_array_equal(da, db)


@pytest.mark.parametrize("label", ["L", "\\beta", "A"])
def test_root_and_conditional_marginals_match_the_model(cor: EncounterModel, label: str) -> None:
    net = cor.initial
    bins = sample_initial(cor, 40_000, np.random.default_rng(11))
    i = net.index(label)
    table = net.probabilities(i)
    config = net.config(i, bins)
    # each parent configuration seen often enough is its own test
    tested = 0
    for j in np.unique(config):
        rows = bins[config == j, i]
        if rows.size < 2000:
            continue
        stat, df = chi2(np.bincount(rows, minlength=net.r[i]), table[j])
        if df > 0:
            assert stat < chi2_critical(df), f"{label} | config {j}: chi2 {stat:.1f} on {df} df"
            tested += 1
    assert tested >= 1


def test_a_shuffled_table_fails_the_same_test(cor: EncounterModel) -> None:
    """The chi-square test has teeth: against the wrong table (bins reversed) it rejects."""
    net = cor.initial
    i = net.index("L")
    bins = sample_initial(cor, 40_000, np.random.default_rng(11))
    stat, df = chi2(np.bincount(bins[:, i], minlength=net.r[i]), net.probabilities(i)[0][::-1])
    assert stat > chi2_critical(df)


def test_transitions_match_the_dynamic_table(cor: EncounterModel) -> None:
    """Next-second vertical rate bins, given the parents' bins, follow the transition table."""
    net = cor.transition
    assert net is not None
    first = sample_initial(cor, 4000, np.random.default_rng(5))
    series = sample_dynamic(cor, first, 30, np.random.default_rng(6))
    now, nxt = cor.temporal_map[0]  # \dot h_1(t) -> \dot h_1(t+1)
    x = np.zeros((series.shape[0] * 29, len(net.labels)), dtype=np.int64)
    x[:, : series.shape[2]] = series[:, :-1, :].reshape(-1, series.shape[2])
    x[:, nxt] = series[:, 1:, now].reshape(-1)
    config = net.config(nxt, x)
    table = net.probabilities(nxt)
    j = np.bincount(config).argmax()  # the most frequent parent configuration
    rows = x[config == j, nxt]
    stat, df = chi2(np.bincount(rows, minlength=net.r[nxt]), table[j])
    assert rows.size > 5000 and stat < chi2_critical(max(df, 1))


def test_values_fall_uniformly_within_their_bins(cor: EncounterModel) -> None:
    bins = sample_initial(cor, 20_000, np.random.default_rng(2))
    vals = to_values(cor, bins, np.random.default_rng(3))
    for i, edges in enumerate(cor.boundaries):
        b = bins[:, i]
        if edges is None:
            np.testing.assert_array_equal(vals[:, i], b + 1)
            continue
        lo, hi = edges[b], edges[b + 1]
        z = cor.zero_bins[i]
        inside = b != z
        assert np.all((vals[inside, i] >= lo[inside]) & (vals[inside, i] <= hi[inside]))
        assert np.all(vals[~inside, i] == 0.0)
        # the position within the bin is uniform: its mean is 1/2 within 4 standard errors
        frac = (vals[inside, i] - lo[inside]) / (hi[inside] - lo[inside])
        assert abs(frac.mean() - 0.5) < 4 * math.sqrt(1 / 12 / frac.size)


def test_a_given_variable_needs_its_parents(cor: EncounterModel) -> None:
    bins = sample_initial(cor, 100, np.random.default_rng(1), given={"L": 4})
    assert np.all(bins[:, cor.initial.index("L")] == 4)
    with pytest.raises(InputError, match="only with all its parents"):
        sample_initial(cor, 10, np.random.default_rng(1), given={"A": 0})
    with pytest.raises(InputError, match="bin 9 outside"):
        sample_initial(cor, 10, np.random.default_rng(1), given={"L": 9})


def _toy_model() -> EncounterModel:
    """A tiny model whose tables are deterministic, written as the file format lays them out:
    Z = (X + 2 Y + 1) mod 6 (the first parent varies fastest, each column holds one
    configuration's counts), and W(t+1) = (W(t) + 1) mod 3 starting from W = 0."""
    z = np.zeros((6, 6))  # r x q: bin k, configuration j
    for j in range(6):
        z[(j + 1) % 6, j] = 5
    w = np.zeros((3, 3))
    for j in range(3):
        w[(j + 1) % 3, j] = 2
    flat = lambda m: " ".join(str(int(v)) for v in m.T.ravel())  # column-major  # noqa: E731
    text = "\n".join(
        [
            "# labels_initial",
            '"X", "Y", "Z", "W"',
            "# G_initial",
            "0 0 1 0",
            "0 0 1 0",
            "0 0 0 0",
            "0 0 0 0",
            "# r_initial",
            "2 3 6 3",
            "# N_initial",
            f"1 1 1 1 1 {flat(z)} 1 0 0",
            "# labels_transition",
            '"X", "Y", "Z", "W(t)", "W(t+1)"',
            "# G_transition",
            *["0 0 0 0 0"] * 3,
            "0 0 0 0 1",
            "0 0 0 0 0",
            "# r_transition",
            "2 3 6 3 3",
            "# N_transition",
            flat(w),
            "# boundaries",
            "*",
            "*",
            "*",
            "0 1 2 3",
            "# resample_rates",
            "0 0 0 0",
        ]
    )
    return parse_model(text, name="toy")


def test_the_file_layout_is_read_as_the_format_says() -> None:
    toy = _toy_model()
    bins = sample_initial(toy, 300, np.random.default_rng(1))
    x, y, z, w = bins.T
    assert set(x) == {0, 1} and set(y) == {0, 1, 2}
    np.testing.assert_array_equal(z, (x + 2 * y + 1) % 6)
    assert np.all(w == 0)
    series = sample_dynamic(toy, bins, 7, np.random.default_rng(2))
    np.testing.assert_array_equal(series[:, :, 3], np.broadcast_to(np.arange(7) % 3, (300, 7)))
    np.testing.assert_array_equal(series[:, :, 2], np.broadcast_to(z[:, None], (300, 7)))  # static
    vals = to_values(toy, series, np.random.default_rng(3))
    assert np.all((vals[:, :, 3] >= series[:, :, 3]) & (vals[:, :, 3] < series[:, :, 3] + 1))
    np.testing.assert_array_equal(vals[:, 0, 2], z + 1)  # a category is numbered from 1
