"""Keep a docs example offline: loaded at start-up by the Python processes that
`tests/docs/` runs (this directory first on `PYTHONPATH`), and by every Python process they
start in turn.

A connection to anything but this machine's loopback, or a name lookup of anything but a
local name, prints one line naming the host on standard error and raises `OSError`, so an
example that would need the network fails loudly instead of depending on it.
"""

from __future__ import annotations

import ipaddress
import socket
import sys
from typing import Any

_LOCAL_NAMES = {"localhost", "", None}
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


def _refuse(what: str) -> OSError:
    print(f"offline: a docs example tried to reach {what}", file=sys.stderr, flush=True)
    return OSError(f"docs examples run offline: {what} refused")


def _check(address: Any) -> None:
    if isinstance(address, str | bytes):  # AF_UNIX
        return
    host = address[0]
    try:
        local = ipaddress.ip_address(host).is_loopback
    except ValueError:
        local = host in _LOCAL_NAMES
    if not local:
        raise _refuse(repr(host))


def _connect(self: socket.socket, address: Any) -> None:
    _check(address)
    _real_connect(self, address)


def _connect_ex(self: socket.socket, address: Any) -> int:
    _check(address)
    return _real_connect_ex(self, address)


def _getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    name = host.decode() if isinstance(host, bytes) else host
    try:
        ipaddress.ip_address(name)
    except (ValueError, TypeError):
        if name not in _LOCAL_NAMES:
            raise _refuse(f"the name {name!r}") from None
    return _real_getaddrinfo(host, *args, **kwargs)


socket.socket.connect = _connect  # type: ignore[method-assign, assignment]
socket.socket.connect_ex = _connect_ex  # type: ignore[method-assign, assignment]
socket.getaddrinfo = _getaddrinfo
