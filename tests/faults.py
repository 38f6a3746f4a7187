"""Tools for fault tests: a database of its own that the whole process serves from, and a TCP
proxy that can take a server away and bring it back, as a restart does to its clients."""

import socket
import threading
from contextlib import suppress

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from kieubao.platform import audit, db, migrate, missions


def serving(url: str, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """A migrated database at ``url``, committed for real, that every session in the process
    uses (the web app and inline jobs included)."""
    engine = db.build_engine(url)
    with engine.begin() as connection:
        migrate.upgrade(connection)
    monkeypatch.setattr(db, "_session_factory", lambda: sessionmaker(bind=engine))
    with Session(engine) as session:
        missions.load_seed(session, acting_user=audit.System("fault tests"))
    return engine


class Proxy:
    """Forwards 127.0.0.1:<port> to ``target``; ``stop`` cuts every connection and refuses
    new ones, ``start`` takes them again on the same port."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = _free_port()
        self._listener: socket.socket | None = None
        self._links: list[socket.socket] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        with self._lock:
            if self._listener is not None:
                # Shut down first: that wakes the thread blocked in accept, which close alone
                # would leave listening.
                with suppress(OSError):
                    self._listener.shutdown(socket.SHUT_RDWR)
                self._listener.close()
                self._listener = None
            for link in self._links:
                with suppress(OSError):
                    link.shutdown(socket.SHUT_RDWR)
                link.close()
            self._links.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            with self._lock:
                self._links += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=_pipe, args=(a, b), daemon=True).start()


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    with suppress(OSError):
        while data := source.recv(65536):
            sink.sendall(data)
    with suppress(OSError):
        sink.shutdown(socket.SHUT_WR)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
