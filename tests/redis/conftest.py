"""Fixtures of the Redis tests: a throw-away `redis-server` per test module.

- `redis_binary` (session scope): the `redis-server` path, for tests that start their own
  `RedisServer` (with a password, say).
- `redis_server` (module scope): a `helpers.redis_server.RedisServer` on a free loopback
  port, without persistence, stopped at teardown. Fault tests may `stop()`, `restart()` it
  (the fixture starts it again for the next test if a test left it stopped).
- `redis_url`: its URL (`redis://127.0.0.1:PORT/0`); the database is flushed before each test.
- `redis_namespace`: a key prefix unique to the test.

Without a `redis-server` binary the tests are skipped, unless `CI=true`: then they fail.
"""

from __future__ import annotations

import gc
import secrets
import socket
from collections.abc import Iterator

import pytest
from helpers.redis_server import RedisServer, ci_requires_redis, redis_server_binary


def _flush(server: RedisServer) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        if server.password is not None:
            pw = server.password.encode()
            sock.sendall(b"*2\r\n$4\r\nAUTH\r\n$%d\r\n%s\r\n" % (len(pw), pw))
            sock.recv(64)
        sock.sendall(b"*1\r\n$8\r\nFLUSHALL\r\n")
        sock.recv(64)


@pytest.fixture(scope="session")
def redis_binary() -> str:
    """The path of `redis-server`: skips the test without it (fails it when `CI=true`).
    Tests that start their own `RedisServer` ask for this fixture."""
    binary = redis_server_binary()
    if binary is None:
        message = "redis-server is not installed (apt-get install redis-server)"
        if ci_requires_redis():
            pytest.fail(f"CI=true: {message}")
        pytest.skip(message)
    return binary


@pytest.fixture(scope="module")
def redis_server(redis_binary: str) -> Iterator[RedisServer]:
    """A running throw-away `redis-server` for the test module."""
    with RedisServer() as server:
        yield server


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The URL of the module's server, running and empty."""
    if not redis_server.running:
        redis_server.start()
    _flush(redis_server)
    return redis_server.url


@pytest.fixture
def redis_namespace() -> str:
    """A key prefix of this test's own."""
    return f"test-{secrets.token_hex(4)}"


@pytest.fixture
def collect_here() -> Iterator[None]:
    """Run the garbage collector as the test ends (see `helpers.redis_server.COREDIS_LEAK`)."""
    yield
    gc.collect()
