"""Rate limiting, quotas and injected faults, seen at the HTTP level (in-process)."""

from __future__ import annotations

import pytest
import trio
from helpers.emulator import bearer, raw_client

from trio_spotify.testing import RateLimit, SpotifyEmulator


def make(**kwargs: object) -> SpotifyEmulator:
    return SpotifyEmulator(clock=trio.current_time, **kwargs)  # type: ignore[arg-type]


async def test_rolling_window_rate_limit(autojump_clock: trio.testing.MockClock) -> None:
    emulator = make(rate_limit=RateLimit(5, 30.0))
    token = emulator.issue_access_token()
    async with raw_client(emulator) as client:
        statuses = []
        for _ in range(5):
            statuses.append((await client.get("/v1/markets", headers=bearer(token))).status_code)
            await trio.sleep(2)
        assert statuses == [200] * 5
        refused = await client.get("/v1/markets", headers=bearer(token))
        assert refused.status_code == 429
        assert refused.json() == {"error": {"status": 429, "message": "API rate limit exceeded"}}
        # the oldest request (t=0) leaves the window at t=30; now is t=10
        assert refused.headers["Retry-After"] == "20"
        await trio.sleep(19)
        assert (await client.get("/v1/markets", headers=bearer(token))).status_code == 429
        await trio.sleep(1)
        assert (await client.get("/v1/markets", headers=bearer(token))).status_code == 200
        # refused requests do not count: one slot freed at t=32 (the request of t=2)
        assert (await client.get("/v1/markets", headers=bearer(token))).status_code == 429
        await trio.sleep(2)
        assert (await client.get("/v1/markets", headers=bearer(token))).status_code == 200
    assert emulator.counters.rate_limited == 3


async def test_rate_limit_is_per_client_id(autojump_clock: trio.testing.MockClock) -> None:
    emulator = make(rate_limit=RateLimit(1, 30.0))
    ours = emulator.issue_access_token()
    # a second app registered under another client id (same emulator)
    other, _ = emulator.accounts.mint_access("another-app", None, frozenset(), "direct")
    async with raw_client(emulator) as client:
        assert (await client.get("/v1/markets", headers=bearer(ours))).status_code == 200
        assert (await client.get("/v1/markets", headers=bearer(ours))).status_code == 429
        assert (await client.get("/v1/markets", headers=bearer(other))).status_code == 200


async def test_quota_exceeded() -> None:
    emulator = make(quota=3)
    token = emulator.issue_access_token()
    async with raw_client(emulator) as client:
        for _ in range(3):
            assert (await client.get("/v1/markets", headers=bearer(token))).status_code == 200
        r = await client.get("/v1/markets", headers=bearer(token))
    assert r.status_code == 429
    assert r.json()["error"]["reason"] == "QUOTA_EXCEEDED"
    assert int(r.headers["Retry-After"]) > 0


async def test_scheduled_errors_by_operation() -> None:
    emulator = make()
    token = emulator.issue_access_token()
    emulator.faults.fail_next(503, 2, operation="get-available-markets")
    emulator.faults.fail_next(500)
    async with raw_client(emulator) as client:
        genres = await client.get(
            "/v1/recommendations/available-genre-seeds", headers=bearer(token)
        )
        assert genres.status_code == 500  # the unfiltered fault hits the next request of any kind
        codes = [
            (await client.get("/v1/markets", headers=bearer(token))).status_code for _ in range(3)
        ]
    assert codes == [503, 503, 200]
    assert emulator.faults.pending == 0
    assert emulator.counters.faults["error"] == 3
    with pytest.raises(ValueError, match="status"):
        emulator.faults.fail_next(200)


async def test_malformed_json() -> None:
    emulator = make()
    token = emulator.issue_access_token()
    emulator.faults.malformed_next()
    async with raw_client(emulator) as client:
        r = await client.get("/v1/markets", headers=bearer(token))
        assert r.status_code == 200
        with pytest.raises(ValueError):  # noqa: PT011 - json's error
            r.json()
        assert (await client.get("/v1/markets", headers=bearer(token))).json()["markets"]


async def test_latency_uses_the_trio_clock(autojump_clock: trio.testing.MockClock) -> None:
    emulator = make()
    emulator.faults.latency = 0.25
    token = emulator.issue_access_token()
    async with raw_client(emulator) as client:
        start = trio.current_time()
        await client.get("/v1/markets", headers=bearer(token))
        assert trio.current_time() - start == pytest.approx(0.25)


async def test_random_errors_are_seeded() -> None:
    async def run() -> list[int]:
        emulator = make(seed=3)
        emulator.faults.error_rate = 0.3
        token = emulator.issue_access_token()
        async with raw_client(emulator) as client:
            return [
                (await client.get("/v1/markets", headers=bearer(token))).status_code
                for _ in range(40)
            ]

    first, second = await run(), await run()
    assert first == second
    assert {500, 502, 503} & set(first)
    assert 200 in first
    assert 5 < sum(code != 200 for code in first) < 25


async def test_unknown_route_and_method_use_spotify_bodies() -> None:
    emulator = make()
    async with raw_client(emulator) as client:
        missing = await client.get("/v1/nothing-here")
        assert missing.status_code == 404
        assert missing.json() == {"error": {"status": 404, "message": "Service not found"}}
        wrong = await client.post("/v1/markets")
        assert wrong.status_code == 405
        assert wrong.json()["error"]["status"] == 405


async def test_etag_and_not_modified() -> None:
    emulator = make()
    token = emulator.issue_access_token()
    async with raw_client(emulator) as client:
        first = await client.get("/v1/me/playlists", headers=bearer(token))
        etag = first.headers["ETag"]
        same = await client.get(
            "/v1/me/playlists", headers={**bearer(token), "If-None-Match": etag}
        )
        assert same.status_code == 304
        assert same.content == b""
        await client.post(
            "/v1/me/playlists", json={"name": "changes the list"}, headers=bearer(token)
        )
        changed = await client.get(
            "/v1/me/playlists", headers={**bearer(token), "If-None-Match": etag}
        )
        assert changed.status_code == 200
        assert changed.headers["ETag"] != etag
