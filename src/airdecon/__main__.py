"""``python -m airdecon``: the same as the ``airdecon`` command."""

import sys

from airdecon.cli import main

sys.exit(main())
