"""Shared test configuration. Shared helpers live in `tests/helpers/`.

Tests never touch the internet: every test runs with outgoing connections limited to
loopback addresses (and name lookups limited to local names), so a test that would reach a
real host fails loudly instead of depending on the network.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

import pytest
from helpers.net import own_ipv4_addresses

_LOCAL_NAMES = {"localhost", "127.0.0.1", "::1", "", None}
#: Tests may reach this machine's own addresses too (to check what listens only on loopback).
OWN_ADDRESSES = own_ipv4_addresses()


def _check_address(address: Any) -> None:
    if isinstance(address, str | bytes):  # AF_UNIX
        return
    host = address[0]
    try:
        local = ipaddress.ip_address(host).is_loopback or host in OWN_ADDRESSES
    except ValueError:
        local = host in _LOCAL_NAMES
    if not local:
        raise AssertionError(f"a test tried to reach {host!r}: tests never touch the internet")


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: Any) -> None:
        _check_address(address)
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        _check_address(address)
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        try:
            ipaddress.ip_address(name)
        except (ValueError, TypeError):
            if name not in _LOCAL_NAMES:
                raise AssertionError(
                    f"a test tried to look up {name!r}: tests never touch the internet"
                ) from None
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
