"""Every file the CLI reads, handed every hostile document of ``tests/documents/hostile.py``: the
CLI's usual clear error (``error: <file>: <rule> at <where>``, exit status 1), never a traceback,
never a hang.

The files: scenarios (``detect``, JSON and YAML), protocol documents (``protocol propose``; the
hub's ``--protocol FILE``, through ``party token``), the protocol directory's history (``protocol
log``), the replay's protocol file (``replay --protocol``), incident exports and heads files
(``audit check``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from airdecon.audit import EXPORT_FORMAT, HubKey
from airdecon.cli import main
from airdecon.documents import MAX_DEPTH
from airdecon.store import NewEvent, open_store
from tests.documents.hostile import JSON_CASES, YAML_CASES, Hostile

EMPTY_EXPORT = {
    "format": EXPORT_FORMAT, "window": {"from": 0, "to": 1}, "parties": None, "anchor": None,
    "entries": [], "checkpoints": [], "party_anchors": {},
}  # fmt: skip

# a file kind: (file name, how the command line reads it: argv for the file's path and a scratch dir)
Command = Callable[[Path, Path], list[str]]


def _detect(f: Path, d: Path) -> list[str]:
    return ["detect", str(f)]


def _propose(f: Path, d: Path) -> list[str]:
    assert main(["protocol", "init", str(d / "neg")]) == 0
    return ["protocol", "propose", str(d / "neg"), str(f), "--party", "BLUE", "--key", str(d / "BLUE.key")]


def _history(f: Path, d: Path) -> list[str]:
    assert main(["protocol", "init", str(d / "neg")]) == 0
    (d / "neg" / "history.jsonl").write_bytes(f.read_bytes())
    return ["protocol", "log", str(d / "neg")]


def _replay(f: Path, d: Path) -> list[str]:
    (d / "rec.csv").write_text("")
    return ["replay", str(d / "rec.csv"), "--protocol", str(f), "--out", str(d / "out"), "--no-plot"]


def _party_token(f: Path, d: Path) -> list[str]:
    return ["party", "token", "BLUE", "--protocol", str(f), "--db", str(d / "hub.db")]


def _pub(d: Path) -> Path:
    pub = d / "hub.pub"
    pub.write_bytes(HubKey.generate().public_pem())
    return pub


def _check_export(f: Path, d: Path) -> list[str]:
    return ["audit", "check", str(f), "--pub", str(_pub(d))]


def _check_heads(f: Path, d: Path) -> list[str]:
    export = d / "export.json"
    export.write_text(json.dumps(EMPTY_EXPORT))
    return ["audit", "check", str(export), "--pub", str(_pub(d)), "--heads", str(f)]


def _plan(f: Path, d: Path) -> list[str]:  # refused before any hub is asked (none listens on port 9)
    return ["plan", "file", str(f), "--hub", "http://127.0.0.1:9", "--party", "BLUE", "--token", "t"]


# (kind, file name, command, as a line of a JSON lines file?)
JSON_KINDS = [
    ("scenario", "scenario.json", _detect, False),
    ("protocol-document", "proposal.json", _propose, False),
    ("protocol-history", "history.jsonl", _history, True),
    ("hub-protocol", "hub-protocol.json", _party_token, False),
    ("replay-protocol", "rules.json", _replay, False),
    ("export", "incident.json", _check_export, False),
    ("heads", "blue.heads", _check_heads, True),
    ("plan", "plan.json", _plan, False),
]
YAML_KINDS = [
    ("scenario", "scenario.yaml", _detect),
    ("protocol-document", "proposal.yaml", _propose),
    ("hub-protocol", "hub-protocol.yaml", _party_token),
    ("replay-protocol", "rules.yml", _replay),
    ("plan", "plan.yaml", _plan),
]


def run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, " ".join(err.split())


def assert_clear_refusal(code: int, out: str, err: str, case: Hostile, where: str) -> None:
    assert code == 1, err
    assert err.startswith("error: ") and "Traceback" not in err
    assert where in err, f"the error names the file: {err[:300]}"
    assert case.words in err, err[:300]
    if case.rule not in ("encoding", "size"):
        assert " at $" in err or " at line " in err, f"the error says where: {err[:300]}"
    assert len(err) < 1000, "the error does not repeat the hostile document"
    assert out == ""


@pytest.mark.parametrize("case", JSON_CASES, ids=str)
@pytest.mark.parametrize(("kind", "name", "command", "lines"), JSON_KINDS, ids=[k[0] for k in JSON_KINDS])
def test_hostile_json_file_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
    kind: str, name: str, command: Command, lines: bool, case: Hostile,
) -> None:  # fmt: skip
    f = tmp_path / name
    f.write_bytes(b"\n" + case.data + b"\n" if lines else case.data)  # a line file: on line 2
    argv = command(f, tmp_path)
    capsys.readouterr()
    code, out, err = run(capsys, argv)
    where = f"{name}:2" if lines else name
    assert_clear_refusal(code, out, err, case, where)


@pytest.mark.parametrize("case", YAML_CASES, ids=str)
@pytest.mark.parametrize(("kind", "name", "command"), YAML_KINDS, ids=[k[0] for k in YAML_KINDS])
def test_hostile_yaml_file_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, name: str, command: Command, case: Hostile
) -> None:
    f = tmp_path / name
    f.write_bytes(case.data)
    argv = command(f, tmp_path)
    capsys.readouterr()
    code, out, err = run(capsys, argv)
    assert_clear_refusal(code, out, err, case, name)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("scenario.scn", b"00:00:00.00>CRE A1,B738,52.0,4.0,90,FL300,1e300\n"),
        ("scenario.scn", b"00:00:00.00>CRE A1,B738,52.0,4.0,90,nan,250\n"),
        ("scenario.scn", b"00:00:00.00>CRE A1,B738,52.0,4.0,90,1e999,250\n"),
        ("scenario.scn", b"00:00:00.00>DTLOOK inf\n"),
    ],
)
def test_hostile_bluesky_line_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, data: bytes
) -> None:
    f = tmp_path / name
    f.write_bytes(data)
    code, out, err = run(capsys, ["detect", str(f)])
    assert code == 1 and err.startswith("error: ") and f"{name}: line 1" in err, err
    assert out == ""


def _case(name: str) -> Hostile:
    return next(c for c in [*JSON_CASES, *YAML_CASES] if c.name == name)


@pytest.mark.parametrize(
    ("case", "name", "command", "lines"),
    [
        (_case("json-nested-100000"), "scenario.json", _detect, False),
        (_case("yaml-billion-laughs"), "proposal.yaml", _propose, False),
        (_case("json-int-5000-digits"), "blue.heads", _check_heads, True),
    ],
    ids=["detect-deep-json", "propose-billion-laughs", "check-heads-huge-int"],
)
def test_a_real_process_says_it_in_one_line_and_exits_1(
    tmp_path: Path, case: Hostile, name: str, command: Command, lines: bool
) -> None:
    f = tmp_path / name
    f.write_bytes(b"\n" + case.data + b"\n" if lines else case.data)
    argv = command(f, tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "airdecon", *argv], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("error: ") and case.words in done.stderr
    assert done.stdout == ""


def test_an_export_of_the_deepest_body_the_hub_accepts_still_checks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A line message's ``fields`` may be as deep as a body may be; in an export that payload
    sits three levels down, and ``audit check`` must still read it."""
    key = HubKey.generate()
    store = open_store(tmp_path / "hub.db", signer=key, checkpoint_every=1)
    fields: object = "deep"
    for _ in range(MAX_DEPTH - 1):  # the body {"fields": …} has MAX_DEPTH levels
        fields = [fields]
    store.append(NewEvent("message", "BLUE", {"fields": fields}, audience={"RED"}), at=1_764_072_000.0)
    store.checkpoint(at=1_764_072_060.0)
    store.close()
    pub = tmp_path / "hub.pub"
    pub.write_bytes(key.public_pem())
    export = tmp_path / "incident.json"
    window = ["--from", "0", "--to", "1764072100"]
    assert main(["audit", "export", "--db", str(tmp_path / "hub.db"), *window, "--out", str(export)]) == 0
    code, out, err = run(capsys, ["audit", "check", str(export), "--pub", str(pub)])
    assert code == 0, err
    assert "1 disclosed" in out
