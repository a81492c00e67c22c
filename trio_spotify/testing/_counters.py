"""`EmulatorCounters`: what an emulator has seen, for tests to read."""

from __future__ import annotations

import collections

import attrs

__all__ = ["EmulatorCounters"]


@attrs.define
class EmulatorCounters:
    """What the emulator has seen. Read them in tests; they only ever grow."""

    #: Web API requests per operationId (refused ones included).
    requests: collections.Counter[str] = attrs.field(factory=collections.Counter)
    #: Access tokens issued, in all and per grant type.
    tokens_issued: int = 0
    tokens_by_grant: collections.Counter[str] = attrs.field(factory=collections.Counter)
    #: Token endpoint refusals per RFC 6749 error code.
    token_errors: collections.Counter[str] = attrs.field(factory=collections.Counter)
    #: Requests to `/authorize`.
    authorizations: int = 0
    #: 429 answers sent (rate limit and quota).
    rate_limited: int = 0
    #: 401 answers sent by the Web API (missing, unknown or expired tokens).
    unauthorized: int = 0
    #: Faults injected, per kind (`"error"`, `"malformed"`, `"drop"`).
    faults: collections.Counter[str] = attrs.field(factory=collections.Counter)

    @property
    def total_requests(self) -> int:
        """Web API requests of every operation."""
        return sum(self.requests.values())
