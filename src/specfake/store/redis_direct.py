"""``DirectCommands``: one Redis command at a time on connections of the store's own, for the
two calls a request makes (a read, a compare-and-set script).

redis-py's ``Redis.execute_command`` spends ~50-70 µs of CPU a command around the ~18 that
the connection's own send and read take: a blocking pool's condition and timeout, a retry
wrapper, observability hooks and, with ``socket_timeout`` set, a task for every write and a
timeout for every read. This keeps what a store command needs: at most ``max_connections``
connections, one timeout over the whole command (the URL's ``socket_timeout``), a connection
Redis closed meanwhile (a restart) replaced, and scripts run by their SHA1, loaded on
``NOSCRIPT``. A command that may change data is never sent twice: a failure after it was
sent cannot tell whether Redis ran it (the reply may be what was lost), so it raises (a 503),
and a reused connection is checked before such a command, as redis-py's pool checks every
one. The connections are redis-py's own, made with the client pool's settings (host, TLS,
password, database, protocol), so every URL option holds; replies come from its parser
(hiredis), as the client's would for these commands.
"""

from __future__ import annotations

import asyncio
from typing import Any

from redis.asyncio.connection import AbstractConnection, ConnectionPool
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError


class DirectCommands:
    def __init__(self, pool: ConnectionPool, max_connections: int) -> None:
        """Connections like ``pool``'s, but without their own socket timeouts: the whole
        command has one."""
        settings = dict(pool.connection_kwargs)
        self.timeout: float | None = settings.get("socket_timeout")
        # redis-py takes a missing connect timeout from socket_timeout: keep that one.
        settings["socket_connect_timeout"] = settings.get("socket_connect_timeout") or self.timeout
        settings["socket_timeout"] = None
        self._settings = settings
        self._connection_class = pool.connection_class
        self._idle: list[AbstractConnection] = []  # connected once; the last used on top
        self._made: list[AbstractConnection] = []
        self._slots = asyncio.Semaphore(max_connections)

    async def execute(self, *arguments: Any, read_only: bool = False) -> Any:
        """The reply to one command; an error reply raises redis-py's ``ResponseError``.

        ``read_only``: sending it twice changes nothing, so a reused connection found closed
        when the command fails (Redis restarted meanwhile) gets it again on a new one."""
        async with self._slots:
            reused = bool(self._idle)
            connection = self._idle.pop() if reused else self._new_connection()
            try:
                if reused and not read_only:
                    await _reconnect_if_stale(connection)
                try:
                    return await self._round_trip(connection, arguments)
                except RedisConnectionError:
                    if not (reused and read_only):
                        raise
                    return await self._round_trip(connection, arguments)
            finally:
                self._idle.append(connection)

    async def run_script(self, sha: str, script: str, keys: list[str], arguments: list[Any]) -> Any:
        """``EVALSHA``; a Redis that does not know the script yet (restarted, flushed) loads
        it first."""
        try:
            return await self.execute("EVALSHA", sha, len(keys), *keys, *arguments)
        except NoScriptError:  # the error reply says the script did not run
            await self.execute("SCRIPT", "LOAD", script, read_only=True)
            return await self.execute("EVALSHA", sha, len(keys), *keys, *arguments)

    @property
    def connections(self) -> int:
        """How many connections it has made (at most ``max_connections``)."""
        return len(self._made)

    async def close(self) -> None:
        for connection in self._made:
            await connection.disconnect()
        self._made.clear()
        self._idle.clear()

    def _new_connection(self) -> AbstractConnection:
        connection = self._connection_class(**self._settings)  # connects on its first send
        self._made.append(connection)
        return connection

    async def _round_trip(self, connection: AbstractConnection, arguments: tuple[Any, ...]) -> Any:
        """Send and read within ``timeout``; a connection that failed or timed out is closed
        (the next command on it reconnects), as its reply may still be on the way."""
        try:
            async with asyncio.timeout(self.timeout):
                packed = connection.pack_command(*arguments)
                await connection.send_packed_command(packed, check_health=False)
                return await connection.read_response()
        except TimeoutError:
            await connection.disconnect(nowait=True)
            raise RedisTimeoutError(f"Redis did not answer within {self.timeout} s") from None
        except ResponseError:  # an error reply, read whole: the connection is fine
            raise
        except BaseException:
            await connection.disconnect(nowait=True)
            raise


async def _reconnect_if_stale(connection: AbstractConnection) -> None:
    """Close ``connection`` if Redis closed it or it holds unread data (what redis-py's pool
    checks before lending one out), so the next send connects afresh."""
    try:
        stale = await connection.can_read()
    except (RedisConnectionError, OSError):
        stale = True
    if stale:
        await connection.disconnect(nowait=True)
