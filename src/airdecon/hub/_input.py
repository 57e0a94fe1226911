"""How the hub reads what a party sends it (HTTP bodies, stream messages): the strict reader of
:mod:`airdecon.documents`, the same one every file the CLI reads goes through.

A party may send anything. What the hub accepts must be storable, and readable back, forever: one
value that the record cannot encode or a client cannot decode would break a route for everyone who
may see it. So before any route looks at a value, :func:`load_json` refuses it with a
:class:`~airdecon.errors.MalformedInput` (400, or a stream error with the client's ``ref``) when it
is not UTF-8, holds NaN or an infinity, an integer of more than :data:`MAX_INT_DIGITS` digits, a
lone surrogate, or nesting deeper than :data:`MAX_DEPTH` levels, naming the rule and where.

One difference from the files: two equal keys in an object are not refused here, the last one wins
(as :func:`json.loads` has it), as before the file readers shared this reader. Bodies are read on
the hub's hot path, where the per-object Python hook that finds them costs a quarter more parse
time (a batch of 1,000 reports); and what the hub keeps is what it parsed, so no reader of the
record can see another value than the hub did.
"""

from __future__ import annotations

from typing import Any

from airdecon.documents import MAX_DEPTH, MAX_INT_DIGITS, reject_json_constant
from airdecon.documents import load_json as _strict_load_json

__all__ = ["MAX_DEPTH", "MAX_INT_DIGITS", "load_json", "reject_json_constant"]


def load_json(data: str | bytes, *, int_digits: int = MAX_INT_DIGITS) -> Any:
    """*data* read by :func:`airdecon.documents.load_json` with the hub's policy (see above).

    *int_digits* widens the integer rule for a reader that range-checks every number itself and
    refuses it for one record only (the report batch: a 400-digit latitude refuses that report,
    not its batch).

    Raises
    ------
    MalformedInput
        Not UTF-8, not JSON, or beyond one of the rules (the message names it and where).
    """
    return _strict_load_json(data, int_digits=int_digits, unique_keys=False)
