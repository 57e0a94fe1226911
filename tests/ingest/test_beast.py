"""Beast binary: the real dump1090 sample, escaping, resynchronisation, and a TCP feed that drops."""

from __future__ import annotations

from pathlib import Path

import pytest

from airdecon.ingest import BeastParser, BeastTcpSource, TcpFeed, read_beast, read_recording

from .tcp_server import ScriptedServer


def _frame(kind: int, ticks: int, signal: int, payload: bytes) -> bytes:
    """Encode one Beast frame (test-side encoder: doubles every 0x1A after the type byte)."""
    body = ticks.to_bytes(6, "big") + bytes([signal]) + payload
    return bytes([0x1A, kind]) + body.replace(b"\x1a", b"\x1a\x1a")


def test_real_sample_239_frames(shared_data: Path) -> None:
    frames, rej = read_beast(shared_data / "sample_dump1090_beast.bin")
    assert len(frames) == 239 and rej.n == 0 and rej.total == 239
    assert {f.kind for f in frames} == {"mode-s-short", "mode-s-long"}
    assert frames[0].hex == "20000CA8F70AA7" and frames[0].signal == 13
    assert frames[1].ticks > frames[0].ticks  # the 12 MHz counter runs
    obs, rej2 = read_recording(shared_data / "sample_dump1090_beast.bin", t0_s=1_000.0)
    assert len(obs) > 100 and rej2.total == 239 and obs.t_s.min() > 1_000.0


def test_escaped_bytes_are_unescaped_and_chunking_does_not_matter() -> None:
    long_ = bytes.fromhex("8D4840D6202CC371C32CE0576098")
    tricky = _frame(0x33, 0x1A1A00001A1A, 0x1A, long_) + _frame(0x32, 5, 200, bytes.fromhex("5D484FDEA248F5"))
    whole = BeastParser().feed(tricky)
    assert [f.hex for f in whole] == ["8D4840D6202CC371C32CE0576098", "5D484FDEA248F5"]
    assert whole[0].ticks == 0x1A1A00001A1A and whole[0].signal == 0x1A
    parser = BeastParser()
    pieces = [f for k in range(len(tricky)) for f in parser.feed(tricky[k : k + 1])]
    assert pieces == whole and parser.rejects.n == 0


def test_junk_bad_type_and_cut_frames_are_counted() -> None:
    good = _frame(0x32, 1, 2, bytes.fromhex("5D484FDEA248F5"))
    cut = _frame(0x33, 1, 2, bytes(14))[:10]  # a long frame interrupted by the next frame
    data = b"\x00\x01junk" + good + bytes([0x1A, 0x39]) + cut + good
    parser = BeastParser()
    frames = parser.feed(data)
    assert len(frames) == 2
    assert parser.rejects.counts["junk"] == 1
    assert parser.rejects.counts["bad-type"] == 1
    assert parser.rejects.counts["truncated"] == 1


def test_tcp_feed_resumes_after_the_server_closes_mid_frame(shared_data: Path) -> None:
    data = (shared_data / "sample_dump1090_beast.bin").read_bytes()
    cut_at = 1000
    in_first = len(BeastParser().feed(data[:cut_at]))
    parser = BeastParser()
    with ScriptedServer([data[:cut_at], data]) as server:
        feed = TcpFeed(
            "127.0.0.1", server.port, retry_s=0.05, max_reconnects=2, on_drop=lambda _: parser.reset()
        )
        frames = [f for chunk in feed for f in parser.feed(chunk)]
    assert feed.stats.connects == 2 and feed.stats.drops == 3  # closed, closed, then refused
    assert len(frames) == in_first + 239
    assert parser.rejects.counts["truncated"] == 1  # the frame cut by the first drop
    assert feed.stats.bytes == cut_at + len(data)


@pytest.mark.parametrize("cut_at", [1000])
def test_beast_tcp_source_decodes_live_frames(shared_data: Path, cut_at: int) -> None:
    data = (shared_data / "sample_dump1090_beast.bin").read_bytes()
    with ScriptedServer([data[:cut_at], data]) as server:
        ticks = iter(range(10_000))
        src = BeastTcpSource(
            "127.0.0.1", server.port, clock=lambda: float(next(ticks)), retry_s=0.05, max_reconnects=2
        )
        batches = list(src.batches())
    n = sum(len(b) for b in batches)
    assert n > 100
    assert src.feed.stats.connects == 2 and src.rejects.counts["truncated"] == 1
