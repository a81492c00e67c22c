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

The listener is a `RedirectReceiver` (see `_receiver.py` for what it answers and refuses);
this module decides what a redirect means: a wrong `state`, an `error=` or a refused code
ends the attempt with the matching exception. After one valid redirect it stops.
Cancelling `login` (Ctrl-C, a caller's `trio.fail_after`) closes the listener before the
cancellation propagates.

With `paste=True` (`trio-spotify login --no-browser`), nothing listens: `login` prints
the URL, the user opens it on any machine, and pastes back the address the browser was
redirected to (the page itself may fail to load there — only its address matters).
"""

from __future__ import annotations

import inspect
import logging
import sys
import webbrowser
from collections.abc import Awaitable, Callable

import httpx
import trio

from .._errors import (
    AuthorizationError,
    InvalidRedirectURIError,
    SpotifyError,
    StateMismatchError,
)
from ._authorize import AuthorizationRequest
from ._flows import PKCE, AuthorizationCode
from ._receiver import Complete, RedirectReceiver, Reply, open_loopback_listeners
from ._store import TokenStore
from ._token import Token
from ._token_endpoint import AccountsService

__all__ = ["login"]

logger = logging.getLogger("trio_spotify")


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


async def _open_browser(
    opener: Callable[[str], object],
    url: str,
    receiver: RedirectReceiver,
    say: Callable[[str], object],
) -> None:
    """Run the browser opener; an exception it raises becomes the outcome of `login`."""
    try:
        if inspect.iscoroutinefunction(opener) or inspect.iscoroutinefunction(
            getattr(opener, "__call__", None)  # noqa: B004 - async callable objects
        ):
            result = await opener(url)  # type: ignore[misc]
        else:
            result = await trio.to_thread.run_sync(opener, url, abandon_on_cancel=True)
    except Exception as exc:
        receiver.finish(None, exc)
        return
    if result is False:
        say("Could not open a browser: open the URL above yourself.")


def _completion(
    flow: AuthorizationCode | PKCE,
    request: AuthorizationRequest,
    *,
    accounts: AccountsService | None,
    transport: httpx.AsyncBaseTransport | None,
) -> Complete:
    """What the receiver does with the sign-in redirect: check it, exchange its code."""

    async def complete(params: dict[str, str]) -> Reply:
        try:
            flow.check_redirect(params, request)
        except StateMismatchError as exc:
            text = "This redirect does not belong to the current sign-in."
            return Reply(400, "Sign-in failed", text, error=exc)
        except AuthorizationError as exc:
            return Reply(200, "Sign-in refused", f"{exc} You can close this window.", error=exc)
        try:
            token = await flow.exchange(
                params, request=request, accounts=accounts, transport=transport
            )
        except SpotifyError as exc:
            return Reply(500, "Sign-in failed", f"{exc}", error=exc)
        text = "You are signed in to Spotify. You can close this window."
        return Reply(200, "Signed in", text, token=token)

    return complete


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

    Args:
        flow: an `AuthorizationCode` or `PKCE`.
        store: a `TokenStore` to save the token to (replaces the flow's own `store`).
        open_browser: called with the `/authorize` URL (default `webbrowser.open`, run in
            a worker thread; an `async` callable is awaited instead). `None` only prints
            the URL. If it raises, `login` raises that.
        paste: no listener; print the URL and read the redirected address from
            `read_line` (default: a line of standard input).
        read_line: see `paste`.
        echo: where messages for the user go (default: standard error).
        accounts: how the code exchange reaches the accounts service (default: the
            network, at the flow's `accounts_url`).
        transport: the httpx transport of that exchange, when `accounts` is not given.

    A checkpoint; waits until the redirect arrives, so give it a deadline if a person may
    never come back (`with trio.fail_after(300): ...`).

    Raises:
        StateMismatchError: the redirect is not this attempt's.
        AuthorizationDeniedError: the user refused.
        AuthorizationError: Spotify refused otherwise, or nothing was pasted.
        InvalidGrantError: the code was refused; and what the token request raises (see
            `flow.exchange`).
        InvalidRedirectURIError: listening needs a loopback redirect URI and the flow has
            another.
        OSError: the port cannot be listened on.
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
        raise InvalidRedirectURIError(
            "login() receives the redirect on this machine, which needs a loopback redirect "
            "URI such as http://127.0.0.1:8888/callback; with an https redirect URI use "
            "paste=True ('trio-spotify login --no-browser')",
            uri.uri,
        )
    listeners = await open_loopback_listeners(uri)
    try:
        port = listeners[0].socket.getsockname()[1]
        redirect_uri = uri if uri.port is not None else uri.with_port(port)
        request = flow.begin(redirect_uri=redirect_uri)
        complete = _completion(flow, request, accounts=accounts, transport=transport)
        receiver = RedirectReceiver(redirect_uri, complete)
        logger.info("waiting for the sign-in redirect on %s", redirect_uri.uri)
        try:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(trio.serve_listeners, receiver.handle, listeners)
                say(
                    "Sign in to Spotify in your browser. If it does not open, visit:\n\n"
                    f"  {request.url}\n"
                )
                if open_browser is not None:
                    nursery.start_soon(_open_browser, open_browser, request.url, receiver, say)
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
