"""Redirect URIs, checked against Spotify's 2025 rules before anything is sent.

Since 2025 (enforced for every app from November 2025) Spotify accepts only two kinds of
redirect URI (https://developer.spotify.com/documentation/web-api/concepts/redirect_uri):

- `https://...` for anything reachable over the network;
- `http://127.0.0.1:PORT/...` or `http://[::1]:PORT/...` for a program on the user's own
  machine. The loopback address must be an IP literal: `localhost` is refused by Spotify,
  because a name can resolve elsewhere. A loopback URI may omit the port; it is then
  registered without one and any port is accepted, so `trio_spotify.login` picks a
  free one.

`parse_redirect_uri` applies these rules locally and raises
`InvalidRedirectURIError` explaining which one a URI breaks, instead of letting the user
discover it from a Spotify error page in the browser.
"""

from __future__ import annotations

import ipaddress
import urllib.parse

import attrs

from .._errors import InvalidRedirectURIError

__all__ = ["RedirectURI", "parse_redirect_uri"]

_LOOPBACK_HOSTS = {"127.0.0.1", "::1"}


@attrs.frozen
class RedirectURI:
    """A redirect URI that follows Spotify's rules; build one with `parse_redirect_uri`.

    `loopback` is true for `http://127.0.0.1` / `http://[::1]` URIs, which a local
    listener can receive; `port` is `None` when such a URI leaves the port open.
    """

    uri: str
    scheme: str
    host: str
    port: int | None
    path: str

    @property
    def loopback(self) -> bool:
        return self.scheme == "http" and self.host in _LOOPBACK_HOSTS

    def with_port(self, port: int) -> RedirectURI:
        """The same URI on `port` (for a loopback URI registered without a port)."""
        if not self.loopback:
            raise ValueError("only a loopback redirect URI can be moved to another port")
        netloc = f"[{self.host}]:{port}" if ":" in self.host else f"{self.host}:{port}"
        split = urllib.parse.urlsplit(self.uri)
        return parse_redirect_uri(urllib.parse.urlunsplit(split._replace(netloc=netloc)))

    def __str__(self) -> str:
        return self.uri


def parse_redirect_uri(uri: str | RedirectURI) -> RedirectURI:
    """Check `uri` against Spotify's redirect-URI rules and return it parsed.

    Raises `InvalidRedirectURIError` (a `ValueError`) for `localhost`, for plain
    `http` to anything but `127.0.0.1` / `[::1]`, for other schemes, for a URI with
    user information or a fragment, and for one without a host.
    """
    if isinstance(uri, RedirectURI):
        return uri
    if not isinstance(uri, str):
        raise TypeError(f"a redirect URI must be a string, not {type(uri).__name__}")
    try:
        split = urllib.parse.urlsplit(uri)
        port = split.port
    except ValueError as exc:
        raise InvalidRedirectURIError(f"it cannot be parsed ({exc})", uri) from None
    scheme = split.scheme.lower()
    host = (split.hostname or "").lower()
    if not host:
        raise InvalidRedirectURIError(
            "it has no host (expected e.g. http://127.0.0.1:8888/callback)", uri
        )
    if host == "localhost" or host.endswith(".localhost"):
        loopback = "127.0.0.1" if scheme != "https" else "127.0.0.1 (with http)"
        raise InvalidRedirectURIError(
            "Spotify does not accept 'localhost' in redirect URIs (since 2025); use the loopback "
            f"IP literal {loopback} or [::1] instead, e.g. http://127.0.0.1:8888/callback, and "
            "register exactly that URI in the app's settings on the Spotify developer dashboard",
            uri,
        )
    if split.username is not None or split.password is not None:
        raise InvalidRedirectURIError("it must not contain user information", uri)
    if split.fragment or uri.endswith("#"):
        raise InvalidRedirectURIError("it must not contain a fragment ('#...')", uri)
    if scheme == "http":
        if host not in _LOOPBACK_HOSTS:
            hint = ""
            try:
                if ipaddress.ip_address(host).is_loopback:
                    hint = " (other loopback addresses are not accepted)"
            except ValueError:
                pass
            raise InvalidRedirectURIError(
                "Spotify accepts plain http only for the loopback IP literals 127.0.0.1 and "
                f"[::1]{hint}; use https for any other host",
                uri,
            )
    elif scheme != "https":
        raise InvalidRedirectURIError(
            f"the scheme {split.scheme!r} is not accepted: use https, or http with the loopback "
            "IP literal 127.0.0.1 or [::1]",
            uri,
        )
    return RedirectURI(uri, scheme, host, port, split.path or "/")
