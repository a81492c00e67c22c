"""login(): the loopback listener over real sockets (real clock, guarded by fail_after), the
paste mode, and the ``trio-spotify login`` command. The accounts service is scripted
(httpx.MockTransport); the emulator-backed end-to-end runs are in test_login_emulator.py.
"""

from __future__ import annotations

import errno
import socket
import stat
import urllib.parse
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pytest
import trio
from helpers.fakes import CLIENT_ID, CLIENT_SECRET, FakeAccounts
from helpers.net import own_ipv4_addresses

import trio_spotify
from trio_spotify import (
    PKCE,
    AuthorizationCode,
    AuthorizationDenied,
    FileTokenStore,
    InvalidGrant,
    InvalidRedirectURI,
    MemoryTokenStore,
    StateMismatch,
    login,
)
from trio_spotify._cli import build_parser
from trio_spotify._cli import login as cli_login

pytestmark = pytest.mark.loopback

ACCOUNTS = "https://accounts.example"
TIMEOUT = 15


def free_port(family: socket.AddressFamily = socket.AF_INET, host: str = "127.0.0.1") -> int:
    with socket.socket(family) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def has_ipv6_loopback() -> bool:
    try:
        free_port(socket.AF_INET6, "::1")
    except OSError:
        return False
    return True


def query(url: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


async def is_listening(host: str, port: int) -> bool:
    try:
        stream = await trio.open_tcp_stream(host, port)
    except OSError:
        return False
    await stream.aclose()
    return True


class Browser:
    """A fake browser: follows the authorize URL (scripted consent), then GETs the redirect
    on the real loopback listener, recording every answer."""

    def __init__(
        self,
        fake: FakeAccounts,
        *,
        tamper: Callable[[str], str] | None = None,
        before: list[tuple[str, str, dict[str, str]]] | None = None,
    ) -> None:
        self.fake = fake
        self.tamper = tamper
        self.before = before or []  # (method, path+query, headers) sent first
        self.urls: list[str] = []
        self.responses: list[httpx.Response] = []
        self.redirects: list[str] = []

    async def __call__(self, url: str) -> None:
        self.urls.append(url)
        redirect = self.fake.authorize(url)
        if self.tamper is not None:
            redirect = self.tamper(redirect)
        self.redirects.append(redirect)
        split = urllib.parse.urlsplit(redirect)
        base = f"{split.scheme}://{split.netloc}"
        async with httpx.AsyncClient(trust_env=False) as client:
            for method, target, headers in self.before:
                self.responses.append(await client.request(method, base + target, headers=headers))
            self.responses.append(await client.get(redirect))


def code_flow(redirect: str, **kwargs: object) -> AuthorizationCode:
    return AuthorizationCode(
        CLIENT_ID,
        CLIENT_SECRET,
        redirect,
        accounts_url=ACCOUNTS,
        **kwargs,  # type: ignore[arg-type]
    )


async def test_code_flow_sign_in_on_a_fixed_port() -> None:
    fake = FakeAccounts()
    port = free_port()
    redirect = f"http://127.0.0.1:{port}/callback"
    flow = code_flow(redirect, scope="user-library-read")
    store = MemoryTokenStore()
    browser = Browser(fake)
    messages: list[str] = []
    with trio.fail_after(TIMEOUT):
        token = await login(
            flow,
            store=store,
            open_browser=browser,
            echo=messages.append,
            transport=fake.transport(),
        )
    (response,) = browser.responses
    assert response.status_code == 200
    assert "close this window" in response.text
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert query(browser.urls[0])["redirect_uri"] == redirect
    assert fake.token_requests[0]["redirect_uri"] == redirect
    assert flow.token is token
    assert await store.load(flow.key) is token
    assert any(browser.urls[0] in message for message in messages)  # the URL is printed
    # One valid redirect and the listener is gone.
    assert not await is_listening("127.0.0.1", port)


async def test_pkce_sign_in_on_any_free_port_when_the_uri_has_none() -> None:
    fake = FakeAccounts(rotate=True)
    flow = PKCE(CLIENT_ID, "http://127.0.0.1/callback", accounts_url=ACCOUNTS)
    browser = Browser(fake)
    with trio.fail_after(TIMEOUT):
        token = await login(
            flow, open_browser=browser, echo=lambda _: None, transport=fake.transport()
        )
    used = query(browser.urls[0])["redirect_uri"]
    port = urllib.parse.urlsplit(used).port
    assert port is not None
    assert port > 0
    assert used == f"http://127.0.0.1:{port}/callback"
    form = fake.token_requests[0]
    assert form["redirect_uri"] == used  # the exchange names the same URI
    assert "code_verifier" in form
    assert fake.auth_headers == [None]
    assert token.refresh_token is not None
    assert not await is_listening("127.0.0.1", port)


@pytest.mark.skipif(not has_ipv6_loopback(), reason="no IPv6 loopback here")
async def test_sign_in_on_the_ipv6_loopback() -> None:
    fake = FakeAccounts()
    flow = code_flow("http://[::1]/cb")
    browser = Browser(fake)
    with trio.fail_after(TIMEOUT):
        await login(flow, open_browser=browser, echo=lambda _: None, transport=fake.transport())
    assert browser.responses[0].status_code == 200
    assert query(browser.urls[0])["redirect_uri"].startswith("http://[::1]:")


async def test_the_listener_serves_only_the_redirect_path() -> None:
    fake = FakeAccounts()
    flow = code_flow("http://127.0.0.1/callback")
    browser = Browser(
        fake,
        before=[
            ("GET", "/", {}),
            ("GET", "/favicon.ico", {}),
            ("GET", "/callback/../etc", {}),
            ("POST", "/callback?code=x&state=y", {}),
            ("GET", "/callback?code=x&state=y", {"Host": "attacker.example"}),
            ("GET", "/callback", {}),  # no sign-in parameters: 400, keeps waiting
        ],
    )
    with trio.fail_after(TIMEOUT):
        token = await login(
            flow, open_browser=browser, echo=lambda _: None, transport=fake.transport()
        )
    statuses = [response.status_code for response in browser.responses]
    assert statuses == [404, 404, 404, 405, 400, 400, 200]
    assert browser.responses[3].headers["allow"] == "GET, HEAD"
    assert len(fake.token_requests) == 1
    assert flow.token is token


async def test_a_second_redirect_during_the_exchange_is_refused() -> None:
    fake = FakeAccounts()
    exchanging = trio.Event()
    release = trio.Event()

    async def slow_accounts(request: httpx.Request) -> httpx.Response:
        exchanging.set()
        await release.wait()
        return fake.handler(request)

    statuses: dict[str, int] = {}

    async def browser(url: str) -> None:
        redirect = fake.authorize(url)
        async with httpx.AsyncClient(trust_env=False) as client:

            async def first() -> None:
                statuses["first"] = (await client.get(redirect)).status_code

            async with trio.open_nursery() as nursery:
                nursery.start_soon(first)
                await exchanging.wait()
                statuses["second"] = (await client.get(redirect)).status_code
                release.set()

    flow = code_flow("http://127.0.0.1/callback")
    with trio.fail_after(TIMEOUT):
        await login(
            flow,
            open_browser=browser,
            echo=lambda _: None,
            transport=httpx.MockTransport(slow_accounts),
        )
    assert statuses == {"first": 200, "second": 409}
    assert len(fake.token_requests) == 1


async def test_a_redirect_with_another_state_ends_the_sign_in() -> None:
    fake = FakeAccounts()
    flow = code_flow("http://127.0.0.1/callback")
    browser = Browser(fake, tamper=lambda url: url.replace("state=", "state=forged"))
    with trio.fail_after(TIMEOUT), pytest.raises(StateMismatch):
        await login(flow, open_browser=browser, echo=lambda _: None, transport=fake.transport())
    assert browser.responses[0].status_code == 400
    assert fake.token_requests == []
    assert flow.token is None


async def test_access_denied_ends_the_sign_in() -> None:
    fake = FakeAccounts()
    flow = code_flow("http://127.0.0.1/callback")

    def deny(url: str) -> str:
        state = query(url)["state"]
        return url.split("?")[0] + f"?error=access_denied&state={state}"

    browser = Browser(fake, tamper=deny)
    with trio.fail_after(TIMEOUT), pytest.raises(AuthorizationDenied):
        await login(flow, open_browser=browser, echo=lambda _: None, transport=fake.transport())
    assert "did not allow" in browser.responses[0].text
    assert fake.token_requests == []


async def test_a_refused_code_ends_the_sign_in_and_tells_the_browser() -> None:
    fake = FakeAccounts()
    flow = code_flow("http://127.0.0.1/callback")
    browser = Browser(fake, tamper=lambda url: url.replace("code=CODE-", "code=UNKNOWN-"))
    with trio.fail_after(TIMEOUT), pytest.raises(InvalidGrant, match="sign in again"):
        await login(flow, open_browser=browser, echo=lambda _: None, transport=fake.transport())
    assert browser.responses[0].status_code == 500
    assert "UNKNOWN-" not in browser.responses[0].text


async def test_cancellation_closes_the_listener() -> None:
    urls: list[str] = []

    async def browser_that_never_comes_back(url: str) -> None:
        urls.append(url)

    port = free_port()
    flow = code_flow(f"http://127.0.0.1:{port}/callback")
    with trio.fail_after(TIMEOUT):
        with trio.move_on_after(0.5) as scope:
            await login(flow, open_browser=browser_that_never_comes_back, echo=lambda _: None)
        assert scope.cancelled_caught
        assert urls
        assert not await is_listening("127.0.0.1", port)
        # The port is free again: a new sign-in can listen on it.
        listeners = await trio.open_tcp_listeners(port, host="127.0.0.1")
        for listener in listeners:
            await listener.aclose()


def non_loopback_address() -> str | None:
    """One of this machine's own IPv4 addresses that is not loopback, if it has one."""
    others = sorted(a for a in own_ipv4_addresses() if not a.startswith("127."))
    return others[0] if others else None


async def test_the_listener_binds_only_to_loopback() -> None:
    address = non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback IPv4 address")
    port = free_port()
    flow = code_flow(f"http://127.0.0.1:{port}/callback")
    seen: dict[str, bool] = {}

    async def probe(url: str) -> None:
        seen["loopback"] = await is_listening("127.0.0.1", port)
        seen["other"] = await is_listening(address, port)

    with trio.fail_after(TIMEOUT), trio.move_on_after(2):
        await login(flow, open_browser=probe, echo=lambda _: None)
    assert seen == {"loopback": True, "other": False}


async def test_a_taken_port_is_reported_clearly() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        flow = code_flow(f"http://127.0.0.1:{port}/callback")
        with trio.fail_after(TIMEOUT), pytest.raises(OSError, match="cannot listen") as info:
            await login(flow, open_browser=None, echo=lambda _: None)
    assert info.value.errno == errno.EADDRINUSE


async def test_an_opener_that_fails_ends_the_sign_in() -> None:
    async def broken(url: str) -> None:
        raise RuntimeError("no display")

    flow = code_flow("http://127.0.0.1/callback")
    with trio.fail_after(TIMEOUT), pytest.raises(RuntimeError, match="no display"):
        await login(flow, open_browser=broken, echo=lambda _: None)


async def test_a_keyboard_interrupt_comes_out_as_itself_not_in_a_group() -> None:
    async def interrupted(url: str) -> None:
        raise KeyboardInterrupt

    port = free_port()
    flow = code_flow(f"http://127.0.0.1:{port}/callback")
    with trio.fail_after(TIMEOUT), pytest.raises(KeyboardInterrupt):
        await login(flow, open_browser=interrupted, echo=lambda _: None)
    assert not await is_listening("127.0.0.1", port)


async def test_without_an_opener_the_user_opens_the_printed_url() -> None:
    fake = FakeAccounts()
    flow = code_flow("http://127.0.0.1/callback")
    messages: list[str] = []
    printed = trio.Event()
    browser = Browser(fake)

    def echo(message: str) -> None:
        messages.append(message)
        printed.set()

    async def user() -> None:
        await printed.wait()
        url = next(word for word in messages[0].split() if word.startswith(ACCOUNTS))
        await browser(url)

    with trio.fail_after(TIMEOUT):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(user)
            token = await login(flow, open_browser=None, echo=echo, transport=fake.transport())
    assert flow.token is token


async def test_a_sync_opener_runs_in_a_thread_and_false_is_reported() -> None:
    fake = FakeAccounts()
    flow = code_flow("http://127.0.0.1/callback")
    opened: list[str] = []
    messages: list[str] = []
    browser = Browser(fake)

    def no_browser(url: str) -> bool:
        opened.append(url)
        return False  # as webbrowser.open does when there is no browser

    reported = trio.Event()

    def echo(message: str) -> None:
        messages.append(message)
        if len(messages) == 2:
            reported.set()

    async def user() -> None:
        await reported.wait()
        await browser(opened[0])

    with trio.fail_after(TIMEOUT):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(user)
            await login(flow, open_browser=no_browser, echo=echo, transport=fake.transport())
    assert "Could not open a browser" in messages[1]


async def test_an_https_redirect_needs_the_paste_mode() -> None:
    fake = FakeAccounts()
    flow = code_flow("https://example.com/spotify/callback")
    with pytest.raises(InvalidRedirectURI, match="paste=True"):
        await login(flow, open_browser=None, echo=lambda _: None)

    pasted: list[str] = []

    async def read_line() -> str:
        # The user opened the printed URL elsewhere and pastes the address they landed on.
        redirect = fake.authorize(pasted[-1])
        return redirect + "\n"

    def echo(message: str) -> None:
        pasted.extend(w for w in message.split() if w.startswith(ACCOUNTS))

    with trio.fail_after(TIMEOUT):
        token = await login(
            flow, paste=True, read_line=read_line, echo=echo, transport=fake.transport()
        )
    assert flow.token is token
    assert fake.token_requests[0]["redirect_uri"] == "https://example.com/spotify/callback"


async def test_paste_mode_checks_the_state_and_refuses_an_empty_paste() -> None:
    flow = code_flow("http://127.0.0.1:8888/callback")

    async def forged() -> str:
        return "http://127.0.0.1:8888/callback?code=abc&state=forged"

    async def empty() -> str:
        return "\n"

    with pytest.raises(StateMismatch):
        await login(flow, paste=True, read_line=forged, echo=lambda _: None)
    with pytest.raises(trio_spotify.AuthorizationError, match="nothing was pasted"):
        await login(flow, paste=True, read_line=empty, echo=lambda _: None)


async def test_login_needs_a_user_flow() -> None:
    with pytest.raises(TypeError, match="AuthorizationCode"):
        await login(trio_spotify.ClientCredentials("a", "b"))  # type: ignore[arg-type]


# -- the command ---------------------------------------------------------------------------


def parse(*argv: str) -> object:
    return build_parser().parse_args(["login", *argv])


def env(monkeypatch: pytest.MonkeyPatch, redirect: str, secret: bool = True) -> None:
    monkeypatch.setenv("SPOTIFY_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("SPOTIFY_REDIRECT_URI", redirect)
    if secret:
        monkeypatch.setenv("SPOTIFY_CLIENT_SECRET", CLIENT_SECRET)
    else:
        monkeypatch.delenv("SPOTIFY_CLIENT_SECRET", raising=False)


async def run_cli(
    argv: list[str],
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    open_browser: Callable[[str], object] | None = None,
    read_line: Callable[[], Awaitable[str]] | None = None,
) -> tuple[int, list[str]]:
    messages: list[str] = []
    args = build_parser().parse_args(["login", *argv])
    with trio.fail_after(TIMEOUT):
        code = await cli_login.run(
            args,
            transport=transport,
            open_browser=open_browser,
            read_line=read_line,
            echo=messages.append,
        )
    return code, messages


async def test_cli_login_through_the_listener_saves_to_the_token_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env(monkeypatch, "http://127.0.0.1/callback", secret=False)
    fake = FakeAccounts(scope="user-library-read")
    path = tmp_path / "tokens.json"
    code, messages = await run_cli(
        [
            "--scope",
            "user-library-read,user-top-read",
            "--token-file",
            str(path),
            "--user",
            "alice",
            "--accounts-url",
            ACCOUNTS,
        ],
        transport=fake.transport(),
        open_browser=Browser(fake),
    )
    assert code == 0, messages
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    saved = await FileTokenStore(path).load(f"{CLIENT_ID}/alice")
    assert saved is not None
    assert saved.scope == {"user-library-read"}
    assert "code_verifier" in fake.token_requests[0]  # no secret in the env: PKCE
    assert any("did not grant user-top-read" in m for m in messages)
    # A later program restores it.
    flow = PKCE(
        CLIENT_ID,
        "http://127.0.0.1/callback",
        scope="user-library-read",
        store=FileTokenStore(path),
        user="alice",
    )
    assert await flow.restore() == saved


async def test_cli_login_no_browser_reads_the_pasted_address(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env(monkeypatch, "http://127.0.0.1:8888/callback")
    fake = FakeAccounts()
    urls: list[str] = []

    async def read_line() -> str:
        return fake.authorize(urls[0])

    def opener(url: str) -> None:  # must not be called with --no-browser
        raise AssertionError("the browser was opened")

    messages: list[str] = []
    args = build_parser().parse_args(
        [
            "login",
            "--no-browser",
            "--token-file",
            str(tmp_path / "t.json"),
            "--accounts-url",
            ACCOUNTS,
        ]
    )

    def echo(message: str) -> None:
        messages.append(message)
        urls.extend(w for w in message.split() if w.startswith(ACCOUNTS))

    with trio.fail_after(TIMEOUT):
        code = await cli_login.run(
            args, transport=fake.transport(), open_browser=opener, read_line=read_line, echo=echo
        )
    assert code == 0, messages
    assert fake.auth_headers[0] is not None
    assert fake.auth_headers[0].startswith("Basic ")
    assert await FileTokenStore(tmp_path / "t.json").load(f"{CLIENT_ID}/default") is not None
    assert not await is_listening("127.0.0.1", 8888)


async def test_cli_login_reports_missing_configuration_and_bad_uris(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SPOTIFY_CLIENT_ID", raising=False)
    code, messages = await run_cli(["--token-file", str(tmp_path / "t.json")])
    assert code == 2
    assert "SPOTIFY_CLIENT_ID" in messages[0]
    env(monkeypatch, "http://localhost:8888/callback")
    code, messages = await run_cli(["--token-file", str(tmp_path / "t.json")])
    assert code == 2
    assert "localhost" in messages[0]
    assert "127.0.0.1" in messages[0]


async def test_cli_login_times_out_and_reports_denials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env(monkeypatch, "http://127.0.0.1/callback")

    async def idle(url: str) -> None:
        pass

    code, messages = await run_cli(
        ["--timeout", "0.3", "--token-file", str(tmp_path / "t.json")], open_browser=idle
    )
    assert code == 1
    assert "no sign-in redirect arrived" in messages[-1]

    fake = FakeAccounts()

    def deny(url: str) -> str:
        return url.split("?")[0] + f"?error=access_denied&state={query(url)['state']}"

    code, messages = await run_cli(
        ["--token-file", str(tmp_path / "t.json"), "--accounts-url", ACCOUNTS],
        transport=fake.transport(),
        open_browser=Browser(fake, tamper=deny),
    )
    assert code == 1
    assert "did not allow" in messages[-1]
    assert not (tmp_path / "t.json").exists()


def test_cli_refuses_malformed_scopes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        parse("--scope", 'bad"scope')
    assert info.value.code == 2
    assert "invalid scope" in capsys.readouterr().err
