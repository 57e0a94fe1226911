"""A real TCP server on 127.0.0.1 that serves scripted payloads, one per connection, then stops
accepting (so the client's next connection is refused). Used to test feeds that resume."""

from __future__ import annotations

import socket
import threading
from collections.abc import Sequence


class ScriptedServer:
    """Serve ``payloads[k]`` to the k-th connection and close it; then close the listening socket."""

    def __init__(self, payloads: Sequence[bytes]) -> None:
        self.payloads = list(payloads)
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.served = 0
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> ScriptedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.sock.close()
        self.thread.join(timeout=5)

    def _run(self) -> None:
        with self.sock:
            for payload in self.payloads:
                conn, _ = self.sock.accept()
                with conn:
                    for k in range(0, len(payload), 97):  # in small pieces, as a network does
                        conn.sendall(payload[k : k + 97])
                self.served += 1
