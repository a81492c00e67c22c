"""The command line's defaults shared by its sub-commands.

`trio-spotify login` and `trio-spotify crawl` agree on one redirect URI when
`SPOTIFY_REDIRECT_URI` is not set: `DEFAULT_REDIRECT_URI`, the loopback address the
tutorial registers on the Spotify dashboard. `login` listens on it; `crawl` only restores
the token `login` saved, which needs no redirect at all.
"""

from __future__ import annotations

import os

__all__ = ["DEFAULT_REDIRECT_URI", "redirect_uri"]

#: The redirect URI used when neither `--redirect-uri` nor `SPOTIFY_REDIRECT_URI` is given.
DEFAULT_REDIRECT_URI = "http://127.0.0.1:8888/callback"


def redirect_uri(given: str | None) -> str:
    """`given`, else `SPOTIFY_REDIRECT_URI`, else `DEFAULT_REDIRECT_URI` (an empty
    variable counts as unset)."""
    if given:
        return given
    return os.environ.get("SPOTIFY_REDIRECT_URI") or DEFAULT_REDIRECT_URI
