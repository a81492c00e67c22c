"""When a request is sent again: what a transport failure records, and the back-off's jitter.

`map_transport_errors` is the one place where httpx's exception classes are read: it records
on `NetworkError` whether the request may have reached the server and whether it was
malformed locally, and the handler decides from those fields alone.
"""

from __future__ import annotations

import ast
import collections
import inspect
import pickle
import random

import httpx
import pytest
import trio
from helpers.fakes import FakeSpotify, json_response, open_fake

import trio_spotify
from trio_spotify import _handler
from trio_spotify._errors import map_transport_errors

URL = httpx.URL("https://api.test/v1/me/playlists?market=DE")


@pytest.mark.parametrize(
    ("exc", "cls", "reached_server", "malformed"),
    [
        (httpx.ConnectError("refused"), trio_spotify.NetworkError, False, False),
        (httpx.ConnectTimeout("slow"), trio_spotify.RequestTimeoutError, False, False),
        (httpx.PoolTimeout("busy"), trio_spotify.RequestTimeoutError, False, False),
        (httpx.ReadTimeout("slow"), trio_spotify.RequestTimeoutError, True, False),
        (httpx.WriteTimeout("slow"), trio_spotify.RequestTimeoutError, True, False),
        (httpx.ReadError("reset"), trio_spotify.NetworkError, True, False),
        (httpx.WriteError("broken pipe"), trio_spotify.NetworkError, True, False),
        (httpx.RemoteProtocolError("bad answer"), trio_spotify.NetworkError, True, False),
        (httpx.LocalProtocolError("bad header"), trio_spotify.NetworkError, True, True),
        (httpx.ProxyError("proxy"), trio_spotify.NetworkError, True, False),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else None,
)
def test_a_transport_error_records_whether_the_request_may_have_reached_the_server(
    exc: httpx.TransportError,
    cls: type[trio_spotify.NetworkError],
    reached_server: bool,
    malformed: bool,
) -> None:
    with pytest.raises(trio_spotify.NetworkError) as info, map_transport_errors("POST", URL):
        raise exc
    error = info.value
    assert type(error) is cls
    assert (error.reached_server, error.malformed) == (reached_server, malformed)
    assert error.__cause__ is exc
    assert (error.method, error.url) == ("POST", "https://api.test/v1/me/playlists")
    copy = pickle.loads(pickle.dumps(error))  # the fields are positional: they unpickle
    assert type(copy) is cls
    assert (copy.reached_server, copy.malformed, copy.url) == (
        reached_server,
        malformed,
        error.url,
    )


def test_other_exceptions_pass_through_the_mapping_untouched() -> None:
    with pytest.raises(KeyError), map_transport_errors("GET", URL):
        raise KeyError("mine")
    with pytest.raises(trio.TooSlowError), map_transport_errors("GET", URL):
        raise trio.TooSlowError


def test_the_handler_never_looks_at_httpx_exception_classes() -> None:
    """Retry decisions read `NetworkError`'s fields, not httpx classes or `__cause__`."""
    tree = ast.parse(inspect.getsource(_handler))
    used = {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "httpx"
    }
    assert used, "the parse found no httpx name at all"
    used |= {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "httpx"
        for alias in node.names
    }
    exceptions = {name for name in used if isinstance(getattr(httpx, name), type)}
    exceptions = {name for name in exceptions if issubclass(getattr(httpx, name), BaseException)}
    assert exceptions == set()
    assert not any(
        isinstance(node, ast.Attribute) and node.attr == "__cause__" for node in ast.walk(tree)
    )


@pytest.mark.parametrize(
    ("exc", "retried"),
    [
        (httpx.ConnectError, True),
        (httpx.ConnectTimeout, True),
        (httpx.PoolTimeout, True),
        (httpx.ReadTimeout, False),
        (httpx.ReadError, False),
        (httpx.RemoteProtocolError, False),
    ],
)
async def test_a_post_is_sent_again_only_when_it_cannot_have_reached_the_server(
    autojump_clock: trio.testing.MockClock, exc: type[httpx.TransportError], retried: bool
) -> None:
    failures = 1

    async def api(request: httpx.Request) -> httpx.Response:
        nonlocal failures
        await trio.lowlevel.checkpoint()
        if failures:
            failures -= 1
            raise exc("failed", request=request)
        return json_response(201, {"id": "new"})

    fake = FakeSpotify(api=api)
    async with open_fake(fake) as spotify:
        if retried:
            assert await spotify.request("POST", "/me/playlists", json={}) == {"id": "new"}
        else:
            with pytest.raises(trio_spotify.NetworkError) as info:
                await spotify.request("POST", "/me/playlists", json={})
            assert isinstance(info.value.__cause__, exc)
            assert info.value.reached_server
        # A GET may be sent again after any of them.
        failures = 1
        assert await spotify.request("GET", "/me/playlists") == {"id": "new"}
    assert len(fake.requests) == (2 if retried else 1) + 2


def test_the_default_back_off_is_spread_uniformly_over_zero_to_its_cap() -> None:
    """Full jitter: neither the cap itself (no jitter) nor zero nor a narrow band of it."""
    policy = trio_spotify.RetryPolicy(backoff_base=1.0, backoff_max=8.0)  # default jitter
    cap = 8.0  # retry 4: min(8, 1 * 2 ** 3)
    state = random.getstate()
    random.seed(20261125)
    try:
        samples = [policy.backoff(4) for _ in range(4000)]
    finally:
        random.setstate(state)
    assert all(0.0 <= delay <= cap for delay in samples)
    tenths = collections.Counter(min(int(delay / cap * 10), 9) for delay in samples)
    # 400 expected in each tenth of [0, cap]; 250 is more than seven standard deviations off.
    assert all(tenths[tenth] >= 250 for tenth in range(10)), sorted(tenths.items())
    assert len(set(samples)) > 3900
    assert 0.45 * cap <= sum(samples) / len(samples) <= 0.55 * cap
