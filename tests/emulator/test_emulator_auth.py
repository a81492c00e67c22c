"""The emulated accounts service: every grant and its error paths, and how the Web API
treats missing, unknown, expired and under-scoped tokens."""

from __future__ import annotations

import httpx
import pytest
import trio
from helpers.emulator import REDIRECT, authorize, basic, bearer, pkce_pair, query_of, raw_client

from trio_spotify import AuthenticationError, InvalidGrantError, TokenExpiredError, open_spotify
from trio_spotify.testing import IN_PROCESS_URL, SpotifyEmulator, open_emulator_client


def make(**kwargs: object) -> SpotifyEmulator:
    return SpotifyEmulator(clock=trio.current_time, **kwargs)  # type: ignore[arg-type]


async def test_authorize_redirects_with_code_and_state() -> None:
    emulator = make()
    async with raw_client(emulator) as client:
        response = await authorize(client, emulator, state="s-123")
    assert response.status_code == 302
    location = response.headers["location"]
    assert location.startswith(REDIRECT + "?")
    query = query_of(location)
    assert query["state"] == "s-123"
    assert len(query["code"]) > 20


async def test_authorize_refusal_redirects_access_denied() -> None:
    emulator = make(consent=False)
    async with raw_client(emulator) as client:
        response = await authorize(client, emulator)
    assert response.status_code == 302
    assert query_of(response.headers["location"]) == {"error": "access_denied", "state": "xyz"}


@pytest.mark.parametrize(
    ("redirect_uri", "ok"),
    [
        ("http://127.0.0.1:1234/cb", True),
        ("http://[::1]:9/cb", True),
        ("http://localhost:1234/cb", False),
        ("https://example.com/cb", False),
    ],
)
async def test_authorize_redirect_uri_rules(redirect_uri: str, ok: bool) -> None:
    emulator = make()
    async with raw_client(emulator) as client:
        response = await authorize(client, emulator, redirect_uri=redirect_uri)
    assert response.status_code == (302 if ok else 400)


async def test_authorize_rejects_unknown_client_and_bad_pkce_method() -> None:
    emulator = make()
    async with raw_client(emulator) as client:
        r = await client.get(
            "/authorize",
            params={"client_id": "nope", "response_type": "code", "redirect_uri": REDIRECT},
        )
        assert r.status_code == 400
        r = await client.get(
            "/authorize",
            params={
                "client_id": emulator.client_id,
                "response_type": "code",
                "redirect_uri": REDIRECT,
                "code_challenge": "abc",
                "code_challenge_method": "plain",
            },
        )
        assert query_of(r.headers["location"])["error"] == "invalid_request"


async def test_authorization_code_grant_with_basic_auth() -> None:
    emulator = make()
    async with raw_client(emulator) as client:
        code = query_of((await authorize(client, emulator)).headers["location"])["code"]
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
        r = await client.post(
            "/api/token", data=form, headers=basic(emulator.client_id, emulator.client_secret)
        )
        assert r.status_code == 200
        body = r.json()
        assert body["token_type"] == "Bearer"
        assert body["expires_in"] == 3600
        assert set(body["scope"].split()) == {"user-read-private", "user-library-read"}
        assert body["refresh_token"]
        me = await client.get("/v1/me", headers=bearer(body["access_token"]))
        assert me.status_code == 200
        assert me.json()["id"] == emulator.user_id
        # a code works once
        again = await client.post(
            "/api/token", data=form, headers=basic(emulator.client_id, emulator.client_secret)
        )
        assert again.status_code == 400
        assert again.json() == {
            "error": "invalid_grant",
            "error_description": "Invalid authorization code",
        }
    assert emulator.counters.tokens_by_grant["authorization_code"] == 1


async def test_authorization_code_errors() -> None:
    emulator = make()
    async with raw_client(emulator) as client:
        code = query_of((await authorize(client, emulator)).headers["location"])["code"]
        good = basic(emulator.client_id, emulator.client_secret)
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
        wrong_secret = await client.post(
            "/api/token", data=form, headers=basic(emulator.client_id, "wrong")
        )
        assert wrong_secret.json()["error"] == "invalid_client"
        no_secret = await client.post("/api/token", data={**form, "client_id": emulator.client_id})
        assert no_secret.json()["error"] == "invalid_client"
        other_redirect = await client.post(
            "/api/token", data={**form, "redirect_uri": "http://127.0.0.1:1/other"}, headers=good
        )
        assert other_redirect.json()["error"] == "invalid_grant"
        missing = await client.post(
            "/api/token", data={"grant_type": "authorization_code"}, headers=good
        )
        assert missing.json()["error"] == "invalid_request"
        unsupported = await client.post("/api/token", data={"grant_type": "password"}, headers=good)
        assert unsupported.json()["error"] == "unsupported_grant_type"
        absent = await client.post("/api/token", data={"code": code}, headers=good)
        assert absent.json() == {
            "error": "unsupported_grant_type",
            "error_description": "grant_type parameter is missing",
        }
        not_a_form = await client.post(
            "/api/token", json={"grant_type": "client_credentials"}, headers=good
        )
        assert not_a_form.json()["error"] == "invalid_request"
        # the failures above did not consume the code
        ok = await client.post("/api/token", data=form, headers=good)
        assert ok.status_code == 200
    assert emulator.counters.token_errors["invalid_client"] == 2


async def test_code_expires_after_ten_minutes(autojump_clock: trio.testing.MockClock) -> None:
    emulator = make()
    async with raw_client(emulator) as client:
        code = query_of((await authorize(client, emulator)).headers["location"])["code"]
        await trio.sleep(601)
        r = await client.post(
            "/api/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": REDIRECT,
            },
            headers=basic(emulator.client_id, emulator.client_secret),
        )
    assert r.json() == {"error": "invalid_grant", "error_description": "Authorization code expired"}


async def test_pkce_grant_and_rotating_refresh() -> None:
    emulator = make()
    verifier, challenge = pkce_pair()
    async with raw_client(emulator) as client:
        location = (await authorize(client, emulator, challenge=challenge)).headers["location"]
        code = query_of(location)["code"]
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "client_id": emulator.client_id,
        }
        wrong = await client.post("/api/token", data={**form, "code_verifier": "x" * 50})
        assert wrong.json() == {
            "error": "invalid_grant",
            "error_description": "code_verifier was incorrect",
        }
        missing = await client.post("/api/token", data=form)
        assert missing.json()["error"] == "invalid_request"
        ok = await client.post("/api/token", data={**form, "code_verifier": verifier})
        assert ok.status_code == 200
        first = ok.json()["refresh_token"]
        refresh = {
            "grant_type": "refresh_token",
            "refresh_token": first,
            "client_id": emulator.client_id,
        }
        renewed = await client.post("/api/token", data=refresh)
        assert renewed.status_code == 200
        second = renewed.json()["refresh_token"]
        assert second != first
        # the rotated-out token no longer works; the new one does
        stale = await client.post("/api/token", data=refresh)
        assert stale.json()["error"] == "invalid_grant"
        fresh = await client.post("/api/token", data={**refresh, "refresh_token": second})
        assert fresh.status_code == 200


async def test_code_flow_refresh_omits_refresh_token_and_needs_secret() -> None:
    emulator = make()
    auth = emulator.user_auth()
    async with raw_client(emulator) as client:
        form = {"grant_type": "refresh_token", "refresh_token": auth.refresh_token}
        no_secret = await client.post("/api/token", data={**form, "client_id": emulator.client_id})
        assert no_secret.json()["error"] == "invalid_client"
        ok = await client.post(
            "/api/token", data=form, headers=basic(emulator.client_id, emulator.client_secret)
        )
        assert ok.status_code == 200
        assert "refresh_token" not in ok.json()
        again = await client.post(
            "/api/token", data=form, headers=basic(emulator.client_id, emulator.client_secret)
        )
        assert again.status_code == 200


async def test_refresh_token_expires_from_authorization(
    autojump_clock: trio.testing.MockClock,
) -> None:
    emulator = make(refresh_token_lifetime=1000.0, access_token_lifetime=300.0)
    auth = emulator.user_auth()
    async with open_emulator_client(emulator, auth) as spotify:
        await spotify.request("GET", "/me")
        await trio.sleep(500)
        await spotify.request("GET", "/me")  # renewed: refreshing does not extend the lifetime
        await trio.sleep(600)
        with pytest.raises(InvalidGrantError):
            await spotify.request("GET", "/me")
    assert emulator.counters.token_errors["invalid_grant"] == 1


async def test_revoked_refresh_token_is_invalid_grant() -> None:
    emulator = make()
    async with open_emulator_client(emulator) as spotify:
        await spotify.request("GET", "/me")
        emulator.revoke_refresh_tokens()
        emulator.expire_access_tokens()
        with pytest.raises(InvalidGrantError):
            await spotify.request("GET", "/me")


async def test_client_credentials_through_the_client() -> None:
    emulator = make()
    transport = httpx.ASGITransport(app=emulator.app)
    async with open_spotify(
        emulator.client_credentials(),
        transport=transport,
        api_url=IN_PROCESS_URL + "/v1",
        accounts_url=IN_PROCESS_URL,
    ) as s:
        album = await s.request("GET", f"/albums/{emulator.catalog.id_of(2, 3)}")
        assert album["type"] == "album"
        assert s.token is not None
        assert s.token.scope == frozenset()
        # an app token has no user: /me answers 401 (the client renews once, then raises)
        with pytest.raises(TokenExpiredError) as info:
            await s.request("GET", "/me")
        assert info.value.status == 401
    assert emulator.counters.tokens_by_grant["client_credentials"] == 2


async def test_client_credentials_wrong_secret() -> None:
    emulator = make()
    from trio_spotify import ClientCredentials

    async with open_emulator_client(emulator, ClientCredentials(emulator.client_id, "bad")) as s:
        with pytest.raises(AuthenticationError) as info:
            await s.request("GET", "/markets")
    assert "invalid_client" in str(info.value) or "Invalid client" in str(info.value)


async def test_api_token_errors() -> None:
    emulator = make()
    async with raw_client(emulator) as client:
        path = f"/v1/tracks/{emulator.catalog.id_of(3, 0)}"
        missing = await client.get(path)
        assert missing.status_code == 401
        assert missing.json() == {"error": {"status": 401, "message": "No token provided"}}
        unknown = await client.get(path, headers=bearer("nope"))
        assert unknown.json() == {"error": {"status": 401, "message": "Invalid access token"}}
        token = emulator.issue_access_token()
        assert (await client.get(path, headers=bearer(token))).status_code == 200
        emulator.expire_access_tokens()
        expired = await client.get(path, headers=bearer(token))
        assert expired.json() == {"error": {"status": 401, "message": "The access token expired"}}
    assert emulator.counters.unauthorized == 3


async def test_access_token_lifetime_on_the_emulator_clock(
    autojump_clock: trio.testing.MockClock,
) -> None:
    emulator = make(access_token_lifetime=60.0)
    async with raw_client(emulator) as client:
        token = emulator.issue_access_token()
        assert (await client.get("/v1/me", headers=bearer(token))).status_code == 200
        await trio.sleep(59)
        assert (await client.get("/v1/me", headers=bearer(token))).status_code == 200
        await trio.sleep(2)
        r = await client.get("/v1/me", headers=bearer(token))
        assert r.status_code == 401
        assert r.json()["error"]["message"] == "The access token expired"


async def test_client_renews_expired_token(autojump_clock: trio.testing.MockClock) -> None:
    emulator = make(access_token_lifetime=120.0)
    async with open_emulator_client(emulator) as spotify:
        for _ in range(5):
            await spotify.request("GET", "/me")
            await trio.sleep(100)
    assert emulator.counters.unauthorized == 0  # renewed ahead of expiry, never refused
    assert emulator.counters.tokens_by_grant["refresh_token"] == 5


async def test_missing_scope_is_403() -> None:
    emulator = make()
    async with raw_client(emulator) as client:
        token = emulator.issue_access_token(["user-read-private"])
        r = await client.get("/v1/me/tracks", headers=bearer(token))
        assert r.status_code == 403
        assert r.json() == {"error": {"status": 403, "message": "Insufficient client scope"}}
        ok = emulator.issue_access_token(["user-library-read"])
        assert (await client.get("/v1/me/tracks", headers=bearer(ok))).status_code == 200


async def test_me_fields_follow_scopes() -> None:
    emulator = make()
    async with raw_client(emulator) as client:
        bare = (await client.get("/v1/me", headers=bearer(emulator.issue_access_token([])))).json()
        assert "email" not in bare
        assert "product" not in bare
        full = (await client.get("/v1/me", headers=bearer(emulator.issue_access_token()))).json()
        assert full["email"].endswith("@example.com")
        assert full["product"] == "premium"


async def test_app_token_on_user_endpoint_is_401() -> None:
    emulator = make()
    async with raw_client(emulator) as client:
        token = emulator.issue_access_token(user_id="")
        r = await client.get("/v1/me/player/devices", headers=bearer(token))
        assert r.status_code == 401
        catalog = await client.get("/v1/markets", headers=bearer(token))
        assert catalog.status_code == 200
