"""Decode rate of the Mode S decoders on the shared raw-frame recording (frames per second).

Run: ``.venv/bin/python bench/decode.py [PATH]``. Decodes every frame of
``../shared/data/raw_modes_frames.csv.gz`` (141,732 frames) with pyModeS 3.x (stateful
``PipeDecoder``, one frame at a time: what a live feed does, and what airdecon uses) and, when it
is installed, with rs1090 (batch ``decode`` with timestamps). Prints frames/s for each.
"""

from __future__ import annotations

import contextlib
import sys
import time
from pathlib import Path

import pandas as pd

DEFAULT = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "raw_modes_frames.csv.gz"


def main(argv: list[str]) -> int:
    """Time each decoder on the recording and print frames/s."""
    path = Path(argv[0]) if argv else DEFAULT
    raw = pd.read_csv(path, dtype=str, low_memory=False)
    frames = raw["frame"].tolist()
    stamps = raw["timestamp"].astype(float).tolist()
    n = len(frames)
    print(f"{n} frames from {path.name}")

    import pyModeS

    pipe = pyModeS.PipeDecoder()
    t0 = time.perf_counter()
    for f, ts in zip(frames, stamps, strict=True):
        with contextlib.suppress(pyModeS.DecodeError):
            pipe.decode(f, timestamp=ts)
    dt = time.perf_counter() - t0
    print(f"pyModeS {pyModeS.__version__} PipeDecoder (streaming): {n / dt:,.0f} frames/s ({dt:.2f} s)")

    t0 = time.perf_counter()
    pyModeS.decode(frames, timestamps=stamps)
    dt = time.perf_counter() - t0
    print(f"pyModeS {pyModeS.__version__} decode(list) (batch):     {n / dt:,.0f} frames/s ({dt:.2f} s)")

    try:
        import rs1090
    except ImportError:
        print("rs1090 not installed")
        return 0
    from importlib.metadata import version

    t0 = time.perf_counter()
    rs1090.decode(frames, stamps)
    dt = time.perf_counter() - t0
    print(f"rs1090 {version('rs1090')} decode(list) (batch):     {n / dt:,.0f} frames/s ({dt:.2f} s)")
    t0 = time.perf_counter()
    for f, ts in zip(frames[:20000], stamps[:20000], strict=True):
        rs1090.decode(f, ts)
    dt = time.perf_counter() - t0
    print(f"rs1090 {version('rs1090')} decode(str) (one by one): {20000 / dt:,.0f} frames/s (first 20,000)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
