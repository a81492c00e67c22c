"""The Web API's operations as typed methods, one group per Spotify category.

`trio_spotify/_operations.py` describes the 96 operations as data; `_base.py` holds what every group
shares (sending through the handler, chunking, deprecation warnings), `_checks.py` the argument
checks; each other module is one group. The groups hold the handler (a `Sender`), never the
`Spotify` facade.
"""

from .albums import Albums
from .artists import Artists
from .audiobooks import Audiobooks
from .browse import Categories, Genres, Markets
from .chapters import Chapters
from .episodes import Episodes
from .library import Library
from .player import Player
from .playlists import Playlists
from .search import Search
from .shows import Shows
from .tracks import Tracks
from .users import Users

__all__ = [
    "Albums",
    "Artists",
    "Audiobooks",
    "Categories",
    "Chapters",
    "Episodes",
    "Genres",
    "Library",
    "Markets",
    "Player",
    "Playlists",
    "Search",
    "Shows",
    "Tracks",
    "Users",
]
