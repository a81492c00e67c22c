"""The core client over real loopback sockets, on the real clock (no MockClock here)."""

from __future__ import annotations

import pytest
import trio
from helpers.fakes import LoopbackSpotify, serve_on_loopback

import trio_spotify

pytestmark = pytest.mark.loopback


async def test_concurrent_requests_over_real_sockets():
    app = LoopbackSpotify()
    with trio.fail_after(30):
        async with serve_on_loopback(app) as base:
            auth = trio_spotify.ClientCredentials("id", "secret")
            async with trio_spotify.open_spotify(
                auth, api_url=f"{base}/v1", accounts_url=base, max_concurrency=8
            ) as spotify:
                results: list[object] = []

                async def fetch(i: int) -> None:
                    results.append(await spotify.request("GET", f"/tracks/t{i}"))

                async with trio.open_nursery() as nursery:
                    for i in range(200):
                        nursery.start_soon(fetch, i)
                stats = spotify.statistics()
    assert len(results) == 200
    assert {"path": "/v1/tracks/t7", "name": "a track"} in results
    assert app.tokens_issued == 1
    assert stats.requests_sent == 200
    assert stats.requests_in_flight == 0
    # Several httpx clients, so several connections were used.
    assert len(app.connections) > 1


async def test_rate_limit_gate_over_real_sockets():
    app = LoopbackSpotify(window_requests=20, window_seconds=1.0)
    with trio.fail_after(30):
        async with serve_on_loopback(app) as base:
            async with trio_spotify.open_spotify(
                trio_spotify.ClientCredentials("id", "secret"),
                api_url=f"{base}/v1",
                accounts_url=base,
                max_concurrency=16,
            ) as spotify:
                start = trio.current_time()
                async with trio.open_nursery() as nursery:
                    for i in range(50):
                        nursery.start_soon(spotify.request, "GET", f"/tracks/{i}")
                elapsed = trio.current_time() - start
                stats = spotify.statistics()
    assert app.successes == 50
    # 20 per rolling second: the last 10 cannot complete before two windows have passed.
    assert elapsed >= 2.0
    assert stats.rate_limited == app.rate_limited >= 1
    assert stats.rate_limit_pause >= 1.0


async def test_unreachable_server_raises_network_error():
    # Bind a port, then close it, so nothing listens there.
    listeners = await trio.open_tcp_listeners(0, host="127.0.0.1")
    port = listeners[0].socket.getsockname()[1]
    await listeners[0].aclose()
    policy = trio_spotify.RetryPolicy(max_attempts=2, backoff_base=0.01)
    with trio.fail_after(10):
        async with trio_spotify.open_spotify(
            trio_spotify.Token("t"), api_url=f"http://127.0.0.1:{port}/v1", retry=policy
        ) as spotify:
            with pytest.raises(trio_spotify.NetworkError) as info:
                await spotify.request("GET", "/me")
    assert "ConnectError" in str(info.value)
    assert spotify.statistics().retries == 1
