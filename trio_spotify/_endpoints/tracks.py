"""`spotify.tracks`: tracks, saved tracks, audio features and analysis, recommendations."""

# Arguments are checked at run time too (for callers without a type checker), so strict
# pyright would call some isinstance calls needless.
# pyright: reportUnnecessaryIsInstance=false

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import cast

from ..types import AudioAnalysis, AudioFeatures, Paging, Recommendations, SavedTrack, Track
from ._base import Group
from ._checks import check_id, check_ids, check_limit, check_market, check_text

__all__ = ["Tracks"]

#: Tunable track attributes of `/recommendations`, each with `min_`/`max_`/`target_`.
RECOMMENDATION_ATTRIBUTES = frozenset(
    {
        "acousticness",
        "danceability",
        "duration_ms",
        "energy",
        "instrumentalness",
        "key",
        "liveness",
        "loudness",
        "mode",
        "popularity",
        "speechiness",
        "tempo",
        "time_signature",
        "valence",
    }
)
_MAX_SEEDS = 5


def _timestamp(value: datetime | str, track: str) -> str:
    """`value` as Spotify's ISO 8601 UTC timestamp; ValueError naming the track otherwise."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"added_at of {track!r} is not an ISO 8601 time: {value!r}") from None
    if not isinstance(value, datetime):
        raise TypeError(f"added_at of {track!r} must be a datetime or a string, not {value!r}")
    if value.tzinfo is None:
        raise ValueError(f"added_at of {track!r} has no time zone: {value.isoformat()!r}")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Tracks(Group):
    """Track operations. Every method is a checkpoint; see `Group` for errors."""

    async def get(self, id: str, *, market: str | None = None) -> Track:
        """One track (`GET /tracks/{id}`)."""
        track_id, market = check_id(id, "track"), check_market(market)
        return cast(
            Track,
            await self._call("get-track", segments={"id": track_id}, params={"market": market}),
        )

    async def get_several(
        self, ids: Iterable[str], *, market: str | None = None
    ) -> list[Track | None]:
        """Tracks by ID (`GET /tracks`), any number, 50 per request sent concurrently, in input
        order (`None` where Spotify knows no such track); deprecated."""
        track_ids, market = check_ids(ids, "track"), check_market(market)
        return await self._chunked_read(
            "get-several-tracks", track_ids, key="tracks", params={"market": market}
        )

    async def saved(
        self, *, market: str | None = None, limit: int | None = None, offset: int | None = None
    ) -> Paging[SavedTrack]:
        """A page of the current user's saved tracks (`GET /me/tracks`)."""
        params = {
            "market": check_market(market),
        }
        return cast(
            "Paging[SavedTrack]",
            await self._call("get-users-saved-tracks", params=params, page=(limit, offset)),
        )

    async def save(self, ids: Iterable[str] | Mapping[str, datetime | str]) -> None:
        """Save tracks to the user's library (`PUT /me/tracks`, a JSON body), 50 per request, in
        order; deprecated.

        Give a mapping of track to the moment it was saved (an aware `datetime` or an ISO
        8601 string with its time zone) to send Spotify's `timestamped_ids` instead: the
        tracks then appear in the library as saved at those times.
        """
        if not isinstance(ids, Mapping):
            await self._chunked_write("save-tracks-user", check_ids(ids, "track"), body=True)
            return
        stamps: Mapping[str, datetime | str] = ids  # pyright: ignore[reportUnknownVariableType]
        track_ids = check_ids(stamps.keys(), "track")
        entries = [
            {"id": track_id, "added_at": _timestamp(stamps[key], key)}
            for track_id, key in zip(track_ids, stamps.keys(), strict=True)
        ]
        await self._chunked_write("save-tracks-user", entries, param="timestamped_ids", body=True)

    async def remove(self, ids: Iterable[str]) -> None:
        """Remove tracks from the user's library (`DELETE /me/tracks`), 50 per request, in
        order; deprecated."""
        await self._chunked_write("remove-tracks-user", check_ids(ids, "track"))

    async def contains(self, ids: Iterable[str]) -> list[bool]:
        """Whether each track is saved in the user's library (`GET /me/tracks/contains`), 50 per
        request, in input order; deprecated."""
        return await self._chunked_read(
            "check-users-saved-tracks", check_ids(ids, "track"), key=None
        )

    async def audio_features(self, id: str) -> AudioFeatures:
        """The track's audio features (`GET /audio-features/{id}`); deprecated."""
        return cast(
            AudioFeatures,
            await self._call("get-audio-features", segments={"id": check_id(id, "track")}),
        )

    async def several_audio_features(self, ids: Iterable[str]) -> list[AudioFeatures | None]:
        """Audio features of many tracks (`GET /audio-features`), 100 per request sent
        concurrently, in input order; deprecated."""
        return await self._chunked_read(
            "get-several-audio-features", check_ids(ids, "track"), key="audio_features"
        )

    async def audio_analysis(self, id: str) -> AudioAnalysis:
        """The track's audio analysis (`GET /audio-analysis/{id}`); deprecated."""
        return cast(
            AudioAnalysis,
            await self._call("get-audio-analysis", segments={"id": check_id(id, "track")}),
        )

    async def recommendations(
        self,
        *,
        seed_artists: Iterable[str] = (),
        seed_genres: Iterable[str] = (),
        seed_tracks: Iterable[str] = (),
        limit: int | None = None,
        market: str | None = None,
        attributes: Mapping[str, float] | None = None,
    ) -> Recommendations:
        """Recommended tracks for up to 5 seeds in all (`GET /recommendations`); deprecated.

        `attributes` holds the tunables by Spotify's names: `{"min_energy": 0.4,
        "target_tempo": 120}`.
        """
        artists = [
            check_id(a, "artist", "seed_artists") for a in _listed(seed_artists, "seed_artists")
        ]
        tracks = [check_id(t, "track", "seed_tracks") for t in _listed(seed_tracks, "seed_tracks")]
        genres = [check_text(g, "seed_genres") for g in _listed(seed_genres, "seed_genres")]
        seeds = len(artists) + len(tracks) + len(genres)
        if not 1 <= seeds <= _MAX_SEEDS:
            raise ValueError(f"recommendations take 1 to {_MAX_SEEDS} seeds in all, not {seeds}")
        params: dict[str, object] = {
            "seed_artists": artists or None,
            "seed_genres": genres or None,
            "seed_tracks": tracks or None,
            "market": check_market(market),
            "limit": check_limit("get-recommendations", limit),
        }
        for name, value in (attributes or {}).items():
            prefix, _, attribute = name.partition("_")
            if prefix not in ("min", "max", "target") or attribute not in RECOMMENDATION_ATTRIBUTES:
                raise ValueError(
                    f"unknown recommendation attribute {name!r}: expected min_/max_/target_ "
                    f"followed by one of {sorted(RECOMMENDATION_ATTRIBUTES)}"
                )
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{name} must be a number, not {value!r}")
            params[name] = value
        return cast(Recommendations, await self._call("get-recommendations", params=params))


def _listed(values: Iterable[str], name: str) -> list[str]:
    if isinstance(values, str):
        raise TypeError(f"{name} must be a list, not a single string: use [{values!r}]")
    return list(values)
