"""traffic.png labels: a cluster of losses of separation (the CDG case) stays readable."""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.text import Text

from airdecon.replay._plot import MAX_LABELS, place_labels


def test_labels_of_a_tight_cluster_do_not_overprint() -> None:
    fig, ax = plt.subplots(figsize=(10, 9), dpi=110)
    ax.set_xlim(2.0, 3.0)
    ax.set_ylim(48.5, 49.5)
    # twelve losses within a few hundred metres of each other, as at an airport
    labels = [(2.55 + 0.001 * k, 49.01 + 0.0007 * (k % 4), f"AF{k:03d}/BA{k:03d} 0.{k}1 NM", "#d62728")
              for k in range(MAX_LABELS)]  # fmt: skip
    notes = place_labels(ax, labels)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    # the text of each label (an annotation's own extent includes its leader line)
    boxes = [Text.get_window_extent(n, renderer) for n in notes]  # type: ignore[arg-type]
    assert len(boxes) == MAX_LABELS
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b), (a, b)
    # each label still points at its own aircraft pair
    assert sorted((n.xy for n in notes), key=lambda p: p[0]) == sorted((x, y) for x, y, _, _ in labels)  # type: ignore[attr-defined]
    plt.close(fig)
