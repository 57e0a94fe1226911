"""The ``airdecon`` command line: ``main(argv) -> int``.

Exit codes: 0 the command ran (conflicts or not); 1 invalid input (a clear message on stderr);
2 usage error (unknown option, missing argument).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from rich.text import Text

from airdecon._memory import keep_freed_memory
from airdecon.cli import audit as _audit  # noqa: F401
from airdecon.cli import detect as _detect  # noqa: F401 - registers the commands
from airdecon.cli import plan as _plan  # noqa: F401
from airdecon.cli import protocol as _protocol  # noqa: F401
from airdecon.cli import replay as _replay  # noqa: F401
from airdecon.cli import serve as _serve  # noqa: F401
from airdecon.cli import simulate as _simulate  # noqa: F401
from airdecon.cli._app import app, err_console
from airdecon.errors import AirdeconError

__all__ = ["app", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with *argv* (default ``sys.argv[1:]``) and return the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    keep_freed_memory()  # the engine's arrays reuse freed memory instead of faulting it in again
    try:
        app(args=args, prog_name="airdecon", standalone_mode=True)
    except SystemExit as exc:  # typer ends every run, and every usage error (2), this way
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except AirdeconError as exc:
        err_console.print(Text.assemble(("error: ", "bold red"), str(exc)), soft_wrap=True)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
