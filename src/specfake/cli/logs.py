"""The server's logging set-up, shared by ``serve`` and its worker processes."""

from __future__ import annotations

import logging
import sys


def configure_logging(quiet: bool) -> None:
    """One line per request on stderr (``quiet``: warnings only)."""
    logging.basicConfig(
        level=logging.WARNING if quiet else logging.INFO, format="%(message)s", stream=sys.stderr
    )
    # A log line per request: skip what logging gathers for every record and "%(message)s"
    # never shows (the caller's file and line, thread and process names). A third of each
    # line's cost (Logging HOWTO, "Optimization").
    logging._srcfile = None
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
