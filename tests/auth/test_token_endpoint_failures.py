"""The token endpoint's failures: transient ones are retried, none leaks a secret.

One 503 from `/api/token` during a renewal used to fail every request waiting for the
token; a token answer cut off mid-body used to raise a `ResponseDecodeError` quoting the
tokens. MockTransport and the autojump clock throughout.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
import trio
from helpers.fakes import API, CLIENT_ID, CLIENT_SECRET, json_response

import trio_spotify

ACCESS = "SECRET-ACCESS-TOKEN-0123456789"
REFRESH = "SECRET-REFRESH-TOKEN-9876543210"
GOOD = {"access_token": ACCESS, "token_type": "Bearer", "expires_in": 3600}
Answer = Callable[[int], Awaitable[httpx.Response]]


class Accounts:
    """Answers the n-th token request (0-based) with `answer(n)`; the API answers 200."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.posts = 0

    async def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/token":
            self.posts += 1
            return await self.answer(self.posts - 1)
        return json_response(200, {"ok": True})


def open_client(accounts: Accounts, **kwargs: Any) -> Any:
    return trio_spotify.open_spotify(
        trio_spotify.ClientCredentials(CLIENT_ID, CLIENT_SECRET),
        api_url=API,
        accounts_url="https://accounts.test",
        transport=httpx.MockTransport(accounts.handle),
        **kwargs,
    )


async def first_fails(n: int) -> httpx.Response:
    if n == 0:
        return httpx.Response(503, text="Service Unavailable")
    return json_response(200, GOOD)


async def test_one_503_from_the_token_endpoint_fails_no_waiting_request(
    autojump_clock: trio.testing.MockClock,
) -> None:
    accounts = Accounts(first_fails)
    results: list[object] = []
    async with open_client(accounts) as spotify:

        async def one() -> None:
            results.append(await spotify.request("GET", "/me"))

        async with trio.open_nursery() as nursery:
            for _ in range(200):
                nursery.start_soon(one)
        assert spotify.statistics().token_renewals == 1
    assert results == [{"ok": True}] * 200
    assert accounts.posts == 2


async def test_a_dropped_connection_to_the_token_endpoint_is_retried(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async def drops_once(n: int) -> httpx.Response:
        if n == 0:
            raise httpx.ConnectError("connection refused")
        return json_response(200, GOOD)

    accounts = Accounts(drops_once)
    async with open_client(accounts) as spotify:
        assert await spotify.request("GET", "/me") == {"ok": True}
    assert accounts.posts == 2


async def test_a_lasting_outage_is_retried_a_bounded_number_of_times(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async def down(n: int) -> httpx.Response:
        return httpx.Response(503)

    accounts = Accounts(down)
    errors: list[BaseException] = []
    policy = trio_spotify.RetryPolicy(max_attempts=3)
    async with open_client(accounts, retry=policy) as spotify:

        async def one() -> None:
            with pytest.raises(trio_spotify.AuthenticationError) as info:
                await spotify.request("GET", "/me")
            errors.append(info.value)

        async with trio.open_nursery() as nursery:
            for _ in range(20):
                nursery.start_soon(one)
    assert accounts.posts == 3
    assert len(errors) == 20
    assert all(getattr(e, "status", None) == 503 for e in errors)


async def test_an_authorization_code_is_never_sent_twice_after_a_5xx(
    autojump_clock: trio.testing.MockClock,
) -> None:
    accounts = Accounts(first_fails)
    async with httpx.AsyncClient(transport=httpx.MockTransport(accounts.handle)) as client:
        service = trio_spotify.AccountsService(client, "https://accounts.test")
        form = {"grant_type": "authorization_code", "code": "c", "redirect_uri": "http://x"}
        with pytest.raises(trio_spotify.AuthenticationError):
            await service.request_token(form, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
        assert accounts.posts == 1
        # ... but a refresh, which may be sent again, is retried.
        accounts.posts = 0
        token = await service.request_token(
            {"grant_type": "refresh_token", "refresh_token": "r"},
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
        )
        assert token.access_token == ACCESS
        assert accounts.posts == 2


CUT = (
    b'{"access_token": "' + ACCESS.encode() + b'", "token_type": "Bearer", '
    b'"refresh_token": "' + REFRESH.encode() + b'", "expi'
)

FAILURES: dict[str, Callable[[], httpx.Response]] = {
    "cut off mid-body": lambda: httpx.Response(200, content=CUT),
    "not JSON": lambda: httpx.Response(200, text=f"<html>{ACCESS} {REFRESH}</html>"),
    "a JSON list": lambda: json_response(200, [ACCESS, REFRESH]),
    "no access token": lambda: json_response(200, {"refresh_token": REFRESH}),
    "an empty access token": lambda: json_response(200, {**GOOD, "access_token": ""}),
    "400 with an RFC 6749 body": lambda: json_response(
        400, {"error": "invalid_grant", "error_description": "Invalid refresh token"}
    ),
    "400 quoting the tokens, not JSON": lambda: httpx.Response(400, content=CUT),
    "500 quoting the tokens": lambda: httpx.Response(500, content=CUT),
}


@pytest.mark.parametrize("case", sorted(FAILURES))
async def test_no_failure_of_the_token_endpoint_carries_a_token(
    case: str, autojump_clock: trio.testing.MockClock, caplog: pytest.LogCaptureFixture
) -> None:
    async def answer(n: int) -> httpx.Response:
        return FAILURES[case]()

    accounts = Accounts(answer)
    caplog.set_level(logging.DEBUG, logger="trio_spotify")
    async with httpx.AsyncClient(transport=httpx.MockTransport(accounts.handle)) as client:
        service = trio_spotify.AccountsService(
            client, "https://accounts.test", retry=trio_spotify.RetryPolicy(max_attempts=2)
        )
        with pytest.raises(trio_spotify.SpotifyError) as info:
            await service.request_token(
                {"grant_type": "refresh_token", "refresh_token": "r"},
                client_id=CLIENT_ID,
                client_secret=CLIENT_SECRET,
            )
    error = info.value
    seen = "\n".join(
        [
            str(error),
            repr(error),
            repr(error.args),
            "".join(traceback.format_exception(error)),
            *(record.getMessage() for record in caplog.records),
            *(repr(record.args) for record in caplog.records),
        ]
    )
    assert ACCESS not in seen
    assert REFRESH not in seen
    assert CLIENT_SECRET not in seen
