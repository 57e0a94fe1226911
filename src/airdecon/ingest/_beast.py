"""Mode-S Beast binary framing (dump1090/readsb port 30005) -> frames (hex, 12 MHz time, signal).

Frame layout::

    0x1A | type (1) | timestamp (6, big-endian, 12 MHz counter) | signal (1) | payload
    type 0x31 '1': Mode A/C,        payload  2 bytes
    type 0x32 '2': Mode S short,    payload  7 bytes (56 bits)
    type 0x33 '3': Mode S long,     payload 14 bytes (112 bits)
    type 0x34 '4': receiver status, payload 14 bytes (not surveillance: skipped, counted)

Every 0x1A byte *inside* a frame (timestamp, signal, payload) is sent twice (escaped). A single
0x1A inside a frame therefore starts a new frame: the interrupted one is counted as
``truncated`` and parsing resynchronises there. Bytes outside any frame are counted as
``junk``; an unknown type byte as ``bad-type``. dump1090-fa sends a zero timestamp and signal
0xFF when it does not know them.

:class:`BeastParser` is incremental (feed it any chunks, e.g. from a socket); it is not
thread-safe. :func:`read_beast` parses a whole file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from airdecon.errors import IngestError
from airdecon.ingest._obs import Rejects

__all__ = ["BEAST_CLOCK_HZ", "BeastFrame", "BeastParser", "read_beast"]

BEAST_CLOCK_HZ = 12_000_000.0
_ESC = 0x1A
_PAYLOAD = {0x31: 2, 0x32: 7, 0x33: 14, 0x34: 14}
_KIND = {0x31: "mode-ac", 0x32: "mode-s-short", 0x33: "mode-s-long", 0x34: "status"}


@dataclass(frozen=True, slots=True)
class BeastFrame:
    """One Beast frame.

    Attributes
    ----------
    kind : str
        ``"mode-ac"``, ``"mode-s-short"``, ``"mode-s-long"`` or ``"status"``.
    ticks : int
        The receiver's 12 MHz counter (``ticks / 12e6`` seconds; 0 when unknown).
    signal : int
        Signal level byte, 0..255 (255 when unknown).
    payload : bytes
        The frame's message, unescaped.
    """

    kind: str
    ticks: int
    signal: int
    payload: bytes

    @property
    def hex(self) -> str:
        """The message as upper-case hex (what Mode S decoders take)."""
        return self.payload.hex().upper()

    @property
    def seconds(self) -> float:
        """The receiver timestamp in seconds of its 12 MHz counter."""
        return self.ticks / BEAST_CLOCK_HZ


class BeastParser:
    """Incremental Beast parser: ``feed(chunk)`` returns the complete frames so far.

    Parameters
    ----------
    rejects : Rejects, optional
        Where malformed input is counted (kinds ``junk``, ``bad-type``, ``truncated``).
    """

    def __init__(self, rejects: Rejects | None = None) -> None:
        self.rejects = rejects if rejects is not None else Rejects()
        self._buf = bytearray()
        self.status_frames = 0

    def reset(self) -> None:
        """Forget a partial frame (after a dropped connection); it is counted as ``truncated``."""
        if self._buf:
            self.rejects.total += 1
            self.rejects.add("truncated", self._buf[:40].hex(), "partial frame when the stream was cut")
        self._buf.clear()

    def feed(self, chunk: bytes) -> list[BeastFrame]:
        """Parse *chunk* (appended to what is buffered); return the frames completed by it."""
        buf = self._buf
        buf.extend(chunk)
        out: list[BeastFrame] = []
        pos = 0
        n = len(buf)
        while pos < n:
            if buf[pos] != _ESC:
                end = buf.find(_ESC, pos)
                end = n if end < 0 else end
                self.rejects.total += 1
                self.rejects.add("junk", bytes(buf[pos : min(end, pos + 40)]).hex(),
                                 f"{end - pos} byte(s) outside any frame")
                pos = end
                continue
            if pos + 1 >= n:
                break
            typ = buf[pos + 1]
            if typ == _ESC:  # an escaped 0x1A outside a frame: junk
                self.rejects.total += 1
                self.rejects.add("junk", "1a1a", "escaped 0x1A outside any frame")
                pos += 2
                continue
            if typ not in _PAYLOAD:
                self.rejects.total += 1
                raw = bytes(buf[pos : pos + 16]).hex()
                self.rejects.add("bad-type", raw, f"unknown frame type 0x{typ:02x}")
                pos += 2
                continue
            need = 7 + _PAYLOAD[typ]  # timestamp 6 + signal 1 + payload
            body = bytearray()
            k = pos + 2
            cut = False
            while len(body) < need and k < n:
                b = buf[k]
                if b == _ESC:
                    if k + 1 >= n:
                        break  # wait for the next byte
                    if buf[k + 1] != _ESC:
                        cut = True
                        break
                    k += 2
                else:
                    k += 1
                body.append(b)
            if cut:
                self.rejects.total += 1
                self.rejects.add("truncated", bytes(buf[pos:k]).hex(), "frame interrupted by a new frame")
                pos = k
                continue
            if len(body) < need:
                break  # incomplete: wait for more bytes
            pos = k
            self.rejects.total += 1
            if typ == 0x34:
                self.status_frames += 1
                continue
            out.append(BeastFrame(_KIND[typ], int.from_bytes(body[:6], "big"), body[6], bytes(body[7:])))
        del buf[:pos]
        return out


def read_beast(path: str | Path) -> tuple[list[BeastFrame], Rejects]:
    """Parse a whole Beast capture file. A partial frame at the end is counted as ``truncated``.

    Raises
    ------
    IngestError
        If the file cannot be read.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise IngestError(f"cannot read Beast file: {exc}", source=str(path)) from None
    parser = BeastParser()
    frames = parser.feed(data)
    parser.reset()
    return frames, parser.rejects
