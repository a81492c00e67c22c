"""The suite-wide guard of conftest.py: a request to a real host fails the test."""

from __future__ import annotations

import pytest
import trio

import trio_spotify


async def test_the_guard_refuses_a_real_host() -> None:
    policy = trio_spotify.RetryPolicy(max_attempts=1)
    async with trio_spotify.open_spotify(trio_spotify.Token("t"), retry=policy) as spotify:
        with trio.fail_after(5), pytest.raises(AssertionError, match="never touch the internet"):
            await spotify.request("GET", "/me")
