"""A TCP relay that can split a server's reply in the middle of a line (fault injection).

Put it between a client and a real server (e.g. Dovecot's plain IMAP port) to
reproduce a slow network deterministically: after :meth:`FlakyRelay.split_next_line`,
the next chunk the server sends is forwarded in two parts, cut in the middle of its
first line, with :data:`SPLIT_PAUSE_SECONDS` between them. imapclient's ``idle_check``
reads its socket non-blocking, takes the first part for a whole line and then fails
with ``IMAP4.abort`` (upstream bug #519: "unterminated line"; imapclient 4.1 reports
"unexpected response" for the second part).
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field

BUFFER = 65536
SPLIT_PAUSE_SECONDS = 0.3


@dataclass
class FlakyRelay:
    target_host: str
    target_port: int
    port: int = 0
    connections: int = 0
    cuts: int = 0
    _cut: threading.Event = field(default_factory=threading.Event)
    _listener: socket.socket | None = None
    _closed: bool = False

    def start(self) -> FlakyRelay:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        self._listener = listener
        self.port = int(listener.getsockname()[1])
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def split_next_line(self) -> None:
        """Deliver the next server-to-client chunk in two parts, split mid-line."""
        self._cut.set()

    def close(self) -> None:
        self._closed = True
        if self._listener is not None:
            self._listener.close()

    def _accept(self) -> None:
        assert self._listener is not None
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection((self.target_host, self.target_port))
            self.connections += 1
            threading.Thread(target=self._pipe, args=(client, server, False), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, True), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket, from_server: bool) -> None:
        try:
            while chunk := source.recv(BUFFER):
                if from_server and self._cut.is_set():
                    self._cut.clear()
                    self.cuts += 1
                    line_end = chunk.find(b"\r\n")
                    middle = max(1, (line_end if line_end > 0 else len(chunk)) // 2)
                    sink.sendall(chunk[:middle])
                    time.sleep(SPLIT_PAUSE_SECONDS)
                    chunk = chunk[middle:]
                sink.sendall(chunk)
        except OSError:
            pass
        for sock in (source, sink):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
