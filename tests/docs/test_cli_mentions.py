"""Every ``airdecon …`` command line quoted in README.md and docs/*.md names a real command and
only options that command has (docs/cli.md is the reference, itself checked against ``--help``)."""

from __future__ import annotations

import re
from pathlib import Path

import typer

from airdecon.cli import app

ROOT = Path(__file__).resolve().parents[2]
SECTION = re.compile(r"^## `(airdecon[^`]*)`\n(.*?)(?=^## `|\Z)", re.MULTILINE | re.DOTALL)
OPTION = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")


def mentions() -> list[tuple[str, str]]:
    """(file, command line) for every inline `airdecon …` span and code line starting with it."""
    found = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        if path.name == "cli.md":
            continue
        text = path.read_text(encoding="utf-8")
        lines = re.findall(r"`(airdecon [^`]+)`", text)
        fenced = False
        for raw in text.splitlines():
            if raw.lstrip().startswith("```"):
                fenced = not fenced
            elif fenced and re.match(r"\$? ?airdecon ", raw.lstrip()):
                lines.append(raw.lstrip().removeprefix("$").strip())
        found += [(path.name, line.split("#")[0].strip()) for line in lines]
    return found


def resolve(words: list[str]) -> tuple[list[list[str]], list[str]]:
    """The command paths a mention names (``a|b`` and ``a/b`` are alternatives) and the words it
    uses as subcommands but that are none."""
    paths: list[list[str]] = [[]]
    node = typer.main.get_command(app)
    unknown: list[str] = []
    for word in words:
        subs = getattr(node, "commands", None) or {}
        if not subs or word.startswith(("-", "[", "…")) or not re.fullmatch(r"[a-z][a-z|/-]*", word):
            break
        names = re.split(r"[|/]", word)
        missing = [n for n in names if n not in subs]
        if missing:
            unknown += missing
            break
        paths = [[*p, n] for p in paths for n in names]
        node = subs[names[0]]
    return paths, unknown


def test_every_quoted_command_and_option_exists() -> None:
    reference = {
        m.group(1): m.group(2) for m in SECTION.finditer((ROOT / "docs" / "cli.md").read_text("utf-8"))
    }
    assert "airdecon replay" in reference and "airdecon party token" in reference
    quoted = mentions()
    assert len(quoted) > 20
    problems = []
    for where, line in quoted:
        words = line.split()[1:]
        paths, unknown = resolve(words)
        if unknown:
            problems.append(f"{where}: `{line}`: no command {unknown}")
            continue
        for path in paths:
            help_text = reference.get(" ".join(["airdecon", *path]), "")
            for opt in OPTION.findall(line):
                if opt not in help_text:
                    problems.append(f"{where}: `{line}`: `airdecon {' '.join(path)}` has no {opt}")
    assert not problems, "docs quote commands or options that do not exist:\n" + "\n".join(problems)
