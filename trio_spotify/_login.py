"""Interactive sign-in for scripts and terminals: `login`.

`await trio_spotify.login(flow)` runs one sign-in attempt of a user strategy
(`AuthorizationCode` or `PKCE`):

1. it listens on the loopback address of the flow's redirect URI (`127.0.0.1` or
   `::1`) — on the URI's port, or on any free port when the URI has none (Spotify accepts
   any port for a loopback URI registered without one);
2. it opens the user's browser on the `/authorize` URL (and prints the URL, in case no
   browser opens);
3. it waits for the browser to come back to the redirect path, checks `state`, exchanges
   the code, saves the token to the flow's store, answers the browser with a short page
   saying the window can be closed, and stops listening.

The listener is deliberately small and strict. It speaks HTTP through h11 (no hand-written
parser), binds only to the loopback address, answers only `GET` of the redirect path, with
a `Host` header naming that address (a DNS-rebinding page cannot reach it under another
name), and answers everything else with 404 (or 405 / 400). A request on the redirect path
that carries no sign-in parameters gets a 400 and does not end the attempt; a redirect with
the wrong `state`, an `error=` or a refused code ends it with the matching exception.
After one valid redirect it stops. Cancelling `login` (Ctrl-C, a caller's
`trio.fail_after`) closes the listener before the cancellation propagates.

With `paste=True` (`trio-spotify login --no-browser`), nothing listens: `login` prints
the URL, the user opens it on any machine, and pastes back the address the browser was
redirected to (the page itself may fail to load there — only its address matters).
"""

from __future__ import annotations

import html
import inspect
import logging
import sys
import urllib.parse
import webbrowser
from collections.abc import Awaitable, Callable

import h11
import httpx
import trio

from ._auth import AccountsService
from ._errors import SpotifyError
from ._oauth import (
    PKCE,
    AuthorizationCode,
    AuthorizationError,
    AuthorizationRequest,
    StateMismatch,
    parse_redirect,
)
from ._redirect import InvalidRedirectURI
from ._store import TokenStore
from ._token import Token

__all__ = ["login"]

logger = logging.getLogger("trio_spotify")

#: How long one connection may take to send its request line and headers.
_REQUEST_READ_TIMEOUT = 10.0
#: How long answering the browser may take before the connection is dropped.
_RESPONSE_SEND_TIMEOUT = 5.0
_MAX_REQUEST_BYTES = 16 * 1024

_SIGN_IN_PARAMETERS = ("code", "error", "state")

#: How a sign-in attempt ended: a token, or the exception `login` raises.
_Outcome = tuple[Token | None, Exception | None]


def _sole_exception(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """The only exception in `group` (nested groups flattened), unless it is a
    cancellation or there are several: then the group itself."""
    exceptions = list(group.exceptions)
    while len(exceptions) == 1 and isinstance(exceptions[0], BaseExceptionGroup):
        exceptions = list(exceptions[0].exceptions)
    if len(exceptions) == 1 and not isinstance(exceptions[0], trio.Cancelled):
        return exceptions[0]
    return group


def _echo_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def _read_stdin_line() -> str:
    return await trio.to_thread.run_sync(sys.stdin.readline, abandon_on_cancel=True)


def _page(title: str, text: str) -> bytes:
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head>"
        '<body style="font-family: sans-serif; margin: 3em">'
        f"<h1>{html.escape(title)}</h1><p>{html.escape(text)}</p></body></html>\n"
    ).encode()


class _Receiver:
    """Serves the loopback listener of one `login` attempt; keeps its outcome."""

    def __init__(
        self,
        flow: AuthorizationCode | PKCE,
        request: AuthorizationRequest,
        *,
        accounts: AccountsService | None,
        transport: httpx.AsyncBaseTransport | None,
        say: Callable[[str], object],
    ) -> None:
        self._flow = flow
        self._say = say
        self._request = request
        self._accounts = accounts
        self._transport = transport
        uri = request.redirect_uri
        assert uri.port is not None
        host = f"[{uri.host}]" if ":" in uri.host else uri.host
        self._hosts = {f"{host}:{uri.port}".encode()}
        if uri.port == 80:
            self._hosts.add(host.encode())
        self._path = uri.path
        self._claimed = False
        self.done = trio.Event()
        self.token: Token | None = None
        self.error: Exception | None = None

    def _finish(self, token: Token | None, error: Exception | None) -> None:
        if not self.done.is_set():
            self.token, self.error = token, error
            self.done.set()

    async def open_browser(self, opener: Callable[[str], object], url: str) -> None:
        """Run the browser opener; an exception it raises becomes the outcome of `login`."""
        try:
            if inspect.iscoroutinefunction(opener) or inspect.iscoroutinefunction(
                getattr(opener, "__call__", None)  # noqa: B004 - async callable objects
            ):
                result = await opener(url)  # type: ignore[misc]
            else:
                result = await trio.to_thread.run_sync(opener, url, abandon_on_cancel=True)
        except Exception as exc:
            self._finish(None, exc)
            return
        if result is False:
            self._say("Could not open a browser: open the URL above yourself.")

    async def handle(self, stream: trio.SocketStream) -> None:
        """Answer one connection (one request, then close). Never raises but cancellation.

        The outcome of a sign-in redirect is recorded only once the browser has its answer
        (or could not take it), so ending `login` never cuts the answer short.
        """
        outcome: _Outcome | None = None
        try:
            connection = h11.Connection(h11.SERVER, max_incomplete_event_size=_MAX_REQUEST_BYTES)
            request = None
            with trio.move_on_after(_REQUEST_READ_TIMEOUT):
                request = await self._read_request(connection, stream)
            if request is None:
                return
            status, title, text, outcome = await self._route(request)
            with trio.move_on_after(_RESPONSE_SEND_TIMEOUT):
                await self._send(connection, stream, request, status, title, text)
        except (h11.ProtocolError, trio.BrokenResourceError, trio.ClosedResourceError, OSError):
            # A client that broke off or spoke bad HTTP: nothing more to answer.
            pass
        except Exception as exc:  # a bug: end the login with it rather than hang
            outcome = (None, exc)
        finally:
            try:
                await trio.aclose_forcefully(stream)
            finally:
                if outcome is not None:
                    self._finish(*outcome)

    async def _read_request(
        self, connection: h11.Connection, stream: trio.SocketStream
    ) -> h11.Request | None:
        while True:
            event = connection.next_event()
            if event is h11.NEED_DATA:
                connection.receive_data(await stream.receive_some(8192))
                continue
            if isinstance(event, h11.Request):
                return event
            return None  # ConnectionClosed or anything unexpected

    async def _route(self, request: h11.Request) -> tuple[int, str, str, _Outcome | None]:
        """Status, page and outcome for a request; runs the code exchange for the redirect.

        The outcome is `None` for requests that do not end the sign-in.
        """
        target = request.target.decode("ascii", "replace")
        path, _, query = target.partition("?")
        if urllib.parse.unquote(path) != self._path:
            return 404, "Not found", "This address only receives the sign-in redirect.", None
        if request.method not in (b"GET", b"HEAD"):
            return 405, "Method not allowed", "Only GET is served here.", None
        host = dict(request.headers).get(b"host", b"").lower()
        if host not in self._hosts:
            return 400, "Bad request", "Unexpected Host header.", None
        params = parse_redirect("?" + query)
        if not any(name in params for name in _SIGN_IN_PARAMETERS):
            return 400, "Bad request", "This address receives the Spotify sign-in redirect.", None
        if self._claimed:
            return 409, "Already handled", "This sign-in already received its redirect.", None
        try:
            self._flow.check_redirect(params, self._request)
        except StateMismatch as exc:
            self._claimed = True
            text = "This redirect does not belong to the current sign-in."
            return 400, "Sign-in failed", text, (None, exc)
        except AuthorizationError as exc:
            self._claimed = True
            return 200, "Sign-in refused", f"{exc} You can close this window.", (None, exc)
        self._claimed = True
        try:
            token = await self._flow.exchange(
                params, request=self._request, accounts=self._accounts, transport=self._transport
            )
        except SpotifyError as exc:
            return 500, "Sign-in failed", f"{exc}", (None, exc)
        text = "You are signed in to Spotify. You can close this window."
        return 200, "Signed in", text, (token, None)

    async def _send(
        self,
        connection: h11.Connection,
        stream: trio.SocketStream,
        request: h11.Request,
        status: int,
        title: str,
        text: str,
    ) -> None:
        body = _page(title, text)
        headers = [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
            ("Referrer-Policy", "no-referrer"),
            ("X-Content-Type-Options", "nosniff"),
            ("Connection", "close"),
        ]
        if status == 405:
            headers.append(("Allow", "GET, HEAD"))
        data = connection.send(h11.Response(status_code=status, headers=headers))
        if request.method != b"HEAD":
            data = (data or b"") + (connection.send(h11.Data(data=body)) or b"")
        data = (data or b"") + (connection.send(h11.EndOfMessage()) or b"")
        await stream.send_all(data)


async def login(
    flow: AuthorizationCode | PKCE,
    *,
    store: TokenStore | None = None,
    open_browser: Callable[[str], object] | None = webbrowser.open,
    paste: bool = False,
    read_line: Callable[[], Awaitable[str]] | None = None,
    echo: Callable[[str], object] | None = None,
    accounts: AccountsService | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Token:
    """Sign a user in interactively and return the token (also held and saved by `flow`).

    - `flow`: an `AuthorizationCode` or `PKCE`.
    - `store`: a `TokenStore` to save the token to (replaces the
      flow's own `store`).
    - `open_browser`: called with the `/authorize` URL (default `webbrowser.open`,
      run in a worker thread; an `async` callable is awaited instead). `None` only
      prints the URL. If it raises, `login` raises that.
    - `paste`: no listener; print the URL and read the redirected address from
      `read_line` (default: a line of standard input).
    - `echo`: where messages for the user go (default: standard error).
    - `accounts` / `transport`: how the code exchange reaches the accounts service
      (default: the network, at the flow's `accounts_url`).

    A checkpoint; waits until the redirect arrives, so give it a deadline if a person may
    never come back (`with trio.fail_after(300): ...`). Raises
    `StateMismatch`, `AuthorizationDenied`,
    `AuthorizationError`, `InvalidGrant` and what
    the token request raises (see `flow.exchange`);
    `InvalidRedirectURI` when listening needs a loopback redirect URI
    and the flow has another; `OSError` when the port cannot be listened on.
    """
    if not isinstance(flow, AuthorizationCode | PKCE):
        raise TypeError(
            "login() needs a user sign-in strategy (trio_spotify.AuthorizationCode or "
            f"trio_spotify.PKCE), not {type(flow).__name__}"
        )
    if store is not None:
        flow.store = store
    say = echo if echo is not None else _echo_stderr
    if paste:
        return await _login_by_paste(
            flow, read_line or _read_stdin_line, say, accounts=accounts, transport=transport
        )
    uri = flow.redirect_uri
    if not uri.loopback:
        raise InvalidRedirectURI(
            "login() receives the redirect on this machine, which needs a loopback redirect "
            "URI such as http://127.0.0.1:8888/callback; with an https redirect URI use "
            "paste=True ('trio-spotify login --no-browser')",
            uri.uri,
        )
    try:
        listeners = await trio.open_tcp_listeners(uri.port or 0, host=uri.host)
    except OSError as exc:
        raise OSError(
            exc.errno,
            f"cannot listen on {uri.host} port {uri.port or 0} for the sign-in redirect: "
            f"{exc.strerror} (is another sign-in running, or the port taken?)",
        ) from exc
    try:
        port = listeners[0].socket.getsockname()[1]
        redirect_uri = uri if uri.port is not None else uri.with_port(port)
        request = flow.begin(redirect_uri=redirect_uri)
        receiver = _Receiver(flow, request, accounts=accounts, transport=transport, say=say)
        logger.info("waiting for the sign-in redirect on %s", redirect_uri.uri)
        try:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(trio.serve_listeners, receiver.handle, listeners)
                say(
                    "Sign in to Spotify in your browser. If it does not open, visit:\n\n"
                    f"  {request.url}\n"
                )
                if open_browser is not None:
                    nursery.start_soon(receiver.open_browser, open_browser, request.url)
                await receiver.done.wait()
                nursery.cancel_scope.cancel()
        except BaseExceptionGroup as group:
            # The nursery wraps what reaches it (a Ctrl-C delivered to this task, an accept()
            # failure of the listener): hand the caller that exception itself. Groups of
            # cancellations, or of several errors, go on unchanged.
            sole = _sole_exception(group)
            if sole is group:
                raise
            raise sole from None
    finally:
        with trio.CancelScope(shield=True):
            for listener in listeners:
                await listener.aclose()
    if receiver.error is not None:
        raise receiver.error
    assert receiver.token is not None
    say("Signed in.")
    return receiver.token


async def _login_by_paste(
    flow: AuthorizationCode | PKCE,
    read_line: Callable[[], Awaitable[str]],
    say: Callable[[str], object],
    *,
    accounts: AccountsService | None,
    transport: httpx.AsyncBaseTransport | None,
) -> Token:
    request = flow.begin()
    say(
        "Open this URL in a browser (on any machine) and approve the access:\n\n"
        f"  {request.url}\n\n"
        f"The browser is then sent to {request.redirect_uri.uri}?code=... — that page may "
        "fail to load, which is fine.\nCopy the whole address from the address bar and "
        "paste it here:"
    )
    line = (await read_line()).strip()
    if not line:
        raise AuthorizationError("nothing was pasted", "invalid_request")
    token = await flow.exchange(line, request=request, accounts=accounts, transport=transport)
    say("Signed in.")
    return token
