"""`airdecon protocol ...` end to end through airdecon.cli.main, on real files and real keys."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from airdecon.cli import main
from airdecon.protocol import FORMAT, ProtocolStore

T = ("--at", "2026-11-25T12:00:00Z")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, " ".join(err.split())  # the error console wraps long lines


def draft(public: dict[str, str], **sections: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "format": FORMAT,
        "title": "CLI test protocol",
        "parties": [
            {
                "id": p,
                "name": f"{p} party",
                "role": "civil" if p == "CIVIL" else "party",
                "signing_key": public[p],
                "contacts": [{"name": "duty officer", "phone": "+1 555 0100"}],
            }
            for p in ("BLUE", "RED", "CIVIL")
        ],
    }
    doc.update(sections)
    return doc


@pytest.fixture
def setup(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """Keys made by `airdecon protocol keygen`, an initialised directory, and a draft naming the keys."""
    keys = tmp_path / "keys"
    public: dict[str, str] = {}
    for p in ("BLUE", "RED", "CIVIL"):
        code, out, _ = run(capsys, "protocol", "keygen", p, "--out", str(keys))
        assert code == 0
        match = re.search(r"signing_key: (ed25519:\S+)", out)
        assert match is not None
        public[p] = match.group(1)
        assert (keys / f"{p}.key").stat().st_mode & 0o077 == 0
    path = tmp_path / "draft.yaml"
    path.write_text(yaml.safe_dump(draft(public), sort_keys=False))
    talks = tmp_path / "talks"
    assert run(capsys, "protocol", "init", str(talks))[0] == 0
    return {"keys": keys, "draft": path, "public": public, "talks": str(talks), "tmp": tmp_path}


def key(s: dict[str, Any], party: str) -> tuple[str, ...]:
    return ("--party", party, "--key", str(s["keys"] / f"{party}.key"))


def test_propose_counter_sign_verify_end_to_end(
    setup: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    s = setup
    code, out, err = run(capsys, "protocol", "propose", s["talks"], str(s["draft"]), *key(s, "BLUE"), *T)
    assert code == 0, err
    assert "BLUE proposed r1" in out and "waiting for RED, CIVIL" in out

    counter = s["tmp"] / "counter.yaml"
    counter.write_text(
        yaml.safe_dump(draft(s["public"], minima={"default": {"horizontal_nm": 10}}), sort_keys=False)
    )
    code, out, err = run(
        capsys, "protocol", "counter", s["talks"], "latest", str(counter), *key(s, "RED"), *T
    )
    assert code == 0, err
    assert "~ minima.default.horizontal_nm: 5 -> 10" in out
    assert "RED countered r1" in out

    code, out, _ = run(capsys, "protocol", "verify", s["talks"], "latest")
    assert code == 1 and out.count("open") == 2  # every signature verifies, but nothing is in force

    for p in ("BLUE", "CIVIL"):
        code, out, err = run(capsys, "protocol", "sign", s["talks"], "latest", *key(s, p), *T)
        assert code == 0, err
    assert "in force" in out

    code, out, err = run(capsys, "protocol", "verify", s["talks"], "current")
    assert code == 0, err
    assert "every signature verifies" in out and "in force: r2" in out

    code, out, _ = run(capsys, "protocol", "show", s["talks"], "--format", "json")
    shown = json.loads(out[out.index("{") :])
    assert shown["minima"]["default"]["horizontal_nm"] == 10 and shown["revision"] == 2

    code, out, _ = run(capsys, "protocol", "show", s["talks"], "current", "--format", "canonical")
    store = ProtocolStore(s["talks"])
    current = store.load().in_force()
    assert current is not None and out.rstrip("\n").encode() == current.data

    code, out, _ = run(capsys, "protocol", "log", s["talks"])
    assert [ln.split()[3] for ln in out.splitlines()] == ["propose", "counter", "accept", "accept"]


def test_verify_fails_with_a_clear_message_on_a_tampered_signature(
    setup: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    s = setup
    assert run(capsys, "protocol", "propose", s["talks"], str(s["draft"]), *key(s, "BLUE"), *T)[0] == 0
    sig = next(Path(s["talks"]).glob("signatures/*/BLUE.json"))
    rec = json.loads(sig.read_text())
    rec["signature"] = rec["signature"][:-4] + ("AAA=" if rec["signature"][-4:] != "AAA=" else "BBB=")
    sig.write_text(json.dumps(rec))
    code, _, err = run(capsys, "protocol", "verify", s["talks"])
    assert code == 1
    assert "verification failed" in err and "does not verify against BLUE's key" in err


def test_bad_input_exits_1_naming_the_problem(
    setup: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    s = setup
    bad = s["tmp"] / "bad.yaml"
    bad.write_text(yaml.safe_dump(draft(s["public"], minima={"default": {"horizontal_nm": -5}})))
    code, _, err = run(capsys, "protocol", "propose", s["talks"], str(bad), *key(s, "BLUE"), *T)
    assert code == 1 and "minima.default.horizontal_nm: must be > 0" in err

    code, _, err = run(
        capsys,
        "protocol",
        "propose",
        s["talks"],
        str(s["draft"]),
        "--party",
        "BLUE",
        "--key",
        str(s["keys"] / "RED.key"),
        *T,
    )
    assert code == 1 and "not BLUE's signing key" in err

    code, _, err = run(capsys, "protocol", "sign", s["talks"], "abcd", *key(s, "RED"), *T)
    assert code == 1 and "no such version" in err

    code, _, err = run(capsys, "protocol", "verify", str(s["tmp"]))
    assert code == 1 and "not a protocol directory" in err

    code, _, err = run(capsys, "protocol", "keygen", "BLUE", "--out", str(s["keys"]))
    assert code == 1 and "refusing to overwrite a key" in err

    code, _, err = run(
        capsys, "protocol", "propose", s["talks"], str(s["draft"]), *key(s, "BLUE"), "--at", "noon"
    )
    assert code == 1 and "--at: not an ISO 8601 time" in err


def test_diff_between_document_files(setup: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    s = setup
    other = s["tmp"] / "other.json"
    doc = draft(s["public"])
    doc["parties"][1]["watch_own_pairs"] = True
    other.write_text(json.dumps(doc))
    code, out, _ = run(capsys, "protocol", "diff", s["talks"], str(s["draft"]), str(other))
    assert code == 0
    assert out.strip() == "~ parties[RED].watch_own_pairs: false -> true"


def test_amendment_of_the_version_in_force(setup: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    s = setup
    assert run(capsys, "protocol", "propose", s["talks"], str(s["draft"]), *key(s, "BLUE"), *T)[0] == 0
    for p in ("RED", "CIVIL"):
        assert run(capsys, "protocol", "sign", s["talks"], "latest", *key(s, p), *T)[0] == 0
    code, _, err = run(capsys, "protocol", "propose", s["talks"], str(s["draft"]), *key(s, "RED"), *T)
    assert code == 1 and "already exists" in err
    amended = s["tmp"] / "amended.yaml"
    amended.write_text(
        yaml.safe_dump(draft(s["public"], distress={"frequencies_mhz": [121.5, 243.0, 406.0]}))
    )
    code, _, err = run(capsys, "protocol", "propose", s["talks"], str(amended), *key(s, "RED"), *T)
    assert code == 1 and "is in force: propose an amendment instead" in err
    code, out, err = run(
        capsys, "protocol", "propose", s["talks"], str(amended), "--amends", "current", *key(s, "RED"), *T
    )
    assert code == 0, err
    code, out, _ = run(capsys, "protocol", "diff", s["talks"], "current", "latest")
    assert "~ distress.frequencies_mhz: [121.5,243] -> [121.5,243,406]" in out
    code, out, _ = run(capsys, "protocol", "verify", s["talks"], "latest")
    assert code == 1 and "in force: " not in out  # the amendment is not in force until all sign
    for p in ("BLUE", "CIVIL"):
        assert run(capsys, "protocol", "sign", s["talks"], "latest", *key(s, p), *T)[0] == 0
    code, out, _ = run(capsys, "protocol", "verify", s["talks"], "latest")
    assert code == 0 and "in force: r2" in out and "superseded" in out


def test_an_amendment_starts_from_what_protocol_show_prints(
    setup: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """`protocol show current > f`, edit f, `propose f --amends current`: the natural move works
    even when the version in force has a parent of its own (its copy names that parent)."""
    s = setup
    everyone = ("BLUE", "RED", "CIVIL")

    def in_force(path: Path, *amends: str) -> None:
        assert run(capsys, "protocol", "propose", s["talks"], str(path), *amends, *key(s, "BLUE"), *T)[0] == 0
        for p in everyone[1:]:
            assert run(capsys, "protocol", "sign", s["talks"], "latest", *key(s, p), *T)[0] == 0

    in_force(s["draft"])
    r2 = s["tmp"] / "r2.yaml"
    r2.write_text(yaml.safe_dump(draft(s["public"], distress={"frequencies_mhz": [121.5, 243.0, 406.0]})))
    in_force(r2, "--amends", "current")  # r2, whose parent is r1, is in force
    code, shown, _ = run(capsys, "protocol", "show", s["talks"], "current")
    assert code == 0 and "parent: sha256:" in shown
    r3 = s["tmp"] / "r3.yaml"
    r3.write_text(shown.replace("title: CLI test protocol", "title: CLI test protocol, r3"))
    code, out, err = run(
        capsys, "protocol", "propose", s["talks"], str(r3), "--amends", "current", *key(s, "RED"), *T
    )
    assert code == 0, err
    code, out, _ = run(capsys, "protocol", "diff", s["talks"], "current", "latest")
    assert "title" in out and "r3" in out
    # a file naming some other version is refused, saying exactly what to change
    other = s["tmp"] / "other.yaml"
    other.write_text(
        shown.replace("parent: sha256:", "parent: sha256:0", 1).replace("title: CLI", "title: x CLI")
    )
    code, _, err = run(
        capsys, "protocol", "propose", s["talks"], str(other), "--amends", "current", *key(s, "RED"), *T
    )
    assert code == 1 and "remove the parent line, or set it to sha256:" in err
