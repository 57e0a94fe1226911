"""Ingest: real surveillance formats -> :class:`Observations` (SI units), bad input counted, never fatal.

Readers, one small module per format:

* raw Mode S / ADS-B hex frames (:class:`ModeSDecoder`, :func:`decode_frames`; pyModeS 3.x,
  optional extra ``modes``, imported only when raw frames are decoded);
* Beast binary, from a file or TCP (:func:`read_beast`, :class:`BeastParser`, :class:`BeastTcpSource`);
* SBS-1 / BaseStation text, from a file or TCP (:func:`read_sbs`, :class:`SbsParser`,
  :class:`SbsTcpSource`);
* OpenSky-style state vectors, CSV or parquet (:func:`read_state_vectors`);

and :func:`read_recording` choosing one from a file's name. Every reader returns its
:class:`Rejects` report beside the observations.
"""

from typing import Any

from airdecon.ingest._beast import BEAST_CLOCK_HZ, BeastFrame, BeastParser, read_beast
from airdecon.ingest._obs import Observation, Observations, Rejects
from airdecon.ingest._opensky import read_state_vectors, state_vectors_from_frame
from airdecon.ingest._sbs import SbsParser, read_sbs
from airdecon.ingest._sources import (
    FORMATS,
    BeastTcpSource,
    MemorySource,
    SbsTcpSource,
    Source,
    guess_format,
    read_recording,
)
from airdecon.ingest._tcp import FeedStats, TcpFeed

__all__ = [
    "BEAST_CLOCK_HZ",
    "FORMATS",
    "BeastFrame",
    "BeastParser",
    "BeastTcpSource",
    "FeedStats",
    "MemorySource",
    "ModeSDecoder",
    "Observation",
    "Observations",
    "Rejects",
    "SbsParser",
    "SbsTcpSource",
    "Source",
    "TcpFeed",
    "decode_frames",
    "guess_format",
    "read_beast",
    "read_recording",
    "read_sbs",
    "read_state_vectors",
    "state_vectors_from_frame",
]


def __getattr__(name: str) -> Any:
    # the Mode S decoder needs pyModeS (GPL-3.0, optional): import it only when asked for
    if name in ("ModeSDecoder", "decode_frames"):
        from airdecon.ingest import _modes

        return getattr(_modes, name)
    raise AttributeError(f"module 'airdecon.ingest' has no attribute {name!r}")
