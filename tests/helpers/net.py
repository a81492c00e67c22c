"""This machine's own network addresses, read from its interfaces (no packet is sent)."""

from __future__ import annotations

import contextlib
import fcntl
import socket
import struct

_SIOCGIFADDR = 0x8915  # Linux: the IPv4 address of an interface


def own_ipv4_addresses() -> frozenset[str]:
    """The IPv4 addresses of this machine's interfaces (loopback included)."""
    found: set[str] = set()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for _, name in socket.if_nameindex():
            request = struct.pack("256s", name.encode()[:15])
            with contextlib.suppress(OSError):  # an interface without an IPv4 address
                answer = fcntl.ioctl(sock.fileno(), _SIOCGIFADDR, request)
                found.add(socket.inet_ntoa(answer[20:24]))
    return frozenset(found)
