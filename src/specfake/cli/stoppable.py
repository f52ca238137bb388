"""``StoppableServer``: uvicorn's server, where SIGTERM and SIGINT are a clean stop."""

from __future__ import annotations

import contextlib
import signal
import socket
import threading
from collections.abc import Callable, Iterator

import uvicorn

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class StoppableServer(uvicorn.Server):
    """Exit status 0 after a stop that was asked for.

    uvicorn captures the stop signals while it serves and raises them again once it has shut
    down, so the process would end with the signal's status (143 for SIGTERM) and every
    supervisor would log a crash. Here the handlers are the same (``handle_exit``: stop
    accepting, let in-flight requests finish for ``timeout_graceful_shutdown`` seconds, then
    cancel them), without the re-raise.

    ``stopping`` runs as soon as the server stops accepting, before the grace period: the
    app ends what never finishes by itself there (the dashboard's event streams), so an open
    dashboard does not make every stop wait the whole grace.
    """

    def __init__(self, config: uvicorn.Config, stopping: Callable[[], None] | None = None) -> None:
        super().__init__(config)
        self._stopping = stopping

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if self._stopping is not None:
            self._stopping()
        await super().shutdown(sockets)

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield  # signals reach the main thread only (a server run by a test's thread)
            return
        previous = {number: signal.signal(number, self.handle_exit) for number in STOP_SIGNALS}
        try:
            yield
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)
