"""``StoppableServer``: uvicorn's server, where SIGTERM and SIGINT are a clean stop."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

import uvicorn

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class StoppableServer(uvicorn.Server):
    """Exit status 0 after a stop that was asked for.

    uvicorn captures the stop signals while it serves and raises them again once it has shut
    down, so the process would end with the signal's status (143 for SIGTERM) and every
    supervisor would log a crash. Here the handlers are the same (``handle_exit``: stop
    accepting, let in-flight requests finish for ``timeout_graceful_shutdown`` seconds, then
    cancel them), without the re-raise.
    """

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
