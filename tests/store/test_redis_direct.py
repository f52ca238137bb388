"""``DirectCommands`` answers as redis-py's client does, on a real redis-server, and keeps its
promises: a connection Redis closed is replaced, a script Redis forgot is loaded again, a
command past ``socket_timeout`` fails, the connections stay bounded."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import redis.asyncio as redis
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from specfake.store import redis_scripts
from specfake.store.base import CollectionLimit
from specfake.store.redis import NO_BOUNDS, script_bounds
from specfake.store.redis_direct import DirectCommands


def _client(redis_url: str, socket_timeout: float = 10) -> redis.Redis:
    """A client as RedisStore makes one."""
    pool = redis.BlockingConnectionPool.from_url(f"{redis_url}/0", socket_timeout=socket_timeout)
    return redis.Redis.from_pool(pool)


def _random_commands(prefix: str, rng: random.Random) -> list[tuple[Any, ...]]:
    """A mix of what the store sends (reads of present and missing records, compare-and-set
    scripts that win, lose, delete and hit a capacity) and error replies."""
    records, zset, counter = f"{prefix}rec:c:", f"{prefix}keys:c", f"{prefix}revision"
    commands: list[tuple[Any, ...]] = []
    for _ in range(400):
        key = rng.choice("abcd")
        kind = rng.choice(["read", "cas", "cas", "delete", "error"])
        if kind == "read":
            commands.append(("HMGET", records + key, "rev", "v", "at"))
        elif kind == "error":
            commands.append(("HGET", zset, "x"))  # a sorted set, not a hash: WRONGTYPE
        else:
            expected = rng.choice(["", *map(str, range(1, 40))])
            value = "" if kind == "delete" else f'{{"n":{rng.randint(0, 9)},"t":"é"}}'
            capacity = rng.choice(["", "2", "3"])
            arguments = [records, key, expected, value, "1000.5", "", "", capacity]
            commands.append(("SCRIPT", [zset, counter], arguments))
    return commands


async def _replies(send: Callable[..., Any], commands: list[tuple[Any, ...]]) -> list[Any]:
    replies = []
    for command in commands:
        try:
            replies.append(await send(command))
        except ResponseError as error:
            replies.append(("error", type(error).__name__, str(error)))
    return replies


def test_replies_equal_the_clients_on_the_stores_commands(redis_url, run):
    async def compare() -> tuple[list[Any], list[Any]]:
        client = _client(redis_url)
        direct = DirectCommands(client.connection_pool, max_connections=4)
        script = client.register_script(redis_scripts.COMPARE_AND_SET)
        rng = random.Random(21)
        seed = rng.random()
        first, second = f"direct-{uuid.uuid4().hex}:", f"client-{uuid.uuid4().hex}:"

        async def by_direct(command: tuple[Any, ...]) -> Any:
            if command[0] == "SCRIPT":
                sha = script.sha
                return await direct.run_script(sha, script.script, command[1], command[2])
            return await direct.execute(*command)

        async def by_client(command: tuple[Any, ...]) -> Any:
            if command[0] == "SCRIPT":
                return await script(keys=command[1], args=command[2])
            return await client.execute_command(*command)

        seen_direct = await _replies(by_direct, _random_commands(first, random.Random(seed)))
        seen_client = await _replies(by_client, _random_commands(second, random.Random(seed)))
        await direct.close()
        await client.aclose()
        return seen_direct, seen_client

    seen_direct, seen_client = run(compare())
    assert seen_direct == seen_client
    assert {type(reply) for reply in seen_direct} >= {list, int, tuple, type(None)}


def test_a_connection_redis_closed_is_replaced(redis_url, run):
    async def scenario() -> Any:
        client = _client(redis_url)
        direct = DirectCommands(client.connection_pool, max_connections=4)
        await direct.execute("SET", "direct:killed", "1")
        await client.execute_command("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes")
        await asyncio.sleep(0.05)
        reply = await direct.execute("GET", "direct:killed")
        await direct.close()
        await client.aclose()
        return reply

    assert run(scenario()) == b"1"


def test_a_script_redis_forgot_is_loaded_again(redis_url, run):
    async def scenario() -> Any:
        client = _client(redis_url)
        direct = DirectCommands(client.connection_pool, max_connections=4)
        await client.execute_command("SCRIPT", "FLUSH")
        script = "return ARGV[1] .. '!'"
        sha = client.register_script(script).sha
        replies = [await direct.run_script(sha, script, [], ["hi"]) for _ in range(2)]
        await direct.close()
        await client.aclose()
        return replies

    assert run(scenario()) == [b"hi!", b"hi!"]


def test_a_command_past_socket_timeout_fails_and_the_next_one_succeeds(redis_url, run):
    async def scenario() -> Any:
        client = _client(redis_url)
        paused = _client(redis_url, socket_timeout=0.2)
        direct = DirectCommands(paused.connection_pool, max_connections=4)
        await direct.execute("SET", "direct:timeout", "1")
        await client.execute_command("CLIENT", "PAUSE", "600", "ALL")
        with pytest.raises(RedisTimeoutError):
            await direct.execute("GET", "direct:timeout")
        await asyncio.sleep(0.6)
        reply = await direct.execute("GET", "direct:timeout")
        await direct.close()
        await paused.aclose()
        await client.aclose()
        return reply

    assert run(scenario()) == b"1"


def test_connections_stay_within_the_bound(redis_url, run):
    async def scenario() -> tuple[list[Any], int]:
        client = _client(redis_url)
        direct = DirectCommands(client.connection_pool, max_connections=2)
        replies = await asyncio.gather(*(direct.execute("PING") for _ in range(20)))
        made = direct.connections
        await direct.close()
        await client.aclose()
        return replies, made

    replies, made = run(scenario())
    assert replies == [b"PONG"] * 20  # the raw reply: no client callback turns it into True
    assert made == 2


def test_a_collection_without_limits_sends_no_bounds():
    assert script_bounds(CollectionLimit()) == NO_BOUNDS
    assert script_bounds(CollectionLimit(max_items=3, max_age_seconds=1.5)) == (3, 1.5, "")


async def _reply_dropping_proxy(redis_port: int, drop: dict[str, bool]) -> asyncio.Server:
    """A TCP proxy to Redis that, once ``drop["armed"]``, lets the next ``EVALSHA`` through
    and then cuts the client's connection instead of passing Redis's reply back."""

    async def handle(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter):
        redis_reader, redis_writer = await asyncio.open_connection("127.0.0.1", redis_port)

        async def upstream() -> None:
            while data := await client_reader.read(65536):
                if drop["armed"] and b"EVALSHA" in data:
                    drop["armed"], drop["swallow"] = False, True
                redis_writer.write(data)
                await redis_writer.drain()

        async def downstream() -> None:
            while data := await redis_reader.read(65536):
                if drop.get("swallow"):  # Redis ran the script; its reply is lost
                    drop["swallow"] = False
                    client_writer.transport.abort()
                    redis_writer.close()
                    return
                client_writer.write(data)
                await client_writer.drain()

        await asyncio.gather(upstream(), downstream(), return_exceptions=True)

    return await asyncio.start_server(handle, "127.0.0.1", 0)


def test_a_write_whose_reply_is_lost_is_not_sent_again(redis_url, run):
    """The compare-and-set ran but its reply never came: sending it again would find the new
    revision and answer "lost the race", and the fake would apply its write twice. It fails
    (a 503 for the request) and the record holds the one write."""
    from redis.exceptions import ConnectionError as RedisConnectionError

    from specfake.store.redis import RedisStore

    async def scenario() -> tuple[str, Any]:
        drop = {"armed": False}
        proxy = await _reply_dropping_proxy(int(redis_url.rsplit(":", 1)[1]), drop)
        port = proxy.sockets[0].getsockname()[1]
        store = RedisStore(f"redis://127.0.0.1:{port}/0", prefix=f"lost-{uuid.uuid4().hex}:")
        await store.open()
        try:
            first = await store.compare_and_set("items", "a", None, {"n": 1})
            assert first is not None
            drop["armed"] = True
            try:
                outcome = repr(await store.compare_and_set("items", "a", first.revision, {"n": 2}))
            except Exception as error:  # which one it is, is what the test reads
                outcome = type(error).__name__
            stored = await store.get("items", "a")
            return outcome, stored
        finally:
            await store.close()
            proxy.close()

    outcome, stored = run(scenario())
    assert outcome in ("StoreUnavailable", RedisConnectionError.__name__), outcome
    assert stored is not None and stored.value == {"n": 2}  # Redis applied it, exactly once
