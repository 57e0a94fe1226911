"""Hub settings: one typed table (name, default, help), read by the CLI and by create_app.

No import-time side effects: settings are values; nothing here touches files or the network.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

__all__ = ["HubSettings", "setting_help"]


@dataclass(frozen=True)
class HubSettings:
    """Everything the hub needs to start.

    Attributes
    ----------
    db : str
        Store URL: a SQLite path (default ``airdecon.db``), ``sqlite:///…``, ``postgresql://…`` or
        ``memory://``.
    protocol : str or None
        A protocol directory (``airdecon protocol init``; the version in force is used), or a
        protocol document file (used as is, reported as not in force). ``None``: the built-in
        three-party demo protocol.
    host, port : str, int
        Where to listen (default 127.0.0.1:8000).
    hub_key : str or None
        The hub's Ed25519 checkpoint key file (created if missing). Default: beside the SQLite
        file, or an in-memory key for ``memory://``.
    max_body_bytes : int
        Largest request body accepted (413 beyond).
    max_reports : int
        Largest number of aircraft states in one report batch.
    max_skew_s : float
        Report timestamps further than this from the hub's clock are refused.
    rate_per_s, burst : float, int
        Requests (HTTP and WebSocket messages) per second and burst allowed per party (429 beyond).
    auth_fail_per_s, auth_fail_burst : float, int
        Requests with a token that authenticates no party, per second and burst, allowed per client
        address (429 beyond, whatever the token; a valid token is never refused by this).
    cycle_min_s : float
        Shortest interval between two detection cycles (coalesces bursts of reports).
    cycle_duty : float
        Largest share of the time detection cycles may take while reports wait to be read: then,
        after a cycle that took *d* seconds of CPU, the next waits at least
        ``d * (1 / cycle_duty - 1)``, so a flood of batches cannot starve the reading of reports.
        (Report work waits while a cycle computes; with none waiting, cycles follow each other
        after ``cycle_min_s``.)
    timer_s : float
        Detection/distress timer period when nothing arrives (coasting, re-sends, escalation).
    advise_s : float
        Period of the resolution loop that computes and publishes advisories.
    advise_max : int
        Most urgent conflicts (caution level and above first) resolved per advisory run: the
        resolver verifies every candidate manoeuvre, so its cost is bounded by this.
    resolver_process : bool
        Run the resolver in a worker process (default), so that verifying manoeuvres never holds
        the server's interpreter lock.
    resolver_budget_s : float
        Longest a resolver job may run in the worker process: past it, the job is abandoned and the
        worker replaced (a dead worker is replaced on the next run too).
    max_pending_versions : int
        Most protocol versions one party may have proposed and awaiting signatures at once
        (429 ``quota_exceeded`` beyond).
    state_save_s : float
        Period of the restart cache of latest aircraft states. Reports are durable in the record
        at once; a restarted hub reloads the cache and replays the reports recorded after it.
    checkpoint_every : int
        Audit entries between two signed checkpoints.
    checkpoint_s : float
        Seconds between two signed checkpoints of a record that has grown (0: only every
        ``checkpoint_every`` entries and at shutdown). At the same ticks each party whose own
        extract of the record has grown receives a signed head of it.
    verify_s : float
        Period of the hub's own verification of the whole record; ``GET /v1/audit/verify``
        answers the last one, so its cost and answer never depend on who asks.
    max_streams : int
        Most WebSocket streams one party may hold open at once; one more is refused (close code
        4429, ``quota_exceeded``).
    stream_queue : int
        Events queued for one stream that its client has not read yet; beyond, the stream is
        closed (code 4408) and the client resumes from its cursor: a consumer that never reads
        holds a bounded amount of the hub's memory.
    record_span_s : float
        Longest window ``GET /v1/record`` answers (422 beyond).
    record_rows : int
        Most entries one ``GET /v1/record`` answers: a window with more is cut there, marked
        ``"truncated": true`` with the cursor to ask the rest ``after``.
    record_page : int
        Entries read from the store at a time while ``GET /v1/record`` streams its answer: the
        hub holds one page of an answer in memory, not the window.
    record_pace : float
        After each page of a ``GET /v1/record`` answer, the reader waits this many times what the
        page took to read and encode: one party's record reads take at most 1 / (1 + pace) of
        the hub's time, whatever it asks (one answer at a time per party; another is 429).
    """

    db: str = "airdecon.db"
    protocol: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    hub_key: str | None = None
    max_body_bytes: int = 2 * 1024 * 1024
    max_reports: int = 10_000
    max_skew_s: float = 300.0
    rate_per_s: float = 200.0
    burst: int = 400
    auth_fail_per_s: float = 1.0
    auth_fail_burst: int = 20
    cycle_min_s: float = 0.01
    cycle_duty: float = 0.5
    timer_s: float = 1.0
    advise_s: float = 1.0
    advise_max: int = 24
    resolver_process: bool = True
    resolver_budget_s: float = 60.0
    max_pending_versions: int = 16
    state_save_s: float = 5.0
    checkpoint_every: int = 1000
    checkpoint_s: float = 5.0
    verify_s: float = 60.0
    max_streams: int = 8
    stream_queue: int = 10_000
    record_span_s: float = 7 * 86400.0
    record_rows: int = 20_000
    record_page: int = 200
    record_pace: float = 3.0

    def hub_key_path(self) -> Path | None:
        """Where the hub's checkpoint key lives (``None``: keep it in memory)."""
        if self.hub_key:
            return Path(self.hub_key)
        if self.db.startswith(("memory:", "postgres")):
            return None
        path = self.db.removeprefix("sqlite:///")
        return Path(path + ".hubkey")


def setting_help() -> dict[str, str]:
    """Setting name -> default, for docs and ``--help`` (kept in step by a test)."""
    return {f.name: repr(f.default) for f in fields(HubSettings)}


DEFAULTS = HubSettings()

#: The one-line help of each setting ``airdecon serve`` takes as an option: its CLI options take
#: their defaults from :data:`DEFAULTS` and their help from here, so the two cannot drift.
OPTION_HELP: dict[str, str] = {
    "host": "Address to listen on.",
    "port": "Port to listen on.",
    "db": "Store: SQLite path, postgresql://…, or memory://.",
    "protocol": "Protocol directory (version in force) or document file.",
    "rate_per_s": "Requests per second allowed per party.",
    "burst": "Burst of requests allowed per party.",
    "max_body_bytes": "Largest request body accepted.",
}
