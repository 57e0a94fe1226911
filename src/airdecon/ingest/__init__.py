"""Ingest: real surveillance formats -> :class:`Observations` (SI units), bad input counted, never fatal.

Readers, one small module per format:

* raw Mode S / ADS-B hex frames (:func:`decode_frames`, :class:`ModeSDecoder`; pyModeS 3.x);
* Beast binary, from a file or TCP (:func:`read_beast`, :class:`BeastParser`);
* SBS-1 / BaseStation text, from a file or TCP (:func:`read_sbs`, :class:`SbsParser`);
* OpenSky-style state vectors, CSV or parquet (:func:`read_state_vectors`);

and :func:`read_recording` choosing one from a file's name. Every reader returns its
:class:`Rejects` report beside the observations.
"""

from airdecon.ingest._obs import Observation, Observations, Rejects
from airdecon.ingest._opensky import read_state_vectors, state_vectors_from_frame

__all__ = [
    "Observation",
    "Observations",
    "Rejects",
    "read_state_vectors",
    "state_vectors_from_frame",
]
