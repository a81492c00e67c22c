"""The last step of every answer: what the caller's market, app mode and `additional_types`
change in the objects the handlers wrote.

The catalog writes each object once, as it is everywhere (`available_markets` and
`is_playable` both present); this pass shapes the answer for one request, as Spotify does:

- **Market** (the `market` parameter, or the country of a user's token): with one,
  `available_markets` is left out and `is_playable` says whether the object plays there;
  an unplayable one carries `restrictions: {"reason": "market"}`. Without one (an app token,
  no `market`), `is_playable` is left out, and shows, episodes, audiobooks and chapters are
  unavailable: 404 for one, `null` in a multi-get (the definition: "If neither market or
  user country are provided, the content is considered unavailable for the client").
- **Development mode**: the properties the definition marks deprecated (removed for
  development-mode apps in 2024 and February 2026, shared/spotify/protocol.md §9) are absent.
- **`additional_types`**: without `episode` in it, an episode in a playlist or the player
  comes back as `null`, as on Spotify.
- **Featured and search playlists** carry `public: null` (Spotify sends it, undocumented).
- **Episodes** carry a `resume_point` when the token has `user-read-playback-position`
  (the definition's `EpisodeObject.resume_point`); none has been listened to.

It only changes or removes keys the handler wrote, so it composes with the `fields` filter
the playlist handlers apply first. It is a pure function of the call and the body.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._call import Call
from .._catalog import SHOW_MARKETS
from .._reply import ApiError, Reply

__all__ = [
    "DEPRECATED_PROPERTIES",
    "USER_COUNTRY",
    "available_in",
    "finish_answer",
    "in_market",
    "request_market",
]

#: The country of every emulated user (`GET /me` says so too).
USER_COUNTRY = "SE"

#: Object kind -> the properties the corrected definition marks `deprecated: true` on its
#: schemas (`ArtistObject`, `TrackObject`, `EpisodeBase`, `ChapterBase`, `ShowBase`,
#: `AudiobookBase`, `AlbumBase`/`AlbumObject`, `ArtistDiscographyAlbumObject`,
#: `PlaylistObject`, `PrivateUserObject`/`PublicUserObject`, `PlaylistTrackObject`).
#: `tests/emulator/test_fidelity_modes.py` checks this against the definition.
DEPRECATED_PROPERTIES: dict[str, frozenset[str]] = {
    "artist": frozenset({"followers", "genres", "popularity"}),
    "track": frozenset({"available_markets", "linked_from", "popularity", "preview_url"}),
    "episode": frozenset({"audio_preview_url", "language"}),
    "chapter": frozenset({"audio_preview_url", "available_markets"}),
    "show": frozenset({"available_markets", "publisher"}),
    "audiobook": frozenset({"available_markets", "publisher"}),
    "album": frozenset({"available_markets", "album_group", "genres", "label", "popularity"}),
    "playlist": frozenset({"tracks"}),
    "user": frozenset({"country", "email", "explicit_content", "followers", "product"}),
    "playlist_entry": frozenset({"track"}),
}

#: Operations that answer one object of a kind a market-less app token cannot see.
_UNAVAILABLE_ONE = frozenset(
    {
        "get-a-show",
        "get-a-shows-episodes",
        "get-an-episode",
        "get-an-audiobook",
        "get-audiobook-chapters",
        "get-a-chapter",
    }
)
#: ... and those answering a list of them (`{key: [object or null]}`).
_UNAVAILABLE_SEVERAL = {
    "get-multiple-shows": "shows",
    "get-multiple-episodes": "episodes",
    "get-multiple-audiobooks": "audiobooks",
    "get-several-chapters": "chapters",
}
#: Operations whose `additional_types` decides whether episodes come back.
_ADDITIONAL_TYPES = frozenset(
    {
        "get-playlist",
        "get-playlists-items",
        "get-playlists-tracks",
        "get-information-about-the-users-current-playback",
        "get-the-users-currently-playing-track",
    }
)
#: Operations whose playlists carry `public: null`.
_PUBLIC_UNKNOWN = frozenset({"search", "get-featured-playlists", "get-a-categories-playlists"})


def request_market(call: Call) -> str | None:
    """The market that applies to `call`: its `market` parameter (`from_token` is the
    user's country), else a user token's country, else `None`."""
    market = call.query.get("market")
    if market is not None and market != "from_token":
        return market
    return USER_COUNTRY if call.grant.user_id is not None else None


def available_in(kind: str, obj: dict[str, Any], market: str) -> bool:
    """Whether a catalog object plays in `market`: its `available_markets`, or for an
    episode (which has none) its show's."""
    markets = obj.get("available_markets")
    if markets is None and kind == "episode":
        markets = SHOW_MARKETS
    return markets is None or market in markets


def in_market(
    call: Call, kind: str, found: list[Any], render: Callable[[Any], dict[str, Any]]
) -> list[Any]:
    """The `found` (rendered by `render`) that play in the call's market: search results
    are filtered to it, as Spotify's are; all of them when no market applies."""
    market = request_market(call)
    if market is None or kind in ("artist", "playlist"):
        return found
    return [x for x in found if available_in(kind, render(x), market)]


def finish_answer(call: Call, status: int, body: Any) -> Reply:
    """`(status, body)` as Spotify would answer this call (see the module docstring).

    Raises:
        ApiError: 404 for a show, episode, audiobook or chapter asked for with an app token
            and no `market`.
    """
    if body is None or status >= 300:
        return status, body
    op = call.operation.operation_id
    market = request_market(call)
    if market is None and op in _UNAVAILABLE_ONE:
        raise ApiError(404, "Resource not found")
    if market is None and op in _UNAVAILABLE_SEVERAL and isinstance(body, dict):
        key = _UNAVAILABLE_SEVERAL[op]
        body = {**body, key: [None for _ in body.get(key) or []]}
    shaper = _Shaper(
        market=market,
        development=call.emulator.mode == "development",
        episodes=op not in _ADDITIONAL_TYPES
        or "episode" in (call.query.get("additional_types") or "").split(","),
        public_unknown=op in _PUBLIC_UNKNOWN,
        resume=call.has_scope("user-read-playback-position") and "fields" not in call.query,
    )
    return status, shaper.shape(body)


class _Shaper:
    def __init__(
        self,
        *,
        market: str | None,
        development: bool,
        episodes: bool,
        public_unknown: bool,
        resume: bool,
    ) -> None:
        self.market = market
        self.development = development
        self.episodes = episodes
        self.public_unknown = public_unknown
        self.resume = resume
        #: id() of a dict or list of the answer -> its shaped value: the same object is
        #: often reached twice (an entry's `item` and `track`) and shaped once.
        self._memo: dict[int, Any] = {}

    def shape(self, value: Any) -> Any:
        """`value` shaped; the very same object where nothing in it changes (the catalog's
        dicts are shared, so a changed one is copied, never written to)."""
        if not isinstance(value, dict | list):
            return value
        done = self._memo.get(id(value))
        if done is None:
            done = self._memo[id(value)] = self._shape(value)
        return done

    def _shape(self, value: Any) -> Any:
        if isinstance(value, list):
            if not value or not isinstance(value[0], dict | list):
                return value
            shaped = [self.shape(v) for v in value]
            return value if all(a is b for a, b in zip(shaped, value, strict=True)) else shaped
        if not isinstance(value, dict):
            return value
        kind = _kind(value)
        obj: dict[str, Any] | None = None
        for key, child in value.items():
            if key in _LEAVES or not isinstance(child, dict | list):
                continue
            if not self.episodes and kind in _HOLDERS and key in _ITEM_KEYS:
                new = None if _kind(child) == "episode" else self.shape(child)
            else:
                new = self.shape(child)
            if new is not child:
                if obj is None:
                    obj = dict(value)
                obj[key] = new
        if kind is None or kind == "playing":
            return value if obj is None else obj
        obj = dict(value) if obj is None else obj
        if kind in _PLAYABLE_KINDS:
            self._market(kind, value, obj)
        if kind == "episode" and self.resume:
            obj.setdefault("resume_point", {"fully_played": False, "resume_position_ms": 0})
        if kind == "playlist" and self.public_unknown and "public" in obj:
            obj["public"] = None
        if self.development:
            for key in DEPRECATED_PROPERTIES.get(kind, ()):
                obj.pop(key, None)
        return obj

    def _market(self, kind: str, original: dict[str, Any], obj: dict[str, Any]) -> None:
        market = self.market
        if market is None:
            obj.pop("is_playable", None)
            obj.pop("restrictions", None)
            obj.pop("linked_from", None)
            return
        playable = available_in(kind, original, market)
        obj.pop("available_markets", None)
        if kind in ("album", "show", "audiobook"):
            return
        if "is_playable" in obj:
            obj["is_playable"] = playable
        if not playable:
            obj["restrictions"] = {"reason": "market"}


#: Keys whose values hold no object this pass changes (skipped, for speed).
_LEAVES = frozenset(
    {"images", "external_urls", "external_ids", "copyrights", "available_markets", "genres"}
)
#: What holds a track or episode under `item` / `track`: a playlist entry, a playback.
_HOLDERS = frozenset({"playlist_entry", "playing"})
_ITEM_KEYS = frozenset({"item", "track"})
_PLAYABLE_KINDS = frozenset({"track", "episode", "chapter", "album", "show", "audiobook"})


def _kind(value: Any) -> str | None:
    """What a dict of an answer is: a catalog kind, `playlist`, `user`, a playlist entry,
    a playback state (`playing`), or `None`."""
    if not isinstance(value, dict):
        return None
    kind = value.get("type")
    if isinstance(kind, str) and isinstance(value.get("uri"), str):
        if kind == "episode" and value["uri"].startswith("spotify:chapter:"):
            return "chapter"
        if kind == "episode" and "chapter_number" in value:
            return "chapter"
        return kind
    if "added_at" in value and ("item" in value or "track" in value) and "added_by" in value:
        return "playlist_entry"
    if "currently_playing_type" in value:
        return "playing"
    return None
