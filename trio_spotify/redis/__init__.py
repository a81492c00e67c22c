"""Coordination of many processes through Redis: one token and one rate budget for all.

Needs the `redis` extra (`pip install "trio_spotify[redis]"`, which installs coredis):

    async with trio_spotify.redis.open_redis_coordinator("redis://127.0.0.1:6379/0") as coord:
        async with trio_spotify.open_spotify(auth, coordinator=coord) as spotify:
            ...

Every process (or client) opened with a coordinator on the same Redis and namespace shares
the current token of each sign-in (renewed once for all of them, a rotated refresh token
never lost) and the rate budget (a 429 anywhere pauses everyone). See
`docs/many-processes.md`.

The modules, each importing only those above it:

    _health       RedisHealth, redact_url: is Redis usable, and what requests do when not
    _tokens       RedisTokenStore, RedisTokenSource: the shared token, renewed single-flight
    _rate_lua     the Lua scripts of the shared rate budget
    _rate         RedisRateBudget: the shared rate budget (one script call per turn)
    _coordinator  RedisCoordinator, open_redis_coordinator
"""

try:
    import coredis as _coredis  # noqa: F401 - the optional dependency, checked first
except ImportError as exc:  # pragma: no cover - the extra is installed in the tests
    raise ImportError(
        "trio_spotify.redis needs coredis: pip install 'trio_spotify[redis]'"
    ) from exc

from .._errors import RedisUnavailableError as RedisUnavailableError
from ._coordinator import RedisCoordinator as RedisCoordinator
from ._coordinator import open_redis_coordinator as open_redis_coordinator
from ._tokens import RedisTokenStore as RedisTokenStore

__all__ = [
    "RedisCoordinator",
    "RedisTokenStore",
    "RedisUnavailableError",
    "open_redis_coordinator",
]
