"""Redirect URIs follow Spotify's 2025 rules: https, or http on 127.0.0.1 / [::1] only."""

from __future__ import annotations

import pytest

from trio_spotify import InvalidRedirectURI, parse_redirect_uri


@pytest.mark.parametrize(
    ("uri", "host", "port", "path", "loopback"),
    [
        ("http://127.0.0.1:8888/callback", "127.0.0.1", 8888, "/callback", True),
        ("http://[::1]:9000/cb", "::1", 9000, "/cb", True),
        ("http://127.0.0.1/callback", "127.0.0.1", None, "/callback", True),
        ("http://127.0.0.1:8888", "127.0.0.1", 8888, "/", True),
        ("https://example.com/spotify/callback", "example.com", None, "/spotify/callback", False),
        ("https://example.com:8443/cb?x=1", "example.com", 8443, "/cb", False),
    ],
)
def test_accepted(uri: str, host: str, port: int | None, path: str, loopback: bool) -> None:
    parsed = parse_redirect_uri(uri)
    assert (parsed.uri, parsed.host, parsed.port, parsed.path, parsed.loopback) == (
        uri,
        host,
        port,
        path,
        loopback,
    )
    assert str(parsed) == uri
    assert parse_redirect_uri(parsed) is parsed


@pytest.mark.parametrize(
    "uri",
    [
        "http://localhost:8888/callback",
        "http://LOCALHOST:8888/callback",
        "https://localhost/callback",
        "http://app.localhost:8888/callback",
    ],
)
def test_localhost_is_refused_with_spotifys_rule(uri: str) -> None:
    with pytest.raises(InvalidRedirectURI) as info:
        parse_redirect_uri(uri)
    text = str(info.value)
    assert "localhost" in text
    assert "127.0.0.1" in text
    assert "[::1]" in text
    assert uri in text
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("uri", "reason"),
    [
        ("http://example.com/callback", "use https"),
        ("http://192.168.1.10:8888/callback", "use https"),
        ("http://127.0.0.2:8888/callback", "other loopback addresses"),
        ("myapp://callback", "scheme"),
        ("ftp://127.0.0.1/callback", "scheme"),
        ("https://example.com/cb#frag", "fragment"),
        ("https://user:pw@example.com/cb", "user information"),
        ("https:///cb", "no host"),
        ("http://127.0.0.1:99999/cb", "cannot be parsed"),
        ("127.0.0.1:8888/callback", "no host"),
    ],
)
def test_refused_with_the_reason(uri: str, reason: str) -> None:
    with pytest.raises(InvalidRedirectURI, match=reason):
        parse_redirect_uri(uri)


def test_with_port_fills_in_a_dynamic_loopback_port() -> None:
    assert parse_redirect_uri("http://127.0.0.1/cb?a=1").with_port(5555).uri == (
        "http://127.0.0.1:5555/cb?a=1"
    )
    assert parse_redirect_uri("http://[::1]/cb").with_port(5555).uri == "http://[::1]:5555/cb"
    with pytest.raises(ValueError, match="loopback"):
        parse_redirect_uri("https://example.com/cb").with_port(5555)


def test_type_errors() -> None:
    with pytest.raises(TypeError):
        parse_redirect_uri(b"http://127.0.0.1/cb")  # type: ignore[arg-type]
