"""End-to-end sign-in against the emulator (trio_spotify.testing.SpotifyEmulator).

The emulator's ``/authorize`` consents at once and redirects; a fake browser follows the
authorize URL in-process (httpx.ASGITransport) and then GETs the redirect ``Location`` on
the real loopback listener of ``login()``. Those tests run on the real clock under
``trio.fail_after``. The renewal tests sign in without a listener (the same redirect,
handed to ``flow.exchange``) so that they can run under ``autojump_clock`` with the
emulator on trio's clock.
"""

from __future__ import annotations

import json
import os
import stat
import urllib.parse
from pathlib import Path

import httpx
import pytest
import trio
from helpers.emulator import Browser, follow_authorize

from trio_spotify import (
    PKCE,
    AuthorizationCode,
    AuthorizationDenied,
    AuthorizationError,
    FileTokenStore,
    InvalidGrant,
    InvalidRedirectURI,
    MemoryTokenStore,
    MissingScope,
    Scope,
    StateMismatch,
    TokenStoreError,
    login,
)
from trio_spotify.testing import IN_PROCESS_URL, SpotifyEmulator, open_emulator_client

TIMEOUT = 20
SIX_MONTHS = 183 * 24 * 3600.0


def query(url: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def code_flow(
    emulator: SpotifyEmulator, redirect: str = "http://127.0.0.1/callback", **kwargs: object
) -> AuthorizationCode:
    return AuthorizationCode(
        emulator.client_id,
        emulator.client_secret,
        redirect,
        accounts_url=IN_PROCESS_URL,
        **kwargs,  # type: ignore[arg-type]
    )


def pkce_flow(
    emulator: SpotifyEmulator, redirect: str = "http://127.0.0.1/callback", **kwargs: object
) -> PKCE:
    return PKCE(emulator.client_id, redirect, accounts_url=IN_PROCESS_URL, **kwargs)  # type: ignore[arg-type]


async def sign_in_through_listener(
    emulator: SpotifyEmulator, flow: AuthorizationCode | PKCE, browser: Browser | None = None
) -> Browser:
    browser = browser if browser is not None else Browser(emulator)
    with trio.fail_after(TIMEOUT):
        await login(
            flow,
            open_browser=browser,
            echo=lambda _: None,
            transport=httpx.ASGITransport(app=emulator.app),
        )
    return browser


async def sign_in_in_process(emulator: SpotifyEmulator, flow: AuthorizationCode | PKCE) -> None:
    location = await follow_authorize(emulator, flow.authorize_url())
    await flow.exchange(location, transport=httpx.ASGITransport(app=emulator.app))


# -- sign-in through the real loopback listener -----------------------------------------


@pytest.mark.loopback
async def test_authorization_code_sign_in_end_to_end(tmp_path: Path) -> None:
    emulator = SpotifyEmulator()
    store = FileTokenStore(tmp_path / "tokens.json")
    flow = code_flow(emulator, scope=[Scope.USER_READ_PRIVATE, Scope.USER_TOP_READ], store=store)
    browser = await sign_in_through_listener(emulator, flow)
    assert browser.responses[0].status_code == 200
    assert "close this window" in browser.responses[0].text
    assert emulator.counters.tokens_by_grant["authorization_code"] == 1
    token = flow.token
    assert token is not None
    assert token.scope == {"user-read-private", "user-top-read"}
    assert token.refresh_token is not None
    # The file: mode 0600, the token under "<client id>/default".
    path = tmp_path / "tokens.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert await store.load(f"{emulator.client_id}/default") == token
    # The signed-in client works as the user.
    with trio.fail_after(TIMEOUT):
        async with open_emulator_client(emulator, flow) as spotify:
            me = await spotify.users.me()
            top = await spotify.users.top("tracks", limit=5)
    assert me["id"] == emulator.user_id
    assert len(top["items"]) == 5


@pytest.mark.loopback
async def test_pkce_sign_in_end_to_end() -> None:
    emulator = SpotifyEmulator()
    flow = pkce_flow(emulator, "http://127.0.0.1/cb", scope="user-library-read")
    browser = await sign_in_through_listener(emulator, flow)
    assert browser.responses[0].status_code == 200
    assert query(browser.locations[0])["code"]
    assert emulator.counters.tokens_by_grant["authorization_code"] == 1
    assert flow.token is not None
    assert flow.token.scope == {"user-library-read"}
    with trio.fail_after(TIMEOUT):
        async with open_emulator_client(emulator, flow) as spotify:
            assert (await spotify.users.me())["id"] == emulator.user_id


@pytest.mark.loopback
async def test_a_tampered_state_is_refused_and_no_code_is_exchanged() -> None:
    emulator = SpotifyEmulator()
    flow = pkce_flow(emulator)

    def tamper(location: str) -> str:
        return location.replace("state=", "state=evil")

    with pytest.raises(StateMismatch):
        await sign_in_through_listener(emulator, flow, Browser(emulator, tamper))
    assert emulator.counters.tokens_by_grant["authorization_code"] == 0
    assert flow.token is None


@pytest.mark.loopback
async def test_access_denied_end_to_end() -> None:
    emulator = SpotifyEmulator(consent=False)
    flow = code_flow(emulator)
    browser = Browser(emulator)
    with pytest.raises(AuthorizationDenied) as info:
        await sign_in_through_listener(emulator, flow, browser)
    assert info.value.error == "access_denied"
    assert query(browser.locations[0])["error"] == "access_denied"
    assert emulator.counters.tokens_issued == 0


@pytest.mark.loopback
async def test_an_unknown_scope_comes_back_as_an_authorization_error() -> None:
    emulator = SpotifyEmulator()
    flow = pkce_flow(emulator, scope=["user-library-read", "user-not-a-real-scope"])
    with pytest.raises(AuthorizationError) as info:
        await sign_in_through_listener(emulator, flow)
    assert info.value.error == "invalid_scope"


async def test_a_localhost_redirect_is_refused_before_anything_is_sent() -> None:
    emulator = SpotifyEmulator()
    with pytest.raises(InvalidRedirectURI, match="localhost"):
        pkce_flow(emulator, "http://localhost:8888/callback")
    assert emulator.counters.authorizations == 0


@pytest.mark.loopback
async def test_a_corrupt_token_file_is_left_untouched_by_a_sign_in(tmp_path: Path) -> None:
    emulator = SpotifyEmulator()
    path = tmp_path / "tokens.json"
    path.write_text('{"format": "trio_spotify.tokens", "version": 1, "tokens": {')
    flow = code_flow(emulator, store=FileTokenStore(path))
    browser = Browser(emulator)
    with pytest.raises(TokenStoreError, match="left untouched"):
        await sign_in_through_listener(emulator, flow, browser)
    assert browser.responses[0].status_code == 500
    assert path.read_text() == '{"format": "trio_spotify.tokens", "version": 1, "tokens": {'
    assert flow.token is not None  # the token is still held in memory


# -- renewal (in-process, on trio's clock) ---------------------------------------------------


async def test_pkce_refresh_rotates_and_the_rotated_token_is_saved(
    autojump_clock: object, tmp_path: Path
) -> None:
    emulator = SpotifyEmulator(clock=trio.current_time, access_token_lifetime=3600)
    store = FileTokenStore(tmp_path / "tokens.json")
    flow = pkce_flow(emulator, scope="user-read-private", store=store)
    await sign_in_in_process(emulator, flow)
    first = await store.load(flow.key)
    assert first is not None
    async with open_emulator_client(emulator, flow) as spotify:
        await spotify.users.me()
        await trio.sleep(3700)  # the access token expired
        await spotify.users.me()
        second = await store.load(flow.key)
        emulator.expire_access_tokens()  # refused with 401: renewed and retried
        await spotify.users.me()
        third = await store.load(flow.key)
    assert emulator.counters.tokens_by_grant["refresh_token"] == 2
    assert second is not None
    assert third is not None
    assert len({first.refresh_token, second.refresh_token, third.refresh_token}) == 3
    assert third == flow.token
    # A later run restores the rotated token and can refresh with it: nothing was lost.
    later = pkce_flow(emulator, scope="user-read-private", store=FileTokenStore(store.path))
    assert await later.restore() == third
    emulator.expire_access_tokens()
    async with open_emulator_client(emulator, later) as spotify:
        await spotify.users.me()
    assert emulator.counters.tokens_by_grant["refresh_token"] == 3


async def test_code_flow_refresh_without_a_new_refresh_token_keeps_the_old_one(
    autojump_clock: object,
) -> None:
    emulator = SpotifyEmulator(clock=trio.current_time)
    store = MemoryTokenStore()
    flow = code_flow(emulator, scope="user-read-private", store=store)
    await sign_in_in_process(emulator, flow)
    first = flow.token
    assert first is not None
    async with open_emulator_client(emulator, flow) as spotify:
        await trio.sleep(3700)
        await spotify.users.me()
    renewed = await store.load(flow.key)
    assert emulator.counters.tokens_by_grant["refresh_token"] == 1
    assert renewed is not None
    assert renewed.access_token != first.access_token
    assert renewed.refresh_token == first.refresh_token
    assert renewed.scope == {"user-read-private"}
    assert store.saves == 2


async def test_an_expired_refresh_token_asks_to_sign_in_and_keeps_the_file(
    autojump_clock: object, tmp_path: Path
) -> None:
    emulator = SpotifyEmulator(clock=trio.current_time, refresh_token_lifetime=SIX_MONTHS)
    store = FileTokenStore(tmp_path / "tokens.json")
    flow = code_flow(emulator, scope="user-read-private", store=store)
    await sign_in_in_process(emulator, flow)
    before = (tmp_path / "tokens.json").read_bytes()
    await trio.sleep(SIX_MONTHS + 1)
    async with open_emulator_client(emulator, flow) as spotify:
        with pytest.raises(InvalidGrant, match="sign in again") as info:
            await spotify.users.me()
    assert "six months" in str(info.value)
    assert emulator.counters.token_errors["invalid_grant"] == 1
    assert (tmp_path / "tokens.json").read_bytes() == before


async def test_a_revoked_refresh_token_raises_invalid_grant(autojump_clock: object) -> None:
    emulator = SpotifyEmulator(clock=trio.current_time)
    flow = pkce_flow(emulator, store=MemoryTokenStore())
    await sign_in_in_process(emulator, flow)
    emulator.revoke_refresh_tokens()
    emulator.expire_access_tokens()
    async with open_emulator_client(emulator, flow) as spotify:
        with pytest.raises(InvalidGrant, match="sign in again"):
            await spotify.users.me()


@pytest.mark.parametrize("how", ["expired in time", "refused with 401"])
async def test_concurrent_requests_on_a_stale_user_token_cause_one_refresh(
    autojump_clock: object, how: str
) -> None:
    emulator = SpotifyEmulator(clock=trio.current_time)
    flow = pkce_flow(emulator, scope="user-read-private", store=MemoryTokenStore())
    await sign_in_in_process(emulator, flow)
    async with open_emulator_client(emulator, flow, max_concurrency=64) as spotify:
        if how == "expired in time":
            await trio.sleep(3700)
        else:
            emulator.expire_access_tokens()
        async with trio.open_nursery() as nursery:
            for _ in range(300):
                nursery.start_soon(spotify.users.me)
    assert emulator.counters.tokens_by_grant["refresh_token"] == 1
    assert emulator.counters.token_errors["invalid_grant"] == 0  # rotation never raced


async def test_missing_scopes_name_the_scope_to_ask_for(
    autojump_clock: object, tmp_path: Path
) -> None:
    emulator = SpotifyEmulator(clock=trio.current_time)
    store = FileTokenStore(tmp_path / "tokens.json")
    flow = code_flow(emulator, scope=[Scope.USER_LIBRARY_READ], store=store)
    await sign_in_in_process(emulator, flow)
    async with open_emulator_client(emulator, flow) as spotify:
        with pytest.raises(MissingScope) as info:
            await spotify.users.top("tracks")
    assert "user-top-read" in info.value.required
    assert info.value.granted == {"user-library-read"}
    assert "user-top-read" in str(info.value)
    # A flow that asks for more scopes does not reuse the saved token: sign in again.
    wider = code_flow(emulator, scope=[Scope.USER_LIBRARY_READ, Scope.USER_TOP_READ], store=store)
    assert await wider.restore() is None
    narrower = code_flow(emulator, scope=[Scope.USER_LIBRARY_READ], store=store)
    assert await narrower.restore() == flow.token


async def test_secrets_stay_out_of_logs_and_reprs_end_to_end(
    autojump_clock: object, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level("DEBUG")
    emulator = SpotifyEmulator(clock=trio.current_time)
    store = FileTokenStore(tmp_path / "t.json")
    flow = pkce_flow(emulator, store=store, scope="user-read-private")
    request = flow.begin()
    location = await follow_authorize(emulator, request.url)
    code = query(location)["code"]
    await flow.exchange(location, transport=httpx.ASGITransport(app=emulator.app))
    async with open_emulator_client(emulator, flow) as spotify:
        await trio.sleep(3700)
        await spotify.users.me()
        emulator.revoke_refresh_tokens()
        emulator.expire_access_tokens()
        with pytest.raises(InvalidGrant) as info:
            await spotify.users.me()
    saved = json.loads((tmp_path / "t.json").read_text())["tokens"][flow.key]
    secrets = {
        emulator.client_secret,
        code,
        request.code_verifier or "",
        saved["access_token"],
        saved["refresh_token"],
    }
    texts = [
        repr(flow),
        str(flow),
        repr(request),
        repr(flow.token),
        str(flow.token),
        repr(store),
        str(info.value),
        repr(info.value),
    ]
    texts += [record.getMessage() for record in caplog.records]
    assert caplog.records
    for text in texts:
        for secret in secrets:
            assert secret not in text


def test_the_store_file_is_private_even_with_a_permissive_umask(tmp_path: Path) -> None:
    async def main() -> None:
        emulator = SpotifyEmulator()
        flow = pkce_flow(emulator, store=FileTokenStore(tmp_path / "d" / "t.json"))
        await sign_in_in_process(emulator, flow)

    old = os.umask(0)
    try:
        trio.run(main)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "d" / "t.json").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "d").stat().st_mode) == 0o700


async def test_a_refresh_cancelled_by_the_caller_still_keeps_the_rotated_token(
    autojump_clock,
) -> None:
    # PKCE refresh tokens rotate: once the accounts service has answered a refresh, the old
    # refresh token is dead. A caller's deadline that fires while the answer is on its way
    # must not throw the new one away.
    import time

    from trio_spotify import Token, open_spotify
    from trio_spotify.testing import ALL_SCOPES

    emulator = SpotifyEmulator(clock=trio.current_time)
    refresh = emulator.accounts.mint_refresh(
        emulator.client_id, emulator.user_id, ALL_SCOPES, pkce=True
    )
    store = MemoryTokenStore()
    flow = PKCE(
        emulator.client_id,
        "http://127.0.0.1:8888/callback",
        store=store,
        token=Token("old", refresh_token=refresh, expires_at=time.time() - 10),
    )

    class SlowAnswers(httpx.AsyncBaseTransport):
        def __init__(self) -> None:
            self.inner = httpx.ASGITransport(app=emulator.app)

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            response = await self.inner.handle_async_request(request)
            if request.url.path == "/api/token":
                await trio.sleep(1)  # the refresh was handled; its answer is slow to arrive
            return response

    async with open_spotify(
        flow, transport=SlowAnswers(), api_url=IN_PROCESS_URL + "/v1", accounts_url=IN_PROCESS_URL
    ) as spotify:
        with trio.move_on_after(0.5) as scope:
            await spotify.request("GET", "/me")
        assert scope.cancelled_caught
        assert trio.current_time() == pytest.approx(1.0)  # the refresh was seen through
        assert flow.token is not None
        assert flow.token.refresh_token not in (None, refresh)  # rotated and kept
        assert store.saves == 1
        me = await spotify.request("GET", "/me")  # the new token works: no sign-in needed
    assert me["id"] == emulator.user_id
