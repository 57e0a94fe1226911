"""Sources: recordings and live feeds behind one small protocol, and ``read_recording`` by file type.

A :class:`Source` yields batches of :class:`Observations` and keeps a :class:`Rejects` report.
Built in:

* :class:`MemorySource`: observations already in memory (a loaded recording; tests; demos);
* :class:`BeastTcpSource`: Beast binary from ``host:port`` (port 30005), decoded with pyModeS;
* :class:`SbsTcpSource`: SBS-1 text from ``host:port`` (port 30003).

Both live sources resume after the connection drops (see :class:`~airdecon.ingest.TcpFeed`); a
frame or line cut by the drop is counted as ``truncated``. Live observations are stamped with the
receive time given by ``clock`` (default: the wall clock; this is the ingest edge).

File types for :func:`read_recording` (``fmt`` overrides the guess from the name):

=============================  ==========  ==============================================
name                           fmt         reader
=============================  ==========  ==============================================
``*.parquet``, ``*.pq``        opensky     state vectors
``*.csv[.gz]`` with ``frame``  frames      raw hex frames + ``timestamp`` column
``*.csv[.gz]`` otherwise       opensky     state vectors
``*.bin``, ``*.beast``         beast       Beast binary (time = 12 MHz counter + ``t0_s``)
``*.sbs``, ``*.basestation``   sbs         SBS-1 text lines
``*.avr``, ``*.hex``, ``*.txt``  avr       raw hex lines ``*8D...;`` (``@`` + 12-digit
                                           48-bit 12 MHz timestamp accepted)
=============================  ==========  ==============================================
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

import pandas as pd

from airdecon.errors import IngestError
from airdecon.ingest._beast import BEAST_CLOCK_HZ, BeastParser, read_beast
from airdecon.ingest._obs import Observation, Observations, Rejects
from airdecon.ingest._opensky import read_state_vectors
from airdecon.ingest._sbs import SbsParser, read_sbs
from airdecon.ingest._tcp import TcpFeed

__all__ = [
    "FORMATS",
    "BeastTcpSource",
    "MemorySource",
    "SbsTcpSource",
    "Source",
    "guess_format",
    "read_recording",
]

FORMATS = ("opensky", "frames", "beast", "sbs", "avr")


class Source(Protocol):
    """Anything that yields observation batches and reports what it rejected."""

    rejects: Rejects

    def batches(self) -> Iterator[Observations]:
        """Observation batches, in time order within each batch."""
        ...


class MemorySource:
    """A source over observations already in memory, in batches of ``batch`` rows."""

    def __init__(self, obs: Observations, rejects: Rejects | None = None, *, batch: int = 10_000) -> None:
        self.obs = obs
        self.rejects = rejects if rejects is not None else Rejects(total=len(obs))
        self.batch = batch

    def batches(self) -> Iterator[Observations]:
        """The observations in order, ``batch`` rows at a time."""
        for k in range(0, len(self.obs), self.batch):
            yield self.obs.take(slice(k, k + self.batch))


class BeastTcpSource:
    """Live Beast binary from ``host:port``, decoded with pyModeS, resuming after drops.

    Each received chunk becomes one batch (possibly empty). ``feed`` is the underlying
    :class:`TcpFeed` (its ``stats`` count connections and drops; ``stop()`` ends the source).
    """

    def __init__(self, host: str, port: int, *, clock: Callable[[], float] = time.time,
                 surface_ref: str | tuple[float, float] | None = None, **feed_kwargs: float) -> None:
        from airdecon.ingest._modes import ModeSDecoder

        self.rejects = Rejects()
        self.parser = BeastParser(self.rejects)
        self.decoder = ModeSDecoder(surface_ref=surface_ref, rejects=Rejects())
        self.clock = clock
        self.feed = TcpFeed(host, port, on_drop=lambda _why: self.parser.reset(), **feed_kwargs)  # type: ignore[arg-type]
        self.mode_ac = 0

    def batches(self) -> Iterator[Observations]:
        """One batch per received chunk."""
        for chunk in self.feed:
            t = self.clock()
            rows: list[Observation] = []
            for fr in self.parser.feed(chunk):
                if fr.kind == "mode-ac":
                    self.mode_ac += 1
                    continue
                obs = self.decoder.decode(fr.hex, t)
                if obs is not None:
                    rows.append(obs)
            yield Observations.from_rows(rows)
        self.parser.reset()
        frames_read = self.rejects.total
        self.rejects.merge(self.decoder.rejects)
        self.rejects.total = frames_read


class SbsTcpSource:
    """Live SBS-1 text from ``host:port``, resuming after drops; a line cut by a drop is counted."""

    def __init__(self, host: str, port: int, *, utc_offset_s: float = 0.0, **feed_kwargs: float) -> None:
        self.rejects = Rejects()
        self.parser = SbsParser(utc_offset_s=utc_offset_s, rejects=self.rejects)
        self._partial = b""
        self.feed = TcpFeed(host, port, on_drop=self._drop, **feed_kwargs)  # type: ignore[arg-type]

    def _drop(self, _why: str) -> None:
        if self._partial:
            self.rejects.total += 1
            self.rejects.add("truncated", self._partial.decode("ascii", "replace"),
                             "line cut when the stream dropped")
        self._partial = b""

    def batches(self) -> Iterator[Observations]:
        """One batch per received chunk (complete lines only)."""
        for chunk in self.feed:
            data = self._partial + chunk
            *lines, self._partial = data.split(b"\n")
            rows = [o for o in (self.parser.parse(ln.decode("ascii", "replace")) for ln in lines)
                    if o is not None]
            yield Observations.from_rows(rows)
        self._drop("end of feed")


def guess_format(path: str | Path) -> str:
    """The recording format from the file's name (and, for CSV, its header)."""
    p = Path(path)
    name = p.name.lower()
    if name.endswith((".parquet", ".pq")):
        return "opensky"
    if name.endswith((".csv", ".csv.gz")):
        head = pd.read_csv(p, nrows=0)
        return "frames" if "frame" in head.columns else "opensky"
    if name.endswith((".bin", ".beast")):
        return "beast"
    if name.endswith((".sbs", ".basestation", ".sbs1")):
        return "sbs"
    if name.endswith((".avr", ".hex", ".txt")):
        return "avr"
    raise IngestError(f"cannot tell the format from the name; choose one of {', '.join(FORMATS)}",
                      source=str(p))


def read_recording(
    path: str | Path,
    *,
    fmt: str | None = None,
    t0_s: float = 0.0,
    surface_ref: str | tuple[float, float] | None = None,
) -> tuple[Observations, Rejects]:
    """Read a recording of any supported format into time-ordered observations.

    Parameters
    ----------
    path : str or Path
    fmt : str, optional
        One of :data:`FORMATS` (default: guessed, see the module docstring).
    t0_s : float
        For Beast and AVR files, whose times are a receiver's 12 MHz counter: the Unix time of
        counter zero (default 0: times are then counter seconds).
    surface_ref : str or (lat, lon), optional
        Receiver position or airport, for surface positions in raw frames.

    Raises
    ------
    IngestError
        If the file cannot be read or its format is unknown.
    """
    p = Path(path)
    if not p.exists():
        raise IngestError("no such file", source=str(p))
    kind = fmt or guess_format(p)
    if kind == "opensky":
        return read_state_vectors(p)
    if kind == "sbs":
        return read_sbs(p)
    if kind not in ("frames", "beast", "avr"):
        raise IngestError(f"unknown format {kind!r}; choose one of {', '.join(FORMATS)}", source=str(p))
    from airdecon.ingest._modes import ModeSDecoder

    dec = ModeSDecoder(surface_ref=surface_ref)
    rows: list[Observation] = []
    if kind == "frames":
        df = pd.read_csv(p, dtype=str, usecols=["timestamp", "frame"], low_memory=False)
        ts = pd.to_numeric(df["timestamp"], errors="coerce").tolist()
        for frame, t in zip(df["frame"].fillna("").tolist(), ts, strict=True):
            if t != t:
                dec.rejects.total += 1
                dec.rejects.add("bad-time", frame, "timestamp missing or not a number")
                continue
            obs = dec.decode(frame, float(t))
            if obs is not None:
                rows.append(obs)
        return Observations.from_rows(rows).sorted(), dec.rejects
    if kind == "beast":
        frames, rejects = read_beast(p)
        for fr in frames:
            if fr.kind != "mode-ac":
                obs = dec.decode(fr.hex, t0_s + fr.seconds)
                if obs is not None:
                    rows.append(obs)
        frames_read = rejects.total
        rejects.merge(dec.rejects)
        rejects.total = frames_read  # the decoder saw the same frames again
        return Observations.from_rows(rows).sorted(), rejects
    with open(p, encoding="ascii", errors="replace") as fh:  # avr
        for line in fh:
            text = line.strip()
            if not text:
                continue
            t = t0_s
            if text.startswith("@") and len(text) > 13:
                try:
                    t = t0_s + int(text[1:13], 16) / BEAST_CLOCK_HZ
                except ValueError:
                    dec.rejects.total += 1
                    dec.rejects.add("bad-time", text, "bad @timestamp")
                    continue
                text = text[13:]
            obs = dec.decode(text, t)
            if obs is not None:
                rows.append(obs)
    return Observations.from_rows(rows).sorted(), dec.rejects
