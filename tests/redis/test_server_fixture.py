"""The throw-away Redis server of the tests starts, answers, stops and restarts."""

from __future__ import annotations

import socket

from helpers.redis_server import RedisServer


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"*1\r\n$4\r\nPING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def test_the_fixture_server_answers_and_restarts(redis_server: RedisServer, redis_url: str) -> None:
    assert redis_url == f"redis://127.0.0.1:{redis_server.port}/0"
    assert _answers(redis_server.port)
    redis_server.stop()
    assert not _answers(redis_server.port)
    redis_server.restart()
    assert _answers(redis_server.port)


def test_a_password_server_refuses_without_it(redis_binary: str) -> None:
    with RedisServer(password="pw-secret") as server:
        assert server.url == f"redis://:pw-secret@127.0.0.1:{server.port}/0"
        with socket.create_connection(("127.0.0.1", server.port), timeout=1) as sock:
            sock.sendall(b"*1\r\n$4\r\nPING\r\n")
            assert sock.recv(64).startswith(b"-NOAUTH")
