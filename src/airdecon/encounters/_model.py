"""Reading an MIT Lincoln Laboratory encounter-model parameter file into Bayesian networks.

The file format (plain text, one ``# field`` header line, then its data):

``# labels_initial``
    one line of comma-separated, double-quoted variable names (``"A", "L", "\\chi", ...``);
``# G_initial``
    the directed acyclic graph, one row per variable: ``G[i][j] = 1`` when *i* is a parent of *j*;
``# r_initial``
    the number of bins of each variable;
``# N_initial``
    one line of counts: for each variable in file order, an ``r_i x q_i`` table (``q_i`` the product
    of its parents' bin counts) stored column-major: column ``j`` (a parent configuration, the first
    parent varying fastest) holds the counts of the ``r_i`` bins;
``# labels_transition`` / ``# G_transition`` / ``# r_transition`` / ``# N_transition``
    the same for the dynamic (transition) network, whose variables are the initial ones followed by
    the dynamic variables at ``t+1`` (``"\\dot h_1(t+1)"``); only those last ones have counts;
``# boundaries``
    one line per initial variable: bin edges (``r_i + 1`` increasing numbers, in the model's units,
    see :data:`UNITS`), or ``*`` for a categorical variable (its value is the bin number);
``# resample_rates``
    per initial variable, the probability per second of redrawing a continuous value within its bin.

Everything is checked as it is read: a malformed file raises :class:`~airdecon.errors.ScenarioError`
naming the file and the field. Bins are numbered from 0 here (the MATLAB reference counts from 1).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from airdecon.errors import ScenarioError
from airdecon.units import FloatArray

__all__ = ["BayesNet", "EncounterModel", "read_model"]

IntArray = npt.NDArray[np.int64]
Fail = Callable[[str], ScenarioError]

_FIELDS = (
    "labels_initial",
    "G_initial",
    "r_initial",
    "N_initial",
    "labels_transition",
    "G_transition",
    "r_transition",
    "N_transition",
    "boundaries",
    "resample_rates",
)
_REQUIRED = ("labels_initial", "G_initial", "r_initial", "N_initial", "boundaries")


@dataclass(frozen=True, eq=False)
class BayesNet:
    """One discrete Bayesian network of an encounter model.

    Attributes
    ----------
    labels : tuple of str
        Variable names as in the file, without quotes (``"\\dot h_1(t+1)"``).
    parents : tuple of tuple of int
        Parents of each variable (0-based indices, increasing: the order of ``asub2ind``).
    r : int array of shape (n,)
        Number of bins of each variable.
    counts : tuple of (float array of shape (q_i, r_i)) or None
        Counts per parent configuration (row) and bin (column); ``None`` for a variable this
        network does not sample (the initial variables inside the transition network).
    order : tuple of int
        A topological order of the sampled variables (parents first).
    """

    labels: tuple[str, ...]
    parents: tuple[tuple[int, ...], ...]
    r: IntArray
    counts: tuple[FloatArray | None, ...]
    order: tuple[int, ...]

    def index(self, label: str) -> int:
        """Position of the variable named *label* (``KeyError`` if absent)."""
        try:
            return self.labels.index(label)
        except ValueError:
            raise KeyError(label) from None

    def probabilities(self, i: int) -> FloatArray:
        """Conditional probability table of variable *i*: shape (q_i, r_i), every row sums to 1.

        A parent configuration never seen in the data (a row of zero counts) gets the uniform
        distribution: the limit of the reference sampler's small constant Dirichlet prior.
        """
        n = self.counts[i]
        if n is None:
            raise KeyError(f"{self.labels[i]} is not sampled by this network")
        total = n.sum(axis=1, keepdims=True)
        uniform = np.full_like(n, 1.0 / n.shape[1])
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(total > 0, n / np.where(total > 0, total, 1.0), uniform)

    def config(self, i: int, bins: IntArray) -> IntArray:
        """Row of variable *i*'s table for each sample: *bins* has shape (m, n) (0-based bins of
        every variable, parents filled in), the result shape (m,)."""
        j = np.zeros(bins.shape[0], dtype=np.int64)
        stride = 1
        for p in self.parents[i]:
            j += bins[:, p] * stride
            stride *= int(self.r[p])
        return j


@dataclass(frozen=True, eq=False)
class EncounterModel:
    """A parsed encounter model: initial network, optional transition network, bin edges.

    Attributes
    ----------
    name : str
        The file's stem (``"cor_v1"``).
    initial : BayesNet
        The network of the state at the start of an encounter.
    transition : BayesNet or None
        The dynamic network (state at *t* and static variables -> dynamic variables at *t+1*).
    boundaries : tuple of (float array) or None
        Bin edges of each initial variable in the model's units; ``None`` for a categorical one.
    resample_rates : float array of shape (n_initial,)
        Probability per second of redrawing a continuous value within its (unchanged) bin.
    temporal_map : tuple of (int, int)
        (index of the variable at *t*, index of the same variable at *t+1*) in the transition
        network; the first index is also the variable's index in the initial network.
    zero_bins : tuple of (int or None)
        The bin of each variable that straddles 0 (de-discretised to exactly 0), if any.
    """

    name: str
    initial: BayesNet
    transition: BayesNet | None
    boundaries: tuple[FloatArray | None, ...]
    resample_rates: FloatArray
    temporal_map: tuple[tuple[int, int], ...]
    zero_bins: tuple[int | None, ...]

    @property
    def dynamic(self) -> tuple[int, ...]:
        """Initial-network indices of the variables that change over time."""
        return tuple(a for a, _ in self.temporal_map)


def read_model(path: str | Path) -> EncounterModel:
    """Read and check an encounter-model parameter file (``cor_v1.txt``, ``dueregard_v1.txt`` ...).

    Raises
    ------
    ScenarioError
        The file cannot be read, misses a field, or its sizes disagree (the message says which).
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"cannot read the encounter model: {exc}", path=str(p)) from None
    return parse_model(text, name=p.stem, source=str(p))


def parse_model(text: str, *, name: str = "model", source: str | None = None) -> EncounterModel:
    """Parse the text of a parameter file (see :func:`read_model`)."""

    def fail(msg: str) -> ScenarioError:
        return ScenarioError(msg, path=source)

    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#"):
            key = line[1:].strip()
            if key not in _FIELDS:
                raise fail(f"unknown field {line!r} (known: {', '.join(_FIELDS)})")
            if key in sections:
                raise fail(f"field {line!r} appears twice")
            current = sections[key] = []
        elif line:
            if current is None:
                raise fail("data before the first '# field' line")
            current.append(line)
    missing = [f for f in _REQUIRED if f not in sections]
    if missing:
        raise fail(f"missing field(s): {', '.join(missing)}")

    initial = _network(sections, "initial", None, fail)
    n0 = len(initial.labels)
    transition = None
    temporal: list[tuple[int, int]] = []
    if "labels_transition" in sections:
        transition = _network(sections, "transition", n0, fail)
        if [_base(x) for x in transition.labels[:n0]] != [_base(x) for x in initial.labels]:
            raise fail("labels_transition must start with the initial variables")
        for k in range(n0, len(transition.labels)):
            lab = transition.labels[k]
            if not lab.endswith("(t+1)"):
                raise fail(f"transition variable {lab!r} is not a '(t+1)' variable")
            now = [i for i in range(n0) if _base(transition.labels[i]) == _base(lab)]
            if len(now) != 1:
                raise fail(f"transition variable {lab!r} has no single '(t)' counterpart")
            if transition.r[now[0]] != transition.r[k]:
                raise fail(f"{lab!r} and its '(t)' variable have different bin counts")
            temporal.append((now[0], k))
        if not np.array_equal(transition.r[:n0], initial.r):
            raise fail("r_transition must repeat r_initial for the initial variables")

    bounds_lines = sections["boundaries"]
    if len(bounds_lines) != n0:
        raise fail(f"boundaries: {len(bounds_lines)} lines for {n0} variables")
    boundaries: list[FloatArray | None] = []
    zero_bins: list[int | None] = []
    for i, line in enumerate(bounds_lines):
        if line == "*":
            boundaries.append(None)
            zero_bins.append(None)
            continue
        edges = _numbers(line, fail, f"boundaries of {initial.labels[i]}")
        if edges.size != initial.r[i] + 1:
            raise fail(f"boundaries of {initial.labels[i]}: {edges.size} edges for {initial.r[i]} bins")
        if not np.all(np.diff(edges) > 0):
            raise fail(f"boundaries of {initial.labels[i]} are not increasing")
        boundaries.append(edges)
        straddle = np.flatnonzero((edges[:-1] < 0) & (edges[1:] > 0))
        zero_bins.append(int(straddle[-1]) if straddle.size else None)

    if "resample_rates" in sections:
        rates = _numbers(" ".join(sections["resample_rates"]), fail, "resample_rates")
        if rates.size != n0 or np.any((rates < 0) | (rates > 1)):
            raise fail(f"resample_rates: need {n0} probabilities in [0, 1]")
    else:
        rates = np.zeros(n0)
    return EncounterModel(
        name, initial, transition, tuple(boundaries), rates, tuple(temporal), tuple(zero_bins)
    )


def _base(label: str) -> str:
    return re.sub(r"\((t|t\+1)\)$", "", label).strip()


def _numbers(line: str, fail: Fail, what: str) -> FloatArray:
    try:
        out = np.array([float(x) for x in line.split()], dtype=np.float64)
    except ValueError:
        raise fail(f"{what}: not a list of numbers") from None
    if not np.all(np.isfinite(out)):
        raise fail(f"{what}: not finite")
    return out


def _network(sections: dict[str, list[str]], which: str, n_static: int | None, fail: Fail) -> BayesNet:
    """One network from its four fields; *n_static* variables (the transition network's initial
    ones) have no counts."""
    f = fail

    def need(key: str) -> list[str]:
        if key not in sections:
            raise f(f"missing field # {key}")
        return sections[key]

    labels = tuple(s.strip().strip('"').strip() for s in " ".join(need(f"labels_{which}")).split(","))
    n = len(labels)
    if n == 0 or any(not s for s in labels):
        raise f(f"labels_{which}: empty variable name")
    rows = need(f"G_{which}")
    if len(rows) != n:
        raise f(f"G_{which}: {len(rows)} rows for {n} variables")
    parsed = [_numbers(row, f, f"G_{which}") for row in rows]
    if any(row.size != n for row in parsed):
        raise f(f"G_{which}: not a {n}x{n} matrix")
    entries = np.array(parsed)
    if not np.all((entries == 0) | (entries == 1)):
        raise f(f"G_{which}: not a {n}x{n} matrix of 0 and 1")
    g = entries.astype(bool)
    r = _numbers(" ".join(need(f"r_{which}")), f, f"r_{which}")
    if r.size != n or np.any(r < 1) or np.any(r != np.round(r)):
        raise f(f"r_{which}: need {n} positive integers")
    r_int = r.astype(np.int64)
    parents = tuple(tuple(int(p) for p in np.flatnonzero(g[:, i])) for i in range(n))
    sampled = range(n) if n_static is None else range(n_static, n)
    flat = _numbers(" ".join(need(f"N_{which}")), f, f"N_{which}")
    if np.any(flat < 0):
        raise f(f"N_{which}: negative count")
    counts: list[FloatArray | None] = [None] * n
    at = 0
    for i in sampled:
        q = int(np.prod([r_int[p] for p in parents[i]])) if parents[i] else 1
        size = q * int(r_int[i])
        if at + size > flat.size:
            raise f(f"N_{which}: {flat.size} counts, fewer than the graph needs")
        counts[i] = flat[at : at + size].reshape(q, int(r_int[i]))  # column-major r x q == row-major q x r
        at += size
    if at != flat.size:
        raise f(f"N_{which}: {flat.size} counts, the graph needs {at}")
    return BayesNet(labels, parents, r_int, tuple(counts), _toposort(g, list(sampled), f, which))


def _toposort(g: npt.NDArray[np.bool_], sampled: list[int], fail: Fail, which: str) -> tuple[int, ...]:
    """Kahn's algorithm, lowest index first (deterministic); only *sampled* variables are ordered,
    the others are given (their edges count as satisfied)."""
    todo = set(sampled)
    done: list[int] = []
    while todo:
        ready = [i for i in sorted(todo) if not any(g[p, i] and p in todo for p in range(g.shape[0]))]
        if not ready:
            raise fail(f"G_{which}: the graph has a cycle")
        done.append(ready[0])
        todo.remove(ready[0])
    return tuple(done)
