"""The user sign-in strategies on a scripted accounts service (httpx.MockTransport).

Authorize URLs, PKCE verifiers and challenges, state checking, the code exchange, the
refresh grant (with and without rotation), invalid_grant, single-flight renewal through
open_spotify, environment constructors, and secrets kept out of repr/str/logs.
"""

from __future__ import annotations

import base64
import inspect
import logging
import string
import time
import urllib.parse

import attrs
import httpx
import pytest
import trio
from helpers.fakes import CLIENT_ID, CLIENT_SECRET, REDIRECT, FakeAccounts

import trio_spotify
from trio_spotify import (
    PKCE,
    AuthorizationCode,
    AuthorizationDenied,
    AuthorizationError,
    InvalidGrant,
    MemoryTokenStore,
    Scope,
    SignInRequired,
    StateMismatch,
    Token,
)
from trio_spotify._auth import (
    SignInOptions,
    UserSignIn,
    code_challenge,
    make_code_verifier,
)

ACCOUNTS = "https://accounts.example"


def query(url: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def code_flow(**kwargs: object) -> AuthorizationCode:
    return AuthorizationCode(
        CLIENT_ID,
        CLIENT_SECRET,
        REDIRECT,
        accounts_url=ACCOUNTS,
        **kwargs,  # type: ignore[arg-type]
    )


def pkce_flow(**kwargs: object) -> PKCE:
    return PKCE(CLIENT_ID, REDIRECT, accounts_url=ACCOUNTS, **kwargs)  # type: ignore[arg-type]


# -- the authorize URL ---------------------------------------------------------------------


def test_code_flow_authorize_url_carries_every_parameter() -> None:
    flow = code_flow(scope=[Scope.USER_TOP_READ, "user-library-read"], show_dialog=True)
    url = flow.authorize_url()
    assert url.startswith(f"{ACCOUNTS}/authorize?")
    params = query(url)
    assert params["client_id"] == CLIENT_ID
    assert params["response_type"] == "code"
    assert params["redirect_uri"] == REDIRECT
    assert params["scope"] == "user-library-read user-top-read"
    assert "%20" in url
    assert "+" not in url
    assert params["show_dialog"] == "true"
    assert len(params["state"]) >= 32
    assert "code_challenge" not in params
    assert CLIENT_SECRET not in url


def test_every_attempt_gets_a_fresh_state() -> None:
    flow = code_flow()
    states = {query(flow.authorize_url())["state"] for _ in range(50)}
    assert len(states) == 50


def test_pkce_authorize_url_carries_the_s256_challenge_of_a_fresh_verifier() -> None:
    flow = pkce_flow()
    first, second = flow.begin(), flow.begin()
    assert first.code_verifier is not None
    assert second.code_verifier is not None
    assert first.code_verifier != second.code_verifier
    params = query(first.url)
    assert params["code_challenge_method"] == "S256"
    assert params["code_challenge"] == code_challenge(first.code_verifier)
    assert first.code_verifier not in first.url
    assert len(first.code_verifier) == 128
    assert set(first.code_verifier) <= set(string.ascii_letters + string.digits + "-._~")


def test_code_challenge_matches_rfc7636_appendix_b() -> None:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert code_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


@pytest.mark.parametrize("length", [43, 64, 128])
def test_verifier_lengths_within_bounds(length: int) -> None:
    verifier = make_code_verifier(length)
    assert len(verifier) == length
    flow = pkce_flow(verifier_length=length)
    assert len(flow.begin().code_verifier or "") == length


@pytest.mark.parametrize("length", [0, 42, 129])
def test_verifier_lengths_out_of_bounds_are_refused(length: int) -> None:
    with pytest.raises(ValueError, match="43 to 128"):
        make_code_verifier(length)
    with pytest.raises(ValueError, match="43 to 128"):
        pkce_flow(verifier_length=length)


def test_the_shared_keyword_options_are_described_once() -> None:
    # `SignInOptions` types `from_env`'s options: the same names as the keyword-only
    # fields every user flow inherits from `UserSignIn`, and nothing else.
    shared = {field.name for field in attrs.fields(UserSignIn) if field.kw_only and field.init}
    assert set(SignInOptions.__optional_keys__) == shared
    assert shared == {"scope", "show_dialog", "accounts_url", "store", "user", "token"}
    for cls in (AuthorizationCode, PKCE):
        inherited = {f.name for f in attrs.fields(cls) if f.kw_only and f.init} & shared
        assert inherited == shared, cls
    assert list(inspect.signature(AuthorizationCode).parameters)[:3] == [
        "client_id",
        "client_secret",
        "redirect_uri",
    ]
    assert list(inspect.signature(PKCE).parameters)[:2] == ["client_id", "redirect_uri"]
    store = MemoryTokenStore()
    options: SignInOptions = {
        "scope": "user-top-read",
        "show_dialog": True,
        "accounts_url": ACCOUNTS + "/",
        "store": store,
        "user": "bob",
    }
    flow = PKCE(CLIENT_ID, REDIRECT, **options)
    assert flow.scope == frozenset({"user-top-read"})
    assert flow.show_dialog is True
    assert flow.accounts_url == ACCOUNTS
    assert flow.store is store
    assert flow.key == f"{CLIENT_ID}/bob"


def test_constructor_validation() -> None:
    with pytest.raises(ValueError, match="client_id"):
        PKCE("", REDIRECT)
    with pytest.raises(ValueError, match="client_secret"):
        AuthorizationCode(CLIENT_ID, "", REDIRECT)
    with pytest.raises(ValueError, match="user"):
        PKCE(CLIENT_ID, REDIRECT, user="a/b")
    with pytest.raises(trio_spotify.InvalidRedirectURI, match="localhost"):
        PKCE(CLIENT_ID, "http://localhost:8888/callback")


# -- the redirect --------------------------------------------------------------------------


async def test_exchange_sends_the_code_with_basic_auth_and_keeps_the_token() -> None:
    fake = FakeAccounts()
    store = MemoryTokenStore()
    flow = code_flow(store=store, user="alice", scope="user-library-read")
    url = flow.authorize_url()
    token = await flow.exchange(fake.authorize(url), transport=fake.transport())
    (form,) = fake.token_requests
    assert form["grant_type"] == "authorization_code"
    assert form["redirect_uri"] == REDIRECT
    assert "client_secret" not in form
    assert "code_verifier" not in form
    expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    assert fake.auth_headers == [f"Basic {expected}"]
    assert token.refresh_token is not None
    assert token.scope == {"user-library-read", "user-top-read"}  # what was granted
    assert flow.token is token
    assert await store.load(f"{CLIENT_ID}/alice") is token
    assert flow.key == f"{CLIENT_ID}/alice"


async def test_pkce_exchange_sends_the_verifier_and_no_secret() -> None:
    fake = FakeAccounts()
    flow = pkce_flow()
    request = flow.begin()
    token = await flow.exchange(fake.authorize(request.url), transport=fake.transport())
    (form,) = fake.token_requests
    assert form["code_verifier"] == request.code_verifier
    assert form["client_id"] == CLIENT_ID
    assert fake.auth_headers == [None]
    assert flow.token is token


async def test_a_redirect_with_another_state_is_refused_unread() -> None:
    fake = FakeAccounts()
    flow = code_flow()
    redirect = fake.authorize(flow.authorize_url())
    forged = redirect.replace("state=", "state=x")
    with pytest.raises(StateMismatch, match="does not match") as info:
        await flow.exchange(forged, transport=fake.transport())
    assert info.value.error == "state_mismatch"
    assert isinstance(info.value, trio_spotify.AuthenticationError)
    assert fake.token_requests == []


async def test_a_redirect_without_state_is_refused() -> None:
    fake = FakeAccounts()
    flow = code_flow()
    flow.authorize_url()
    with pytest.raises(StateMismatch, match="missing"):
        await flow.exchange({"code": "CODE-1"}, transport=fake.transport())
    assert fake.token_requests == []


async def test_state_is_checked_before_the_error() -> None:
    flow = code_flow()
    flow.authorize_url()
    with pytest.raises(StateMismatch):
        await flow.exchange("?error=access_denied&state=forged")


async def test_access_denied_raises_authorization_denied() -> None:
    flow = code_flow()
    state = query(flow.authorize_url())["state"]
    with pytest.raises(AuthorizationDenied, match="did not allow") as info:
        await flow.exchange(f"{REDIRECT}?error=access_denied&state={state}")
    assert info.value.error == "access_denied"


async def test_other_errors_and_missing_code() -> None:
    flow = code_flow()
    state = query(flow.authorize_url())["state"]
    with pytest.raises(AuthorizationError) as info:
        await flow.exchange({"error": "invalid_scope", "state": state})
    assert info.value.error == "invalid_scope"
    assert not isinstance(info.value, AuthorizationDenied)
    with pytest.raises(AuthorizationError, match="neither a code"):
        await flow.exchange({"state": state})


async def test_exchange_without_an_attempt_is_a_usage_error() -> None:
    with pytest.raises(RuntimeError, match="authorize_url"):
        await code_flow().exchange({"code": "c", "state": "s"})


async def test_a_code_is_exchanged_once() -> None:
    fake = FakeAccounts()
    flow = code_flow()
    request = flow.begin()
    redirect = fake.authorize(request.url)
    await flow.exchange(redirect, transport=fake.transport())
    with pytest.raises(RuntimeError):  # the attempt was consumed
        await flow.exchange(redirect, transport=fake.transport())
    with pytest.raises(InvalidGrant, match="sign in again") as info:  # the server refuses
        await flow.exchange(redirect, request=request, transport=fake.transport())
    assert "good for one use" in str(info.value)
    assert info.value.error == "invalid_grant"  # Spotify's code survives the new wording
    assert isinstance(info.value.__cause__, InvalidGrant)


async def test_exchange_accepts_a_query_string_and_a_full_url() -> None:
    fake = FakeAccounts()
    flow = code_flow()
    by_query = fake.authorize(flow.authorize_url())
    token = await flow.exchange("  " + by_query.split("?", 1)[1] + "\n", transport=fake.transport())
    assert token.access_token.startswith("ACCESS-")
    # The whole address, as pasted from the browser's address bar.
    by_url = fake.authorize(flow.authorize_url())
    assert by_url.startswith(f"{REDIRECT}?code=")
    token = await flow.exchange(f" {by_url}\n", transport=fake.transport())
    assert token.access_token.startswith("ACCESS-")
    assert flow.token is token
    codes = [query(redirect)["code"] for redirect in (by_query, by_url)]
    assert [form["code"] for form in fake.token_requests] == codes


# -- renewal -------------------------------------------------------------------------------


async def signed_in(flow: AuthorizationCode | PKCE, fake: FakeAccounts) -> Token:
    return await flow.exchange(fake.authorize(flow.authorize_url()), transport=fake.transport())


def accounts_for(fake: FakeAccounts, client: httpx.AsyncClient) -> trio_spotify.AccountsService:
    return trio_spotify.AccountsService(client, ACCOUNTS)


async def test_refresh_without_rotation_keeps_the_refresh_token_and_saves() -> None:
    fake = FakeAccounts(rotate=False)
    store = MemoryTokenStore()
    flow = code_flow(store=store)
    first = await signed_in(flow, fake)
    async with httpx.AsyncClient(transport=fake.transport()) as client:
        renewed = await flow.renew(accounts_for(fake, client), first)
    assert fake.token_requests[-1] == {
        "grant_type": "refresh_token",
        "refresh_token": first.refresh_token,
    }
    assert renewed.access_token != first.access_token
    assert renewed.refresh_token == first.refresh_token  # omitted by the answer: kept
    assert flow.token is renewed
    assert await store.load(flow.key) is renewed
    assert store.saves == 2


async def test_refresh_with_rotation_stores_the_new_refresh_token() -> None:
    fake = FakeAccounts(rotate=True)
    store = MemoryTokenStore()
    flow = pkce_flow(store=store)
    token = await signed_in(flow, fake)
    async with httpx.AsyncClient(transport=fake.transport()) as client:
        for _ in range(3):
            previous = token
            token = await flow.renew(accounts_for(fake, client), previous)
            assert fake.token_requests[-1]["refresh_token"] == previous.refresh_token
            assert token.refresh_token != previous.refresh_token
            saved = await store.load(flow.key)
            assert saved is not None
            assert saved.refresh_token == token.refresh_token
    assert fake.token_requests[-1]["client_id"] == CLIENT_ID  # PKCE: no secret, the id
    assert store.saves == 4


async def test_an_adopted_token_is_the_one_refreshed() -> None:
    # A token shared by another process (trio_spotify.redis) carries a refresh token rotated
    # after the one this strategy holds: once adopted, the refresh uses the shared one.
    fake = FakeAccounts(rotate=True)
    flow = pkce_flow()
    held = await signed_in(flow, fake)
    shared = Token("shared-access", refresh_token="shared-refresh", expires_at=time.time() - 1)
    assert isinstance(flow, trio_spotify.TokenAdopter)
    flow.adopt(shared)
    assert flow.token is shared
    async with httpx.AsyncClient(transport=fake.transport()) as client:
        with pytest.raises(InvalidGrant):  # the fake accounts service never issued it
            await flow.renew(accounts_for(fake, client), shared)
    assert fake.token_requests[-1]["refresh_token"] == "shared-refresh" != held.refresh_token


async def test_invalid_grant_tells_the_user_to_sign_in_and_keeps_the_stored_token() -> None:
    fake = FakeAccounts()
    store = MemoryTokenStore()
    flow = code_flow(store=store)
    token = await signed_in(flow, fake)
    fake.refresh_fails = True
    async with httpx.AsyncClient(transport=fake.transport()) as client:
        with pytest.raises(InvalidGrant, match="sign in again") as info:
            await flow.renew(accounts_for(fake, client), token)
    assert "six months" in str(info.value)
    assert info.value.error == "invalid_grant"
    assert await store.load(flow.key) is token
    assert flow.token is token
    assert store.saves == 1


async def test_renew_without_a_refresh_token_asks_to_sign_in() -> None:
    async with httpx.AsyncClient(transport=FakeAccounts().transport()) as client:
        accounts = trio_spotify.AccountsService(client, ACCOUNTS)
        with pytest.raises(SignInRequired, match="trio-spotify login"):
            await pkce_flow().renew(accounts, None)
        held = Token("a")  # an access token alone, e.g. pasted from elsewhere
        with pytest.raises(SignInRequired):
            await pkce_flow(token=held).renew(accounts, held)


async def test_many_requests_on_an_expired_user_token_cause_one_refresh(
    autojump_clock: object,
) -> None:
    fake = FakeAccounts(rotate=True)
    flow = pkce_flow(store=MemoryTokenStore())
    await signed_in(flow, fake)
    assert flow.token is not None
    expired = Token(
        flow.token.access_token,
        refresh_token=flow.token.refresh_token,
        expires_at=time.time() - 10,
        scope=flow.token.scope,
    )
    flow.token = expired
    async with trio_spotify.open_spotify(
        flow,
        transport=fake.transport(),
        api_url="https://api.example/v1",
        accounts_url=ACCOUNTS,
    ) as spotify:
        async with trio.open_nursery() as nursery:
            for _ in range(200):
                nursery.start_soon(spotify.request, "GET", "/me")
        assert fake.api_requests == 200
        assert [f["grant_type"] for f in fake.token_requests] == [
            "authorization_code",
            "refresh_token",
        ]
        assert spotify.token is flow.token
        assert flow.token is not expired
        assert flow.token.refresh_token != expired.refresh_token


async def test_two_clients_sharing_a_flow_refresh_once() -> None:
    fake = FakeAccounts(rotate=True)
    flow = pkce_flow()
    token = await signed_in(flow, fake)
    async with httpx.AsyncClient(transport=fake.transport()) as client:
        accounts = accounts_for(fake, client)
        first = await flow.renew(accounts, token)
        # A second client still holding the old token asks too: it gets the new one.
        second = await flow.renew(accounts, token)
    assert second is first
    assert [f["grant_type"] for f in fake.token_requests] == ["authorization_code", "refresh_token"]


# -- environment ---------------------------------------------------------------------------


def test_from_env_reads_the_three_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPOTIFY_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("SPOTIFY_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("SPOTIFY_REDIRECT_URI", "http://[::1]:9000/cb")
    flow = AuthorizationCode.from_env(scope="user-top-read")
    assert (flow.client_id, flow.redirect_uri.uri, flow.scope) == (
        CLIENT_ID,
        "http://[::1]:9000/cb",
        {"user-top-read"},
    )
    assert type(flow) is AuthorizationCode
    assert flow._client_secret() == CLIENT_SECRET
    monkeypatch.delenv("SPOTIFY_CLIENT_SECRET")
    pkce = PKCE.from_env(redirect_uri="http://127.0.0.1:1234/x")
    assert pkce.redirect_uri.port == 1234
    assert type(pkce) is PKCE
    assert pkce._client_secret() is None


@pytest.mark.parametrize(
    ("missing", "cls"),
    [
        ("SPOTIFY_CLIENT_ID", AuthorizationCode),
        ("SPOTIFY_CLIENT_SECRET", AuthorizationCode),
        ("SPOTIFY_REDIRECT_URI", AuthorizationCode),
        ("SPOTIFY_CLIENT_ID", PKCE),
        ("SPOTIFY_REDIRECT_URI", PKCE),
    ],
)
def test_from_env_names_the_missing_variable(
    monkeypatch: pytest.MonkeyPatch, missing: str, cls: type[AuthorizationCode] | type[PKCE]
) -> None:
    monkeypatch.setenv("SPOTIFY_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("SPOTIFY_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("SPOTIFY_REDIRECT_URI", REDIRECT)
    monkeypatch.delenv(missing)
    with pytest.raises(LookupError, match=missing):
        cls.from_env()


def test_from_env_refuses_a_localhost_uri(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPOTIFY_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("SPOTIFY_REDIRECT_URI", "http://localhost:8888/callback")
    with pytest.raises(trio_spotify.InvalidRedirectURI, match=r"127\.0\.0\.1"):
        PKCE.from_env()


# -- secrets -------------------------------------------------------------------------------


async def test_no_secret_in_repr_str_errors_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    fake = FakeAccounts(rotate=True)
    flow = pkce_flow(store=MemoryTokenStore())
    code = code_flow()
    texts: list[str] = [repr(code), str(code)]
    request = flow.begin()
    texts += [repr(request), str(request)]
    token = await flow.exchange(fake.authorize(request.url), transport=fake.transport())
    await signed_in(code, fake)
    async with httpx.AsyncClient(transport=fake.transport()) as client:
        token = await flow.renew(accounts_for(fake, client), token)
        fake.refresh_fails = True
        try:
            await flow.renew(accounts_for(fake, client), token)
        except InvalidGrant as exc:
            texts += [repr(exc), str(exc), repr(exc.__cause__), str(exc.__cause__)]
        try:
            await code.exchange(
                f"?code=CODE-999&state={query(code.authorize_url())['state']}",
                transport=fake.transport(),
            )
        except InvalidGrant as exc:
            texts += [repr(exc), str(exc)]
    texts += [repr(flow), str(flow), repr(token), str(token), repr(flow.store)]
    texts += [record.getMessage() for record in caplog.records]
    texts += [repr(record.args) for record in caplog.records]
    assert any("signed in" in text for text in texts)  # the log was captured
    secrets = fake.secrets() | {"CODE-999", request.code_verifier or ""}
    assert len(secrets) > 8
    for text in texts:
        for secret in secrets:
            assert secret not in text, (secret, text)


# -- restore -------------------------------------------------------------------------------


async def test_restore_holds_a_usable_saved_token_only() -> None:
    store = MemoryTokenStore()
    flow = code_flow(store=store, scope="user-top-read")
    assert await flow.restore() is None  # nothing saved
    assert flow.token is None
    expired_without_refresh = Token("a", expires_at=time.time() - 1, scope="user-top-read")
    await store.save(flow.key, expired_without_refresh)
    assert await flow.restore() is None
    expired_with_refresh = Token(
        "a", refresh_token="r", expires_at=time.time() - 1, scope="user-top-read user-read-email"
    )
    await store.save(flow.key, expired_with_refresh)
    assert await flow.restore() is expired_with_refresh  # the client will refresh it
    assert flow.token is expired_with_refresh
    other_user = code_flow(store=store, scope="user-top-read", user="bob")
    assert await other_user.restore() is None
    with pytest.raises(RuntimeError, match="no token store"):
        await code_flow().restore()


async def test_exchange_through_a_given_accounts_service() -> None:
    fake = FakeAccounts()
    flow = pkce_flow()
    redirect = fake.authorize(flow.authorize_url())
    async with httpx.AsyncClient(transport=fake.transport()) as client:
        token = await flow.exchange(redirect, accounts=accounts_for(fake, client))
    assert flow.token is token
    assert len(fake.token_requests) == 1
