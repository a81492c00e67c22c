"""The loopback listener that receives the sign-in redirect: a small, strict HTTP server.

`RedirectReceiver` serves one sign-in attempt of `login`. It speaks HTTP through h11 (no
hand-written parser), on listeners bound only to the loopback address of the redirect URI
(`open_loopback_listeners`), and answers only `GET` (or `HEAD`) of the redirect path with a
`Host` header naming that address — a DNS-rebinding page cannot reach it under another
name; everything else gets 404, 405 or 400. A request on the redirect path that carries no
sign-in parameters gets a 400 and does not end the attempt. The first one that does is
handed to the `complete` callback (which checks it and exchanges the code); its `Reply`
becomes the page the browser sees and, once the browser has it, the outcome `done` signals.
Later redirects get 409.

The receiver knows HTTP, not OAuth: what a redirect means is the callback's business.
"""

from __future__ import annotations

import html
import urllib.parse
from collections.abc import Awaitable, Callable

import attrs
import h11
import trio

from ._authorize import parse_redirect
from ._redirect import RedirectURI
from ._token import Token

__all__ = ["RedirectReceiver", "Reply", "open_loopback_listeners"]

#: How long one connection may take to send its request line and headers.
_REQUEST_READ_TIMEOUT = 10.0
#: How long answering the browser may take before the connection is dropped.
_RESPONSE_SEND_TIMEOUT = 5.0
_MAX_REQUEST_BYTES = 16 * 1024

#: A request to the redirect path with none of these is not a sign-in redirect.
_SIGN_IN_PARAMETERS = ("code", "error", "state")


@attrs.frozen
class Reply:
    """A page for the browser and, for a reply that ends the sign-in, how it ended.

    A reply to a sign-in redirect carries either the `token` or the `error` that `login`
    returns or raises; other replies (404, 405, ...) carry neither.
    """

    status: int
    title: str
    text: str
    token: Token | None = None
    error: Exception | None = None


#: Checks a redirect's parameters and exchanges its code; never raises but cancellation.
Complete = Callable[[dict[str, str]], Awaitable[Reply]]


async def open_loopback_listeners(uri: RedirectURI) -> list[trio.SocketListener]:
    """Listen on the loopback host of `uri`, on its port (any free one if it has none).

    A checkpoint.

    Raises:
        OSError: the port cannot be listened on; the message says why it may be taken.
    """
    try:
        return await trio.open_tcp_listeners(uri.port or 0, host=uri.host)
    except OSError as exc:
        raise OSError(
            exc.errno,
            f"cannot listen on {uri.host} port {uri.port or 0} for the sign-in redirect: "
            f"{exc.strerror} (is another sign-in running, or the port taken?)",
        ) from exc


def _page(title: str, text: str) -> bytes:
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head>"
        '<body style="font-family: sans-serif; margin: 3em">'
        f"<h1>{html.escape(title)}</h1><p>{html.escape(text)}</p></body></html>\n"
    ).encode()


class RedirectReceiver:
    """Serves the loopback listener of one sign-in attempt; keeps its outcome.

    `redirect_uri` is the attempt's (with the port actually listened on); `complete` is
    called once, with the parameters of the first sign-in redirect. `done` is set when the
    attempt has ended, with `token` or `error` telling how (see `finish`).
    """

    def __init__(self, redirect_uri: RedirectURI, complete: Complete) -> None:
        assert redirect_uri.port is not None
        self._complete = complete
        host = f"[{redirect_uri.host}]" if ":" in redirect_uri.host else redirect_uri.host
        self._hosts = {f"{host}:{redirect_uri.port}".encode()}
        if redirect_uri.port == 80:
            self._hosts.add(host.encode())
        self._path = redirect_uri.path
        self._claimed = False
        self.done = trio.Event()
        self.token: Token | None = None
        self.error: Exception | None = None

    def finish(self, token: Token | None, error: Exception | None) -> None:
        """End the attempt with `token` or `error`, unless it has already ended."""
        if not self.done.is_set():
            self.token, self.error = token, error
            self.done.set()

    async def handle(self, stream: trio.SocketStream) -> None:
        """Answer one connection (one request, then close). Never raises but cancellation.

        The outcome of a sign-in redirect is recorded only once the browser has its answer
        (or could not take it), so ending `login` never cuts the answer short.
        """
        reply: Reply | None = None
        try:
            connection = h11.Connection(h11.SERVER, max_incomplete_event_size=_MAX_REQUEST_BYTES)
            request = None
            with trio.move_on_after(_REQUEST_READ_TIMEOUT):
                request = await self._read_request(connection, stream)
            if request is None:
                return
            page, reply = await self._route(request)
            with trio.move_on_after(_RESPONSE_SEND_TIMEOUT):
                await self._send(connection, stream, request, page)
        except (h11.ProtocolError, trio.BrokenResourceError, trio.ClosedResourceError, OSError):
            # A client that broke off or spoke bad HTTP: nothing more to answer.
            pass
        except Exception as exc:  # a bug: end the login with it rather than hang
            reply = Reply(500, "", "", error=exc)
        finally:
            try:
                await trio.aclose_forcefully(stream)
            finally:
                if reply is not None:
                    self.finish(reply.token, reply.error)

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

    async def _route(self, request: h11.Request) -> tuple[Reply, Reply | None]:
        """The page for a request, and the outcome if it ends the sign-in (else `None`)."""
        target = request.target.decode("ascii", "replace")
        path, _, query = target.partition("?")
        if urllib.parse.unquote(path) != self._path:
            return Reply(404, "Not found", "This address only receives the sign-in redirect."), None
        if request.method not in (b"GET", b"HEAD"):
            return Reply(405, "Method not allowed", "Only GET is served here."), None
        host = dict(request.headers).get(b"host", b"").lower()
        if host not in self._hosts:
            return Reply(400, "Bad request", "Unexpected Host header."), None
        params = parse_redirect("?" + query)
        if not any(name in params for name in _SIGN_IN_PARAMETERS):
            text = "This address receives the Spotify sign-in redirect."
            return Reply(400, "Bad request", text), None
        if self._claimed:
            text = "This sign-in already received its redirect."
            return Reply(409, "Already handled", text), None
        self._claimed = True
        reply = await self._complete(params)
        return reply, reply

    async def _send(
        self,
        connection: h11.Connection,
        stream: trio.SocketStream,
        request: h11.Request,
        page: Reply,
    ) -> None:
        body = _page(page.title, page.text)
        headers = [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
            ("Referrer-Policy", "no-referrer"),
            ("X-Content-Type-Options", "nosniff"),
            ("Connection", "close"),
        ]
        if page.status == 405:
            headers.append(("Allow", "GET, HEAD"))
        data = connection.send(h11.Response(status_code=page.status, headers=headers))
        if request.method != b"HEAD":
            data = (data or b"") + (connection.send(h11.Data(data=body)) or b"")
        data = (data or b"") + (connection.send(h11.EndOfMessage()) or b"")
        await stream.send_all(data)
