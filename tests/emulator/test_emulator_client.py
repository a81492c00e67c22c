"""The core client's behaviours against the emulator (not only against MockTransport):
single-flight renewal under a storm of 401s, the shared rate-limit gate, 5xx retries,
transport-error retries and decode errors."""

from __future__ import annotations

import pytest
import trio

from trio_spotify import (
    NetworkError,
    RateLimitError,
    ResponseDecodeError,
    RetryPolicy,
    ServerError,
)
from trio_spotify.testing import RateLimit, SpotifyEmulator, open_emulator_client

NO_JITTER = RetryPolicy(jitter=lambda cap: cap)


def make(**kwargs: object) -> SpotifyEmulator:
    return SpotifyEmulator(clock=trio.current_time, **kwargs)  # type: ignore[arg-type]


async def test_renewal_storm_after_server_side_expiry() -> None:
    """200 concurrent requests all meet a token the server expired: one renewal."""
    emulator = make()
    c = emulator.catalog
    async with open_emulator_client(emulator, max_concurrency=64) as spotify:
        await spotify.request("GET", "/me")
        assert emulator.counters.tokens_issued == 1
        emulator.expire_access_tokens()
        results: dict[int, str] = {}

        async def fetch(n: int) -> None:
            track = await spotify.request("GET", f"/tracks/{c.id_of(3, c.track_at(n))}")
            results[n] = track["id"]

        async with trio.open_nursery() as nursery:
            for n in range(200):
                nursery.start_soon(fetch, n)
    assert len(results) == 200
    assert all(results[n] == c.id_of(3, c.track_at(n)) for n in range(200))
    assert emulator.counters.tokens_issued == 2  # exactly one renewal
    assert emulator.counters.unauthorized >= 1
    assert spotify.statistics().token_renewals == 2


async def test_renewal_storm_on_client_side_expiry(
    autojump_clock: trio.testing.MockClock,
) -> None:
    """The token runs out on the clock while 100 tasks wait: one renewal, no 401."""
    emulator = make(access_token_lifetime=600.0)
    async with open_emulator_client(emulator) as spotify:
        await spotify.request("GET", "/markets")
        await trio.sleep(700)
        async with trio.open_nursery() as nursery:
            for _ in range(100):
                nursery.start_soon(spotify.request, "GET", "/markets")
    assert emulator.counters.tokens_issued == 2
    assert emulator.counters.unauthorized == 0
    assert emulator.counters.requests["get-available-markets"] == 101


async def test_rate_limit_gate_honours_retry_after(
    autojump_clock: trio.testing.MockClock,
) -> None:
    """60 concurrent requests against 10 per 30 s: all succeed, the client pauses as told."""
    emulator = make(rate_limit=RateLimit(10, 30.0))
    start = trio.current_time()
    async with open_emulator_client(emulator, retry=NO_JITTER) as spotify:
        async with trio.open_nursery() as nursery:
            for _ in range(60):
                nursery.start_soon(spotify.request, "GET", "/markets")
        stats = spotify.statistics()
    elapsed = trio.current_time() - start
    served = emulator.counters.requests["get-available-markets"] - emulator.counters.rate_limited
    assert served == 60
    # 60 requests at 10 per rolling 30 s need five more windows after the first
    assert elapsed >= 150
    assert stats.rate_limited == emulator.counters.rate_limited > 0
    # the gate pauses everyone: far fewer 429s than requests
    assert emulator.counters.rate_limited < 60
    # one pause of Retry-After; then the learned rate paces the rest (docs/concurrency.md)
    assert stats.rate_limit_pause >= 30


async def test_quota_is_raised_at_once() -> None:
    emulator = make(quota=2)
    async with open_emulator_client(emulator) as spotify:
        await spotify.request("GET", "/markets")
        await spotify.request("GET", "/markets")
        with pytest.raises(RateLimitError) as info:
            await spotify.request("GET", "/markets")
    assert info.value.reason == "QUOTA_EXCEEDED"
    assert emulator.counters.requests["get-available-markets"] == 3


async def test_5xx_is_retried(autojump_clock: trio.testing.MockClock) -> None:
    emulator = make()
    emulator.faults.fail_next(503, 2, operation="get-available-markets")
    async with open_emulator_client(emulator, retry=NO_JITTER) as spotify:
        start = trio.current_time()
        answer = await spotify.request("GET", "/markets")
        elapsed = trio.current_time() - start
    assert "SE" in answer["markets"]
    assert emulator.counters.requests["get-available-markets"] == 3
    assert elapsed == pytest.approx(0.5 + 1.0)  # back-off 0.5 then 1.0 (no jitter)


async def test_5xx_gives_up_after_max_attempts(autojump_clock: trio.testing.MockClock) -> None:
    emulator = make()
    emulator.faults.fail_next(500, 10)
    async with open_emulator_client(emulator, retry=NO_JITTER) as spotify:
        with pytest.raises(ServerError) as info:
            await spotify.request("GET", "/markets")
    assert info.value.status == 500
    assert emulator.counters.requests["get-available-markets"] == 4


async def test_post_is_not_retried_after_5xx(autojump_clock: trio.testing.MockClock) -> None:
    emulator = make()
    emulator.faults.fail_next(502, operation="create-playlist")
    async with open_emulator_client(emulator, retry=NO_JITTER) as spotify:
        with pytest.raises(ServerError):
            await spotify.request("POST", "/me/playlists", json={"name": "once"})
        names = [p["name"] for p in (await spotify.request("GET", "/me/playlists"))["items"]]
    assert emulator.counters.requests["create-playlist"] == 1
    assert "once" not in names


async def test_dropped_connection_is_retried(autojump_clock: trio.testing.MockClock) -> None:
    emulator = make()
    emulator.faults.drop_next(2)
    async with open_emulator_client(emulator, retry=NO_JITTER) as spotify:
        assert (await spotify.request("GET", "/markets"))["markets"]
        emulator.faults.drop_next(4)
        with pytest.raises(NetworkError):
            await spotify.request("GET", "/markets")
    assert emulator.counters.faults["drop"] == 6


async def test_malformed_body_is_a_decode_error() -> None:
    emulator = make()
    emulator.faults.malformed_next()
    async with open_emulator_client(emulator) as spotify:
        with pytest.raises(ResponseDecodeError):
            await spotify.request("GET", "/markets")
        assert (await spotify.request("GET", "/markets"))["markets"]


async def test_token_endpoint_faults_are_targeted() -> None:
    """Faults reach /api/token only when scheduled for it by name."""
    from trio_spotify import AuthenticationError, SpotifyError

    emulator = make()
    emulator.faults.fail_next(503)  # untargeted: the first Web API request gets it
    emulator.faults.fail_next(500, operation="request-token")
    async with open_emulator_client(emulator, retry=RetryPolicy(max_attempts=1)) as spotify:
        with pytest.raises(SpotifyError) as info:  # renewal failed: no token
            await spotify.request("GET", "/markets")
        assert isinstance(info.value, AuthenticationError)
        with pytest.raises(ServerError):  # the token works now; the API answers 503
            await spotify.request("GET", "/markets")
        assert (await spotify.request("GET", "/markets"))["markets"]
    assert emulator.counters.faults["error"] == 2
    assert emulator.counters.tokens_issued == 1
