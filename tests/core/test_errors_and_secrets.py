"""The exception tree, the Token value object, and that no secret ever leaks."""

from __future__ import annotations

import logging
import pickle

import httpx
import pytest
from helpers.fakes import CLIENT_SECRET, FakeSpotify, api_error, json_response, open_fake

import trio_spotify


def test_the_tree_keeps_async_spotify_names():
    assert issubclass(trio_spotify.SpotifyAPIError, trio_spotify.SpotifyError)
    for cls in (
        trio_spotify.BadRequest,
        trio_spotify.TokenExpired,
        trio_spotify.Forbidden,
        trio_spotify.NotFound,
        trio_spotify.RateLimitExceeded,
        trio_spotify.ServerError,
    ):
        assert issubclass(cls, trio_spotify.SpotifyAPIError)
    assert issubclass(trio_spotify.MissingScope, trio_spotify.Forbidden)
    assert issubclass(trio_spotify.RequestTimeout, trio_spotify.NetworkError)
    assert issubclass(trio_spotify.InvalidGrant, trio_spotify.AuthenticationError)
    assert issubclass(trio_spotify.ClientClosedError, RuntimeError)
    assert trio_spotify.SpotifyError.__module__ == "trio_spotify"


@pytest.mark.parametrize(
    "error",
    [
        trio_spotify.NotFound("not found", 404, None, "GET", "https://api.test/v1/x"),
        trio_spotify.RateLimitExceeded("slow down", 429, None, "GET", "https://a/v1", 30.0),
        trio_spotify.MissingScope(
            "Insufficient client scope",
            403,
            None,
            "GET",
            "https://a/v1",
            frozenset({"user-read-private"}),
            frozenset(),
        ),
        trio_spotify.InvalidGrant("refused", "invalid_grant", "Refresh token revoked", 400),
        trio_spotify.ResponseDecodeError("not JSON", 200, "<html>"),
        trio_spotify.NetworkError("network error", "GET", "https://a/v1"),
    ],
)
def test_errors_pickle_and_have_readable_str(error):
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert not str(error).startswith("(")  # not Exception's args tuple


def test_error_messages_say_what_happened():
    error = trio_spotify.MissingScope(
        "Insufficient client scope",
        403,
        None,
        "GET",
        "https://a/v1/me",
        frozenset({"user-read-private", "user-read-email"}),
        frozenset({"user-read-email"}),
    )
    assert "user-read-private" in str(error)
    assert "user-read-email" not in str(error).split("lacks")[1]
    grant = trio_spotify.InvalidGrant("refused", "invalid_grant", "Refresh token revoked", 400)
    assert str(grant) == "refused: invalid_grant (Refresh token revoked)"


def test_token_repr_and_str_hide_secrets():
    token = trio_spotify.Token(
        "ACCESS-SECRET",
        refresh_token="REFRESH-SECRET",
        expires_at=123.0,
        scope="user-read-private playlist-read-private",
    )
    for text in (repr(token), str(token)):
        assert "ACCESS-SECRET" not in text
        assert "REFRESH-SECRET" not in text
    assert token.scope == frozenset({"user-read-private", "playlist-read-private"})
    assert token.expires_in(now=100.0) == 23.0
    assert trio_spotify.Token.from_json(token.to_json()) == token


def test_token_rejects_bad_values():
    with pytest.raises(ValueError, match="access_token"):
        trio_spotify.Token("")
    with pytest.raises(ValueError, match="scope"):
        trio_spotify.Token("x", scope=["two words"])
    with pytest.raises(ValueError, match="malformed token data"):
        trio_spotify.Token.from_json({"refresh_token": "x"})


def test_refresh_answer_without_refresh_token_keeps_the_old_one():
    old = trio_spotify.Token("a1", refresh_token="r1", scope="s1")
    new = trio_spotify.Token.from_token_response(
        {"access_token": "a2", "expires_in": 3600, "token_type": "Bearer"}, previous=old, now=0.0
    )
    assert (new.access_token, new.refresh_token, new.expires_at) == ("a2", "r1", 3600.0)
    assert new.scope == frozenset({"s1"})
    rotated = trio_spotify.Token.from_token_response(
        {"access_token": "a3", "refresh_token": "r2", "scope": "s1 s2"}, previous=new
    )
    assert rotated.refresh_token == "r2"
    assert rotated.scope == frozenset({"s1", "s2"})


def test_client_credentials_repr_hides_the_secret(monkeypatch):
    creds = trio_spotify.ClientCredentials("id", "TOP-SECRET")
    assert "TOP-SECRET" not in repr(creds)
    monkeypatch.delenv("SPOTIFY_CLIENT_SECRET", raising=False)
    monkeypatch.setenv("SPOTIFY_CLIENT_ID", "id")
    with pytest.raises(LookupError, match="SPOTIFY_CLIENT_SECRET"):
        trio_spotify.ClientCredentials.from_env()
    monkeypatch.setenv("SPOTIFY_CLIENT_SECRET", "s")
    assert trio_spotify.ClientCredentials.from_env() == trio_spotify.ClientCredentials("id", "s")


async def test_token_endpoint_errors_use_the_rfc6749_body(autojump_clock):
    fake = FakeSpotify()
    async with open_fake(
        fake, auth=trio_spotify.ClientCredentials("client-id-1234", "wrong")
    ) as spotify:
        with pytest.raises(trio_spotify.AuthenticationError) as info:
            await spotify.request("GET", "/x")
    assert info.value.error == "invalid_client"
    assert info.value.description == "Invalid client secret"
    assert info.value.status == 400
    assert "wrong" not in str(info.value)
    assert "wrong" not in repr(info.value)


async def test_invalid_grant_gets_its_own_class(autojump_clock):
    class Refresher:
        async def renew(self, accounts, stale):
            return await accounts.request_token(
                {"grant_type": "refresh_token", "refresh_token": "R"}, client_id="c"
            )

    async def handler(request: httpx.Request) -> httpx.Response:
        return json_response(
            400, {"error": "invalid_grant", "error_description": "Refresh token revoked"}
        )

    async with trio_spotify.open_spotify(
        Refresher(), transport=httpx.MockTransport(handler)
    ) as spotify:
        with pytest.raises(trio_spotify.InvalidGrant):
            await spotify.request("GET", "/x")


async def test_no_secret_in_any_log_record_repr_or_error(autojump_clock, caplog):
    caplog.set_level(logging.DEBUG, logger="trio_spotify")
    calls = {"n": 0}

    async def api(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] == 1:
            return api_error(429, "API rate limit exceeded", headers={"Retry-After": "1"})
        if calls["n"] == 2:
            return api_error(503, "Service unavailable")
        if calls["n"] == 3:
            raise httpx.ConnectError("refused", request=request)
        if calls["n"] == 4:
            return api_error(401, "The access token expired")
        return api_error(404, "Not found")

    fake = FakeSpotify(api=api)
    async with open_fake(fake) as spotify:
        with pytest.raises(trio_spotify.NotFound) as info:
            await spotify.request("GET", "/x", params={"market": "SE"})
        texts = [
            repr(spotify),
            repr(spotify.token),
            str(spotify.token),
            repr(info.value),
            str(info.value),
            repr(spotify.statistics()),
        ]
    texts += [record.getMessage() for record in caplog.records]
    assert len(caplog.records) >= 5  # requests, the 429, the retries, the renewals were logged
    secrets = [CLIENT_SECRET, "token-1", "token-2", "Bearer token", "Basic "]
    for text in texts:
        for secret in secrets:
            assert secret not in text, (secret, text)


def test_a_token_with_characters_a_header_cannot_carry_is_refused_without_quoting_it():
    with pytest.raises(ValueError, match="characters a bearer token cannot have") as info:
        trio_spotify.Token("SECRET-TOKEN\n")
    assert "SECRET-TOKEN" not in str(info.value)
    with pytest.raises(ValueError, match="bearer token"):
        trio_spotify.Token("two words")
    assert trio_spotify.Token("BQD-a_b.c~d+e/f==").access_token == "BQD-a_b.c~d+e/f=="


async def test_transport_error_text_never_reaches_messages_and_protocol_errors_are_final(
    autojump_clock, caplog
):
    caplog.set_level(logging.DEBUG, logger="trio_spotify")

    async def api(request: httpx.Request) -> httpx.Response:
        raise httpx.LocalProtocolError("Illegal header value b'Bearer token-1\\n'")

    fake = FakeSpotify(api=api)
    async with open_fake(fake) as spotify:
        with pytest.raises(trio_spotify.NetworkError) as info:
            await spotify.request("GET", "/x")
    assert isinstance(info.value.__cause__, httpx.LocalProtocolError)
    assert len(fake.requests) == 1  # a malformed request is not sent again
    texts = [str(info.value), repr(info.value)] + [r.getMessage() for r in caplog.records]
    assert not [t for t in texts if "token-1" in t]
