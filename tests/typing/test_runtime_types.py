"""Every answer of the emulator, for all 96 operations (101 methods), validates against the
return type its method declares (`trio_spotify.types`), so the types, the emulator and the
definition agree.

Validation is pydantic's `TypeAdapter(hint).validate_python(answer, strict=True)`: a
missing required key, a wrong value type or a `null` where the type does not allow one
fails; extra keys (Spotify adds keys without notice) pass, as they do for a `TypedDict`.

The calls run in order against one emulator, so that reads see what writes made (the player
is started before it is read, a playlist is created before it is changed). They run once in
extended mode (every operation) and once in development mode (the 48 current operations,
whose answers lose the fields removed in February 2026).
"""

from __future__ import annotations

import typing
import warnings
from collections.abc import Awaitable, Callable
from typing import Any

import attrs
import pydantic
import pytest
import trio
from helpers.calls import CALLS, JPEG

import trio_spotify
import trio_spotify.types
from trio_spotify._operations import OPERATIONS
from trio_spotify.testing import SpotifyEmulator, open_emulator_client


@attrs.frozen
class Ids:
    """IDs the emulator's catalog and state know (as `helpers.emulator.operation_cases`)."""

    album: str
    album2: str
    artist: str
    artist2: str
    track: str
    track2: str
    show: str
    episode: str
    book: str
    chapter: str
    playlist: str
    user: str
    me: str
    mine: str
    device: str

    @classmethod
    def of(cls, e: SpotifyEmulator) -> Ids:
        c = e.catalog
        me = e.user(e.user_id)
        return cls(
            album=c.id_of(2, 3),
            album2=c.id_of(2, 40),
            artist=c.id_of(1, 2),
            artist2=c.id_of(1, 9),
            track=c.id_of(3, c.track_at(11)),
            track2=c.id_of(3, c.track_at(12)),
            show=c.id_of(4, 1),
            episode=c.id_of(5, c.show_episodes(1)[2]),
            book=c.id_of(6, 1),
            chapter=c.id_of(7, c.audiobook_chapters(1)[3]),
            playlist=c.id_of(8, 2),
            user=c.user_id(3),
            me=me.user_id,
            mine=e.owned_playlists(me.user_id)[0],
            device=me.player.devices[1].id,
        )


Invoke = Callable[[trio_spotify.Spotify, Ids], Awaitable[Any]]

#: (method, call) for every public endpoint method, in an order that builds state.
CASES: list[tuple[str, Invoke]] = [
    ("albums.get", lambda s, i: s.albums.get(i.album, market="SE")),
    ("albums.get_several", lambda s, i: s.albums.get_several([i.album, i.album2])),
    ("albums.tracks", lambda s, i: s.albums.tracks(i.album, limit=3)),
    ("albums.new_releases", lambda s, i: s.albums.new_releases(limit=2)),
    ("albums.save", lambda s, i: s.albums.save([i.album])),
    ("albums.saved", lambda s, i: s.albums.saved(limit=2)),
    ("albums.contains", lambda s, i: s.albums.contains([i.album])),
    ("albums.remove", lambda s, i: s.albums.remove([i.album])),
    ("artists.get", lambda s, i: s.artists.get(i.artist)),
    ("artists.get_several", lambda s, i: s.artists.get_several([i.artist, i.artist2])),
    ("artists.albums", lambda s, i: s.artists.albums(i.artist, limit=10)),
    ("artists.top_tracks", lambda s, i: s.artists.top_tracks(i.artist)),
    ("artists.related_artists", lambda s, i: s.artists.related_artists(i.artist)),
    ("artists.follow", lambda s, i: s.artists.follow([i.artist])),
    ("artists.followed", lambda s, i: s.artists.followed(limit=3)),
    ("artists.is_following", lambda s, i: s.artists.is_following([i.artist])),
    ("artists.unfollow", lambda s, i: s.artists.unfollow([i.artist])),
    ("shows.get", lambda s, i: s.shows.get(i.show)),
    ("shows.get_several", lambda s, i: s.shows.get_several([i.show])),
    ("shows.episodes", lambda s, i: s.shows.episodes(i.show, limit=5)),
    ("shows.save", lambda s, i: s.shows.save([i.show])),
    ("shows.saved", lambda s, i: s.shows.saved()),
    ("shows.contains", lambda s, i: s.shows.contains([i.show])),
    ("shows.remove", lambda s, i: s.shows.remove([i.show])),
    ("episodes.get", lambda s, i: s.episodes.get(i.episode)),
    ("episodes.get_several", lambda s, i: s.episodes.get_several([i.episode])),
    ("episodes.save", lambda s, i: s.episodes.save([i.episode])),
    ("episodes.saved", lambda s, i: s.episodes.saved()),
    ("episodes.contains", lambda s, i: s.episodes.contains([i.episode])),
    ("episodes.remove", lambda s, i: s.episodes.remove([i.episode])),
    ("audiobooks.get", lambda s, i: s.audiobooks.get(i.book)),
    ("audiobooks.get_several", lambda s, i: s.audiobooks.get_several([i.book])),
    ("audiobooks.chapters", lambda s, i: s.audiobooks.chapters(i.book)),
    ("audiobooks.save", lambda s, i: s.audiobooks.save([i.book])),
    ("audiobooks.saved", lambda s, i: s.audiobooks.saved()),
    ("audiobooks.contains", lambda s, i: s.audiobooks.contains([i.book])),
    ("audiobooks.remove", lambda s, i: s.audiobooks.remove([i.book])),
    ("chapters.get", lambda s, i: s.chapters.get(i.chapter)),
    ("chapters.get_several", lambda s, i: s.chapters.get_several([i.chapter])),
    ("tracks.get", lambda s, i: s.tracks.get(i.track)),
    ("tracks.get_several", lambda s, i: s.tracks.get_several([i.track, i.track2])),
    ("tracks.save", lambda s, i: s.tracks.save({i.track: "2026-01-02T03:04:05Z"})),
    ("tracks.saved", lambda s, i: s.tracks.saved()),
    ("tracks.contains", lambda s, i: s.tracks.contains([i.track, i.track2])),
    ("tracks.remove", lambda s, i: s.tracks.remove([i.track])),
    ("tracks.audio_features", lambda s, i: s.tracks.audio_features(i.track)),
    ("tracks.several_audio_features", lambda s, i: s.tracks.several_audio_features([i.track])),
    ("tracks.audio_analysis", lambda s, i: s.tracks.audio_analysis(i.track)),
    (
        "tracks.recommendations",
        lambda s, i: s.tracks.recommendations(
            seed_artists=[i.artist], seed_genres=["jazz"], seed_tracks=[i.track], limit=5
        ),
    ),
    ("genres.seeds", lambda s, i: s.genres.seeds()),
    ("markets.available", lambda s, i: s.markets.available()),
    (
        "search",
        lambda s, i: s.search(
            "the",
            types=["album", "artist", "playlist", "track", "show", "episode", "audiobook"],
            limit=10,
        ),
    ),
    ("users.me", lambda s, i: s.users.me()),
    ("users.get", lambda s, i: s.users.get(i.user)),
    ("users.top", lambda s, i: s.users.top("artists", time_range="short_term")),
    ("users.follow", lambda s, i: s.users.follow([i.user])),
    ("users.is_following", lambda s, i: s.users.is_following([i.user])),
    ("users.unfollow", lambda s, i: s.users.unfollow([i.user])),
    ("playlists.get", lambda s, i: s.playlists.get(i.playlist)),
    ("playlists.change_details", lambda s, i: s.playlists.change_details(i.mine, name="R")),
    ("playlists.tracks", lambda s, i: s.playlists.tracks(i.playlist, limit=5)),
    (
        "playlists.add_tracks",
        lambda s, i: s.playlists.add_tracks(i.mine, [i.track, f"spotify:episode:{i.episode}"]),
    ),
    (
        "playlists.reorder_tracks",
        lambda s, i: s.playlists.reorder_tracks(i.mine, range_start=0, insert_before=2),
    ),
    ("playlists.remove_tracks", lambda s, i: s.playlists.remove_tracks(i.mine, [i.track])),
    ("playlists.items", lambda s, i: s.playlists.items(i.mine)),
    ("playlists.add_items", lambda s, i: s.playlists.add_items(i.mine, [i.track2], position=0)),
    (
        "playlists.reorder_items",
        lambda s, i: s.playlists.reorder_items(i.mine, range_start=1, insert_before=0),
    ),
    ("playlists.remove_items", lambda s, i: s.playlists.remove_items(i.mine, [i.track2])),
    ("playlists.replace_items", lambda s, i: s.playlists.replace_items(i.mine, [i.track])),
    ("playlists.replace_tracks", lambda s, i: s.playlists.replace_tracks(i.mine, [i.track2])),
    ("playlists.saved", lambda s, i: s.playlists.saved()),
    ("playlists.create", lambda s, i: s.playlists.create("New", public=False)),
    ("playlists.create_for_user", lambda s, i: s.playlists.create_for_user(i.me, "Old")),
    ("playlists.user_playlists", lambda s, i: s.playlists.user_playlists(i.user)),
    ("playlists.follow", lambda s, i: s.playlists.follow(i.playlist)),
    ("playlists.is_following", lambda s, i: s.playlists.is_following(i.playlist)),
    ("playlists.unfollow", lambda s, i: s.playlists.unfollow(i.playlist)),
    ("playlists.featured", lambda s, i: s.playlists.featured()),
    ("playlists.upload_cover_image", lambda s, i: s.playlists.upload_cover_image(i.mine, JPEG)),
    ("playlists.cover_image", lambda s, i: s.playlists.cover_image(i.mine)),
    ("categories.browse", lambda s, i: s.categories.browse(limit=5)),
    ("categories.get", lambda s, i: s.categories.get("party")),
    ("categories.playlists", lambda s, i: s.categories.playlists("party")),
    (
        "library.save",
        lambda s, i: s.library.save([f"spotify:track:{i.track}", f"spotify:artist:{i.artist2}"]),
    ),
    ("library.contains", lambda s, i: s.library.contains([f"spotify:track:{i.track}"])),
    ("library.remove", lambda s, i: s.library.remove([f"spotify:track:{i.track}"])),
    ("player.state", lambda s, i: s.player.state()),
    ("player.currently_playing", lambda s, i: s.player.currently_playing()),
    ("player.devices", lambda s, i: s.player.devices()),
    ("player.transfer", lambda s, i: s.player.transfer(i.device)),
    (
        "player.play",
        lambda s, i: s.player.play(context_uri=f"spotify:album:{i.album}", offset=1),
    ),
    ("player.add_to_queue", lambda s, i: s.player.add_to_queue(f"spotify:track:{i.track}")),
    ("player.queue", lambda s, i: s.player.queue()),
    ("player.next", lambda s, i: s.player.next()),
    ("player.previous", lambda s, i: s.player.previous()),
    ("player.seek", lambda s, i: s.player.seek(25000)),
    ("player.repeat", lambda s, i: s.player.repeat("context")),
    ("player.volume", lambda s, i: s.player.volume(42)),
    ("player.shuffle", lambda s, i: s.player.shuffle(True)),
    # Read again while playing: `item`, `context` and `progress_ms` are no longer null.
    ("player.state", lambda s, i: s.player.state()),
    ("player.currently_playing", lambda s, i: s.player.currently_playing()),
    ("player.pause", lambda s, i: s.player.pause()),
    ("player.recently_played", lambda s, i: s.player.recently_played(limit=5)),
]

#: Annotations that say nothing about the answer: a method still returning one of these is
#: not annotated yet.
UNTYPED = {"Any", "JSON", "dict[str, Any]", "list[dict[str, Any]]", "dict[str, Any] | None"}


def bound(spotify: trio_spotify.Spotify, name: str) -> Any:
    target: Any = spotify
    for part in name.split("."):
        target = getattr(target, part)
    return target


def declared(spotify: trio_spotify.Spotify, name: str) -> Any:
    """The return annotation of `spotify.<name>`, resolved."""
    method = bound(spotify, name)
    function = getattr(method, "__func__", None) or type(method).__call__
    return typing.get_type_hints(function)["return"]


def untyped(hint: Any) -> bool:
    """Whether `hint` is `Any`, a bare JSON dict, or a list/union of them."""
    if hint is Any:
        return True
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is dict:
        return True
    if args and origin is not typing.Literal:
        return any(untyped(a) for a in args if a is not type(None))
    return False


@attrs.define
class Checked:
    failures: list[str] = attrs.Factory(list)
    methods: set[str] = attrs.Factory(set)


async def run_cases(emulator: SpotifyEmulator, *, skip: set[str]) -> Checked:
    checked = Checked()
    ids = Ids.of(emulator)
    async with open_emulator_client(emulator) as spotify:
        for name, invoke in CASES:
            if name in skip:
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                answer = await invoke(spotify, ids)
            hint = declared(spotify, name)
            checked.methods.add(name)
            if untyped(hint):
                checked.failures.append(f"{name}: not annotated (returns {hint!r})")
                continue
            try:
                pydantic.TypeAdapter(hint).validate_python(answer, strict=True)
            except pydantic.ValidationError as error:
                checked.failures.append(f"{name} -> {hint!r}:\n{error}")
    return checked


def test_the_cases_call_every_public_method() -> None:
    assert {name for name, _ in CASES} == {call.method_name for call in CALLS}
    assert {call.operation_id for call in CALLS} == set(OPERATIONS)
    assert len(OPERATIONS) == 96


async def test_every_answer_in_extended_mode_matches_its_declared_type() -> None:
    checked = await run_cases(SpotifyEmulator(mode="extended", clock=trio.current_time), skip=set())
    assert len(checked.methods) == 101
    assert checked.failures == [], "\n\n".join(checked.failures)


def _deprecated_methods() -> set[str]:
    return {c.method_name for c in CALLS if OPERATIONS[c.operation_id].deprecated}


async def test_every_answer_in_development_mode_matches_its_declared_type() -> None:
    skip = _deprecated_methods()
    checked = await run_cases(
        SpotifyEmulator(mode="development", clock=trio.current_time), skip=skip
    )
    assert checked.methods, "no current method was called"
    assert checked.failures == [], "\n\n".join(checked.failures)


@pytest.mark.parametrize(
    ("hint", "expected"),
    [
        (Any, True),
        (dict[str, Any], True),
        (list[dict[str, Any] | None], True),
        (dict[str, Any] | None, True),
        (list[bool], False),
        (None, False),
        (trio_spotify.types.Album | None, False),
        (list[trio_spotify.types.Album | None], False),
    ],
)
def test_untyped_tells_a_bare_json_annotation_from_a_precise_one(hint: Any, expected: bool) -> None:
    assert untyped(hint) is expected
