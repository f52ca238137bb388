"""Watch the served files and reload when they change (``serve``'s default; ``--no-watch``).

The directories of the specs, the fixtures and, with ``--manifest``, the docs pages and
overlays are watched (directories, not files: editors save by writing a new file and renaming
it over the old one). Changes are gathered for ``DEBOUNCE_MS`` (watchfiles' default of 1.6 s
would make an edit feel slow), then the world is rebuilt; a broken edit is logged and the last
good world keeps serving.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING

import watchfiles

from specfake.config import ServerConfig
from specfake.errors import SpecfakeError

if TYPE_CHECKING:  # the runtime starts the watcher; the watcher only calls its reload()
    from specfake.runtime import Specfake

logger = logging.getLogger("specfake")
DEBOUNCE_MS = 200
_WATCHED_SUFFIXES = (".yaml", ".yml", ".json", ".md", ".html")


def watched_directories(config: ServerConfig) -> list[Path]:
    """Where the files that make the served world live."""
    directories = {path.resolve().parent for path in config.specs}
    if config.fixtures:
        directories.add(config.fixtures.resolve())
    if config.manifest:
        directories.add(config.manifest.resolve().parent)  # its pages and overlays below it
    existing = sorted(directory for directory in directories if directory.is_dir())
    # A directory inside another watched one is watched already (recursively).
    return [d for d in existing if not any(o != d and o in d.parents for o in existing)]


def _relevant(change: watchfiles.Change, path: str) -> bool:
    return path.endswith(_WATCHED_SUFFIXES) and watchfiles.DefaultFilter()(change, path)


async def watch_and_reload(specfake: Specfake, stop: asyncio.Event) -> None:
    """Reload ``specfake`` after every burst of changes until ``stop`` is set."""
    directories = watched_directories(specfake.config)
    if not directories:
        return
    async for changes in watchfiles.awatch(
        *directories, watch_filter=_relevant, debounce=DEBOUNCE_MS, stop_event=stop
    ):
        names = ", ".join(sorted({Path(path).name for _, path in changes}))
        try:
            warnings = await specfake.reload()
        except SpecfakeError as error:
            specfake.reload_failed(str(error))
            logger.error("reload after editing %s failed; still serving the previous files:\n%s",
                         names, error)  # fmt: skip
            continue
        kept = f"; {len(warnings)} state sections not kept" if warnings else ""
        logger.warning("reloaded after editing %s%s", names, kept)
