"""Formatting of request paths, query parameters and bodies, the way Spotify expects them."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["format_params", "format_path"]


def _format_value(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, Iterable):
        items = [_format_value(name, item) for item in value]
        if any("," in item for item in items):
            raise ValueError(f"parameter {name!r}: list items must not contain commas")
        return ",".join(items)
    raw = getattr(value, "value", None)  # enums
    if isinstance(raw, str):
        return raw
    raise TypeError(f"parameter {name!r}: cannot send a {type(value).__name__} as a query value")


def format_params(params: Mapping[str, Any] | None) -> dict[str, str]:
    """Query parameters as Spotify wants them.

    Lists and tuples are comma-joined, booleans become `true`/`false`, `None` values
    are dropped (so optional arguments can be passed straight through).
    """
    if not params:
        return {}
    return {name: _format_value(name, value) for name, value in params.items() if value is not None}


def format_path(template: str, **segments: str) -> str:
    """Fill `{name}` placeholders of `template` with URL-encoded `segments`.

    `format_path("/users/{user_id}/playlists", user_id="a b/c")` gives
    `/users/a%20b%2Fc/playlists`: a segment can never escape into another.
    """
    for name, value in segments.items():
        if not isinstance(value, str) or not value:
            raise ValueError(f"{name} must be a non-empty string, not {value!r}")
        if value in {".", ".."}:
            # Percent-encoding leaves dots alone, and URL normalisation would then remove
            # the segment and send the request to another endpoint.
            raise ValueError(f"{name} cannot be {value!r}")
    quoted = {name: urllib.parse.quote(value, safe="") for name, value in segments.items()}
    return template.format(**quoted)
