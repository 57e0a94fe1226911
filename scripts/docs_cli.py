"""Regenerate docs/cli.md, the command-line reference, from the ``--help`` of every command.

Run: python scripts/docs_cli.py            (writes docs/cli.md)
     python scripts/docs_cli.py --stdout   (prints it; tests/docs/test_cli_reference.py compares)

The help is rendered by typer itself (typer.testing.CliRunner) at a fixed width, without colour or
terminal detection, so the output depends only on the code.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

WIDTH = 100
# Read by typer and rich when they are imported: set them first.
for var in ("GITHUB_ACTIONS", "FORCE_COLOR", "PY_COLORS", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
    os.environ.pop(var, None)
os.environ.update(
    {
        "TERMINAL_WIDTH": str(WIDTH),
        "COLUMNS": str(WIDTH),
        "_TYPER_FORCE_DISABLE_TERMINAL": "1",
        "NO_COLOR": "1",
    }
)

import typer  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from airdecon.cli import app  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "docs" / "cli.md"

HEADER = """\
# Command-line reference

Generated from the `--help` of every command by `scripts/docs_cli.py` (`make docs`); do not edit by
hand: `tests/docs/test_cli_reference.py` fails when this file and the commands' help differ.
Exit status of every command: 0 ran, 1 invalid input (a message on stderr), 2 usage error.

Every JSON or YAML file a command reads (scenarios, protocol documents and the files of a protocol
directory, `replay --protocol`, incident exports and heads files for `audit check`) goes through
one strict reader (`airdecon.documents`, the one the hub reads bodies with). It refuses, with
`error: FILE: RULE at WHERE` (a JSON path such as `$.aircraft[3].lat`, or `line 4, column 7`;
`FILE:LINE` for a line of a JSON lines file) and exit status 1: bytes that are not UTF-8; nesting
deeper than 32 levels (35 in an incident export, whose payloads sit three levels down); a lone
surrogate (`"\\ud800"`) in a key or a string; an integer of more than 19 digits; NaN and infinities
(`NaN`, `1e999`, YAML `.nan`, `.inf`); two equal keys in an object. In YAML also: aliases that
repeat more than 10,000 nodes in all (a "billion laughs") or refer to themselves, keys that are not
strings (`1:`, `yes:`, `<<:`), values JSON has no type for (an unquoted date, `!!binary`, `!!set`),
and files over 1 MiB (write larger data as JSON).
"""


def command_paths() -> list[list[str]]:
    """Every command and subcommand, depth first in the order typer lists them."""
    paths: list[list[str]] = []

    def walk(cmd: object, path: list[str]) -> None:
        paths.append(path)
        for name, sub in (getattr(cmd, "commands", None) or {}).items():
            if not getattr(sub, "hidden", False):
                walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return paths


def render() -> str:
    runner = CliRunner()
    parts = [HEADER]
    for path in command_paths():
        result = runner.invoke(app, [*path, "--help"], prog_name="airdecon", env={"COLUMNS": str(WIDTH)})
        if result.exit_code != 0:
            raise SystemExit(f"airdecon {' '.join(path)} --help exited {result.exit_code}: {result.output}")
        text = "\n".join(line.rstrip() for line in result.output.splitlines()).strip("\n")
        title = " ".join(["airdecon", *path])
        parts.append(f"## `{title}`\n\n```text\n{text}\n```\n")
    return "\n".join(parts)


def main(argv: list[str]) -> int:
    text = render()
    if "--stdout" in argv:
        sys.stdout.write(text)
    else:
        OUT.write_text(text, encoding="utf-8")
        print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
