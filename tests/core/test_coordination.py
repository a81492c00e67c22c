"""The coordination seam: `open_spotify(coordinator=...)` takes its gate and token source
from the coordinator; the default, `LocalCoordinator`, is the in-process behaviour."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
import trio

import trio_spotify
from trio_spotify import Coordinator, LocalCoordinator, Token
from trio_spotify._auth import TokenManager
from trio_spotify._ratelimit import RateGate


class Recording:
    """A coordinator that records what it is asked and hands out the local objects."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.local = LocalCoordinator()

    def rate_budget(
        self, limiter: trio.CapacityLimiter, max_concurrency: int, *, learn: bool
    ) -> RateGate:
        self.calls.append(("rate_budget", (limiter.total_tokens, max_concurrency, learn)))
        self.gate = self.local.rate_budget(limiter, max_concurrency, learn=learn)
        return self.gate

    def token_source(
        self,
        auth: Any,
        accounts: Any,
        *,
        skew: float,
        on_token: Callable[[Token], object] | None,
    ) -> TokenManager:
        self.calls.append(("token_source", (auth, skew, on_token)))
        self.tokens = self.local.token_source(auth, accounts, skew=skew, on_token=on_token)
        return self.tokens


def _answer(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/api/token":
        return httpx.Response(200, json={"access_token": "A1", "expires_in": 3600})
    if request.url.path == "/v1/limited":
        return httpx.Response(429, headers={"Retry-After": "2"}, json={"error": {}})
    return httpx.Response(200, json={"ok": True})


def test_the_local_coordinator_is_a_coordinator() -> None:
    assert isinstance(LocalCoordinator(), Coordinator)
    assert isinstance(Recording(), Coordinator)
    assert repr(LocalCoordinator()) == "LocalCoordinator()"


async def test_open_spotify_takes_the_gate_and_the_token_source_from_the_coordinator(
    autojump_clock: trio.abc.Clock,
) -> None:
    coordinator = Recording()
    auth = trio_spotify.ClientCredentials("id", "secret")
    on_token: list[Token] = []
    async with trio_spotify.open_spotify(
        auth,
        coordinator=coordinator,
        transport=httpx.MockTransport(_answer),
        max_concurrency=7,
        token_skew=5.0,
        on_token=on_token.append,
        retry=trio_spotify.RetryPolicy(max_retry_after=1.0),
    ) as spotify:
        assert await spotify.request("GET", "/ok") == {"ok": True}
        assert spotify.token is coordinator.tokens.token
        with pytest.raises(trio_spotify.RateLimitError):
            await spotify.request("GET", "/limited")
        # The coordinator's gate is the one that was closed by the 429.
        assert coordinator.gate.rate_limited == 1
        assert spotify.statistics().rate_limited == 1
        assert spotify.statistics().token_renewals == coordinator.tokens.renewals == 1
    assert coordinator.calls == [
        ("token_source", (auth, 5.0, on_token.append)),
        ("rate_budget", (7, 7, True)),
    ]
    assert len(on_token) == 1
