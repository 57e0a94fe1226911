"""The parameter-file reader on the real MIT Lincoln Laboratory files, and on broken ones."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from airdecon.encounters import EncounterModel, parse_model, read_model
from airdecon.errors import ScenarioError

FILES = [
    "cor_v1",
    "dueregard_v1",
    "uncor_1200code_v1",
    "uncor_allcode_fwmulti_v1",
    "uncor_allcode_fwsingle_v1",
]


def test_correlated_model_shape(cor: EncounterModel) -> None:
    assert len(cor.initial.labels) == 16
    assert cor.initial.labels[:4] == ("A", "L", "\\chi", "\\beta")
    assert cor.initial.labels[-2:] == ("hmd", "vmd")
    assert cor.transition is not None and len(cor.transition.labels) == 20
    assert cor.initial.r.tolist() == [4, 5, 2, 12, 2, 2, 6, 6, 5, 5, 9, 9, 9, 9, 4, 10]
    # the four dynamic variables: vertical and turn rates of both aircraft
    assert [cor.initial.labels[i] for i in cor.dynamic] == [
        "\\dot h_1",
        "\\dot h_2",
        "\\dot \\psi_1",
        "\\dot \\psi_2",
    ]
    assert cor.initial.parents[cor.initial.index("\\chi")] == (3, 14)  # beta and hmd
    assert cor.boundaries[cor.initial.index("hmd")].tolist() == [0, 0.0822896, 0.5, 1, 3]
    assert cor.boundaries[cor.initial.index("L")] is None  # categorical
    assert cor.zero_bins[cor.initial.index("\\dot h_1")] == 4  # [-400, 400] ft/min is level


def test_due_regard_model_shape(dueregard: EncounterModel) -> None:
    assert dueregard.initial.labels == ("L", "G", "v", "\\psi", "\\dot v", "\\dot h", "\\dot \\psi")
    assert dueregard.transition is not None and len(dueregard.transition.labels) == 10
    assert [dueregard.initial.labels[i] for i in dueregard.dynamic] == ["\\dot v", "\\dot h", "\\dot \\psi"]
    assert dueregard.boundaries[0].tolist() == [0, 5500, 10000, 18000, 29000, 41000, 70000]


@pytest.mark.parametrize("name", FILES)
def test_every_table_normalises_and_edges_increase(model_dir: Path, name: str) -> None:
    m = read_model(model_dir / f"{name}.txt")
    for net in (m.initial, m.transition):
        assert net is not None
        sampled = [i for i, c in enumerate(net.counts) if c is not None]
        assert sampled and list(net.order) == sorted(net.order, key=list(net.order).index)
        assert sorted(net.order) == sampled
        for i in sampled:
            q = int(np.prod([net.r[p] for p in net.parents[i]]))
            assert net.counts[i].shape == (q, net.r[i])
            p = net.probabilities(i)
            assert np.all(p >= 0)
            np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=0, atol=1e-12)
            # parents come before their child in the sampling order
            for par in net.parents[i]:
                if net.counts[par] is not None:
                    assert net.order.index(par) < net.order.index(i)
    for i, edges in enumerate(m.boundaries):
        if edges is not None:
            assert edges.size == m.initial.r[i] + 1
            assert np.all(np.diff(edges) > 0)


@pytest.mark.parametrize(
    ("extra", "message"),
    [(-1, "21192 counts, fewer than the graph needs"), (1, "21194 counts, the graph needs 21193")],
)
def test_a_wrong_number_of_counts_is_refused(model_dir: Path, extra: int, message: str) -> None:
    lines = (model_dir / "cor_v1.txt").read_text().splitlines()
    k = lines.index("# N_initial") + 1
    counts = lines[k].split()
    lines[k] = " ".join(counts[:-1] if extra < 0 else [*counts, "7"])
    with pytest.raises(ScenarioError, match=f"cut.txt: N_initial: {message}"):
        parse_model("\n".join(lines), source="cut.txt")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda s: s.replace("# boundaries", "# bounds"), "unknown field '# bounds'"),
        (lambda s: s.replace("# r_initial\n4 5", "# r_initial\n4 0"), "r_initial: need 16 positive integers"),
        (lambda s: s.replace("\n0 30 60 90", "\n30 0 60 90"), "boundaries of \\\\beta are not increasing"),
        (lambda s: s.split("# resample_rates")[0].split("# boundaries")[0], "missing field.*boundaries"),
    ],
)
def test_broken_files_name_the_field(model_dir: Path, edit, message: str) -> None:  # type: ignore[no-untyped-def]
    text = (model_dir / "cor_v1.txt").read_text().replace("\r\n", "\n")
    with pytest.raises(ScenarioError, match=message):
        parse_model(edit(text), source="broken.txt")


def test_an_unreadable_file_is_a_scenario_error(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="cannot read"):
        read_model(tmp_path / "absent.txt")
