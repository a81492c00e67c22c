"""Endpoint methods: argument checks before any request, MissingScope, deprecation warnings,
and the per-group behaviours the recording-transport table does not cover."""

from __future__ import annotations

import re
import sys
import typing
import warnings
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
import trio
from helpers.calls import AR, JPEG, A, P, T
from helpers.fakes import Recorder, Seen, json_response, open_client

import trio_spotify
from trio_spotify._endpoints._base import Group
from trio_spotify._endpoints.artists import IncludeGroup
from trio_spotify._endpoints.search import SearchType
from trio_spotify._operations import INCLUDE_GROUPS, SEARCH_TYPES

Bad = Callable[[trio_spotify.Spotify], Awaitable[Any]]

BAD_CALLS: list[tuple[str, Bad, str]] = [
    ("invalid track ID", lambda s: s.tracks.get("not-an-id"), "'not-an-id'"),
    ("album URI to tracks.get", lambda s: s.tracks.get(f"spotify:album:{A}"), "names an album"),
    (
        "limit too high",
        lambda s: s.albums.tracks(A, limit=51),
        "limit must be an integer from 1 to 50, not 51",
    ),
    ("limit zero", lambda s: s.playlists.items(P, limit=0), "not 0"),
    ("artist albums limit 11", lambda s: s.artists.albums(AR, limit=11), "from 1 to 10, not 11"),
    ("search limit 11", lambda s: s.search("q", types="track", limit=11), "from 0 to 10, not 11"),
    ("search offset 1001", lambda s: s.search("q", types="track", offset=1001), "at most 1000"),
    ("negative offset", lambda s: s.albums.saved(offset=-1), "not -1"),
    ("empty ID list", lambda s: s.tracks.get_several([]), "ids must not be empty"),
    ("empty URI list", lambda s: s.library.save([]), "uris must not be empty"),
    (
        "one bad ID among many",
        lambda s: s.tracks.get_several([T, T, "x" * 21]),
        "'" + "x" * 21 + "'",
    ),
    ("bare ID to library", lambda s: s.library.contains([T]), "bare ID"),
    ("market", lambda s: s.tracks.get(T, market="Germany"), "'Germany'"),
    (
        "search type",
        lambda s: s.search("q", types=["song"]),  # type: ignore[list-item]
        "['song']",
    ),
    ("empty query", lambda s: s.search("", types="track"), "q must be a non-empty string"),
    (
        "cover too big",
        lambda s: s.playlists.upload_cover_image(P, JPEG + b"\0" * 200_000),
        "Spotify accepts at most 262144",
    ),
    ("cover not a JPEG", lambda s: s.playlists.upload_cover_image(P, b"\x89PNG...."), "JPEG"),
    ("volume", lambda s: s.player.volume(101), "volume_percent must be from 0 to 100, not 101"),
    ("repeat state", lambda s: s.player.repeat("all"), "'all'"),  # type: ignore[arg-type]
    ("too many seeds", lambda s: s.tracks.recommendations(seed_genres=list("abcdef")), "not 6"),
    (
        "unknown tunable",
        lambda s: s.tracks.recommendations(seed_genres=["a"], attributes={"max_vibe": 1}),
        "'max_vibe'",
    ),
    ("playlist position", lambda s: s.playlists.add_items(P, [T], position=-2), "not -2"),
    (
        "episode URI where playlist item kinds",
        lambda s: s.playlists.add_items(P, [f"spotify:album:{A}"]),
        "names an album",
    ),
    ("no playlist changes", lambda s: s.playlists.change_details(P), "at least one"),
    ("top type", lambda s: s.users.top("genres"), "'genres'"),  # type: ignore[call-overload]
    (
        "include_groups",
        lambda s: s.artists.albums(AR, include_groups=["ep"]),  # type: ignore[list-item]
        "['ep']",
    ),
    ("user id with slash", lambda s: s.users.get("a/b"), "'a/b'"),
]


@pytest.mark.parametrize(("why", "call", "named"), BAD_CALLS, ids=[b[0] for b in BAD_CALLS])
async def test_bad_arguments_raise_value_error_naming_the_value_and_send_nothing(
    why: str, call: Bad, named: str
) -> None:
    recorder = Recorder()
    async with open_client(recorder) as spotify:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            with pytest.raises(ValueError, match=re.escape(named)):
                await call(spotify)
    assert recorder.seen == []


async def test_a_single_string_where_a_list_belongs_is_a_type_error() -> None:
    recorder = Recorder()
    async with open_client(recorder) as spotify:
        with pytest.raises(TypeError, match="not a single string"):
            await spotify.library.save(f"spotify:track:{T}")  # a str is an Iterable[str]
        with pytest.raises(TypeError, match="not a single string"):
            await spotify.tracks.contains(T)
    assert recorder.seen == []


def forbidden(status: int = 403) -> Callable[[httpx.Request, Seen], Awaitable[httpx.Response]]:
    async def respond(request: httpx.Request, seen: Seen) -> httpx.Response:
        await trio.lowlevel.checkpoint()
        return json_response(
            status, {"error": {"status": status, "message": "Insufficient client scope"}}
        )

    return respond


async def test_forbidden_with_a_token_lacking_the_scope_becomes_missing_scope() -> None:
    recorder = Recorder(respond=forbidden())
    async with open_client(recorder, scope="user-read-private") as spotify:
        with pytest.raises(trio_spotify.MissingScope) as info:
            await spotify.player.pause()
    error = info.value
    assert isinstance(error, trio_spotify.Forbidden)
    assert error.required == {"user-modify-playback-state"}
    assert error.granted == {"user-read-private"}
    assert error.status == 403
    assert error.method == "PUT"
    assert "user-modify-playback-state" in str(error)
    assert type(error.__cause__) is trio_spotify.Forbidden


async def test_one_of_alternative_scopes_is_enough_so_forbidden_stays_forbidden() -> None:
    recorder = Recorder(respond=forbidden())
    async with open_client(recorder, scope="playlist-modify-private") as spotify:
        with pytest.raises(trio_spotify.Forbidden) as info:
            await spotify.playlists.add_items(P, [T])
    assert type(info.value) is trio_spotify.Forbidden


async def test_a_missing_scope_among_alternatives_names_them_all() -> None:
    recorder = Recorder(respond=forbidden())
    async with open_client(recorder, scope="ugc-image-upload") as spotify:
        with pytest.raises(trio_spotify.MissingScope) as info:
            await spotify.playlists.upload_cover_image(P, JPEG)
    assert "playlist-modify-private, playlist-modify-public" in str(info.value)


async def test_forbidden_on_an_operation_without_scopes_stays_forbidden() -> None:
    recorder = Recorder(respond=forbidden())
    async with open_client(recorder) as spotify:
        with pytest.raises(trio_spotify.Forbidden) as info:
            await spotify.tracks.get(T)
    assert type(info.value) is trio_spotify.Forbidden


async def test_missing_scope_also_comes_out_of_concurrent_chunks_unwrapped() -> None:
    recorder = Recorder(respond=forbidden())
    async with open_client(recorder) as spotify:
        with pytest.raises(trio_spotify.MissingScope):
            await spotify.library.contains([f"spotify:track:{T}"] * 100)


async def test_deprecation_warning_points_at_the_callers_line_and_names_the_replacement() -> None:
    recorder = Recorder()
    async with open_client(recorder) as spotify:
        with pytest.warns(
            DeprecationWarning, match=r"use spotify\.library\.save instead"
        ) as caught:
            await spotify.albums.save([A])
        with pytest.warns(DeprecationWarning, match="has no replacement") as caught2:
            await spotify.markets.available()
        with pytest.warns(DeprecationWarning, match=r"spotify\.playlists\.items") as caught3:
            await spotify.playlists.tracks(P)
    for record in (*caught, *caught2, *caught3):
        assert record.filename == __file__


async def test_deprecation_warning_skips_every_frame_of_the_package_whatever_the_depth() -> None:
    """The warning points at the first frame outside `trio_spotify`, not a fixed depth.

    `wrapped` runs as package code (its module is `trio_spotify._extra_frames`), so
    between this test and the endpoint method lie one or two more frames of the package
    than a direct call has; a fixed `stacklevel` would point into them.
    """
    namespace: dict[str, Any] = {"__name__": "trio_spotify._extra_frames"}
    exec(
        "async def inner(spotify, call):\n"
        "    return await call(spotify)\n"
        "async def wrapped(spotify, call):\n"
        "    return await inner(spotify, call)\n",
        namespace,
    )
    wrapped = namespace["wrapped"]
    recorder = Recorder()
    async with open_client(recorder) as spotify:
        calls: list[Callable[[trio_spotify.Spotify], Awaitable[Any]]] = [
            lambda s: s.albums.save([A]),  # _chunked_write
            lambda s: s.albums.get_several([A]),  # _chunked_read
            lambda s: s.markets.available(),  # _call
            lambda s: s.playlists.remove_tracks(P, [T]),  # a playlist helper, then a chunk helper
        ]
        for call in calls:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                line = sys._getframe().f_lineno + 1
                await wrapped(spotify, call)
            assert [(w.category, w.filename, w.lineno) for w in caught] == [
                (DeprecationWarning, __file__, line)
            ]


async def test_player_state_is_none_when_nothing_plays() -> None:
    async def nothing(request: httpx.Request, seen: Seen) -> httpx.Response:
        await trio.lowlevel.checkpoint()
        return httpx.Response(204)

    async with open_client(Recorder(respond=nothing)) as spotify:
        assert await spotify.player.state() is None
        assert await spotify.player.currently_playing() is None


async def test_play_sends_track_uris_and_an_offset_uri() -> None:
    recorder = Recorder()
    async with open_client(recorder) as spotify:
        await spotify.player.play(uris=[T, f"https://open.spotify.com/episode/{A}"], offset=T)
        with pytest.raises(ValueError, match="not both"):
            await spotify.player.play(uris=[T], context_uri=f"spotify:album:{A}")
    assert recorder.seen[0].body == {
        "uris": [f"spotify:track:{T}", f"spotify:episode:{A}"],
        "offset": {"uri": f"spotify:track:{T}"},
    }
    assert len(recorder.seen) == 1


async def test_playlist_follow_check_returns_a_list_of_bools_and_cover_a_list() -> None:
    async with open_client(Recorder()) as spotify:
        with pytest.deprecated_call():
            assert await spotify.playlists.is_following(P) == [True]
        images = await spotify.playlists.cover_image(f"https://open.spotify.com/playlist/{P}")
    assert images[0]["height"] == 300


async def test_a_cover_of_exactly_256_kb_encoded_is_accepted() -> None:
    raw = JPEG + b"\0" * (196_608 - len(JPEG))  # 196,608 raw bytes = 262,144 in Base64
    recorder = Recorder()
    async with open_client(recorder) as spotify:
        await spotify.playlists.upload_cover_image(P, raw)
        with pytest.raises(ValueError, match="262148"):
            await spotify.playlists.upload_cover_image(P, raw + b"\0")
    assert len(recorder.seen[0].content) == 262_144
    assert len(recorder.seen) == 1


async def test_groups_have_a_readable_repr() -> None:
    async with open_client(Recorder()) as spotify:
        assert repr(spotify.tracks) == "<trio_spotify tracks endpoints>"


async def test_groups_hold_the_sender_never_the_facade() -> None:
    """Data flows one way: every group sends through the handler, not through `Spotify`."""
    async with open_client(Recorder()) as spotify:
        groups = [value for value in vars(spotify).values() if isinstance(value, Group)]
        assert len(groups) == 15
        for group in groups:
            assert group._sender is spotify._handler
            assert not any(value is spotify for value in vars(group).values())


def test_the_choice_types_are_the_tables_choices() -> None:
    assert typing.get_args(SearchType) == SEARCH_TYPES
    assert typing.get_args(IncludeGroup) == INCLUDE_GROUPS


NOT_INTEGERS: list[tuple[str, Bad, str]] = [
    (
        "volume float",
        lambda s: s.player.volume(50.5),  # type: ignore[arg-type]
        "volume_percent must be an integer, not 50.5",
    ),
    (
        "seek float",
        lambda s: s.player.seek(1.5),  # type: ignore[arg-type]
        "position_ms must be an integer, not 1.5",
    ),
    (
        "play position_ms float",
        lambda s: s.player.play(position_ms=2.5),  # type: ignore[arg-type]
        "position_ms must be an integer, not 2.5",
    ),
    (
        "play offset bool",
        lambda s: s.player.play(uris=[T], offset=True),
        "offset must be an integer, not True",
    ),
    (
        "after float",
        lambda s: s.player.recently_played(after=1.5),  # type: ignore[arg-type]
        "after must be an integer, not 1.5",
    ),
    (
        "before bool",
        lambda s: s.player.recently_played(before=True),
        "before must be an integer, not True",
    ),
    (
        "limit float",
        lambda s: s.player.recently_played(limit=20.0),  # type: ignore[arg-type]
        "limit must be an integer, not 20.0",
    ),
    ("limit bool", lambda s: s.albums.saved(limit=True), "limit must be an integer, not True"),
    (
        "offset float",
        lambda s: s.albums.saved(offset=1.5),  # type: ignore[arg-type]
        "offset must be an integer, not 1.5",
    ),
    (
        "position float",
        lambda s: s.playlists.add_items(P, [T], position=1.5),  # type: ignore[arg-type]
        "position must be an integer, not 1.5",
    ),
    (
        "range_length float",
        lambda s: s.playlists.reorder_items(P, range_start=0, insert_before=2, range_length=2.0),  # type: ignore[arg-type]
        "range_length must be an integer, not 2.0",
    ),
    (
        "range_start bool",
        lambda s: s.playlists.reorder_items(P, range_start=False, insert_before=2),
        "range_start must be an integer, not False",
    ),
    (
        "insert_before str",
        lambda s: s.playlists.reorder_items(P, range_start=0, insert_before="2"),  # type: ignore[arg-type]
        "insert_before must be an integer, not '2'",
    ),
]


@pytest.mark.parametrize(("why", "call", "named"), NOT_INTEGERS, ids=[b[0] for b in NOT_INTEGERS])
async def test_every_integer_argument_refuses_floats_and_bools_naming_the_parameter(
    why: str, call: Bad, named: str
) -> None:
    recorder = Recorder()
    async with open_client(recorder) as spotify:
        with pytest.raises(TypeError, match=re.escape(named)):
            await call(spotify)
    assert recorder.seen == []


OUT_OF_RANGE: list[tuple[str, Bad, str]] = [
    (
        "volume negative",
        lambda s: s.player.volume(-1),
        "volume_percent must be from 0 to 100, not -1",
    ),
    (
        "seek negative",
        lambda s: s.player.seek(-5),
        "position_ms must be a non-negative integer, not -5",
    ),
    (
        "after negative",
        lambda s: s.player.recently_played(after=-1),
        "after must be a non-negative integer, not -1",
    ),
    (
        "recently played limit",
        lambda s: s.player.recently_played(limit=51),
        "limit must be an integer from 1 to 50, not 51",
    ),
    (
        "play offset negative",
        lambda s: s.player.play(uris=[T], offset=-1),
        "offset must be a non-negative integer, not -1",
    ),
    (
        "range_length zero",
        lambda s: s.playlists.reorder_items(P, range_start=0, insert_before=2, range_length=0),
        "range_length must be an integer of at least 1, not 0",
    ),
    (
        "insert_before negative",
        lambda s: s.playlists.reorder_items(P, range_start=0, insert_before=-1),
        "insert_before must be a non-negative integer, not -1",
    ),
]


@pytest.mark.parametrize(("why", "call", "named"), OUT_OF_RANGE, ids=[b[0] for b in OUT_OF_RANGE])
async def test_integers_out_of_range_raise_value_error_naming_parameter_and_value(
    why: str, call: Bad, named: str
) -> None:
    recorder = Recorder()
    async with open_client(recorder) as spotify:
        with pytest.raises(ValueError, match=re.escape(named)):
            await call(spotify)
    assert recorder.seen == []


async def test_integer_arguments_within_range_are_sent_as_given() -> None:
    recorder = Recorder()
    async with open_client(recorder) as spotify:
        await spotify.player.volume(0)
        await spotify.player.seek(1500)
        await spotify.player.recently_played(after=1_700_000_000_000, limit=50)
        await spotify.playlists.reorder_items(P, range_start=0, insert_before=3, range_length=2)
    assert recorder.seen[0].params["volume_percent"] == "0"
    assert recorder.seen[1].params["position_ms"] == "1500"
    assert recorder.seen[2].params == {"after": "1700000000000", "limit": "50"}
    assert recorder.seen[3].body == {"range_start": 0, "insert_before": 3, "range_length": 2}


async def test_a_single_choice_string_is_a_one_element_list_for_enumerated_params() -> None:
    recorder = Recorder()
    async with open_client(recorder) as spotify:
        await spotify.artists.albums(AR, include_groups="album")
        await spotify.artists.albums(AR, include_groups=["single", "compilation"])
        await spotify.search("q", types="track")
        await spotify.player.state(additional_types="episode")
        await spotify.playlists.get(P, additional_types="episode")
    assert recorder.seen[0].params["include_groups"] == "album"
    assert recorder.seen[1].params["include_groups"] == "single,compilation"
    assert recorder.seen[2].params["type"] == "track"
    assert recorder.seen[3].params["additional_types"] == "episode"
    assert recorder.seen[4].params["additional_types"] == "episode"


BAD_CHOICES: list[tuple[str, Bad, type[Exception], str]] = [
    (
        "include_groups single bad string",
        lambda s: s.artists.albums(AR, include_groups="ep"),  # type: ignore[arg-type]
        ValueError,
        "include_groups must be one or more of ['album', 'appears_on', 'compilation', "
        "'single'], not 'ep'",
    ),
    (
        "include_groups empty",
        lambda s: s.artists.albums(AR, include_groups=[]),
        ValueError,
        "include_groups must be one or more of",
    ),
    (
        "include_groups not a list",
        lambda s: s.artists.albums(AR, include_groups=5),  # type: ignore[arg-type]
        TypeError,
        "include_groups must be a string or a list of strings, not 5",
    ),
    (
        "search types single bad string",
        lambda s: s.search("q", types="song"),  # type: ignore[arg-type]
        ValueError,
        "types must be one or more of",
    ),
    (
        "additional_types bad",
        lambda s: s.player.currently_playing(additional_types="album"),  # type: ignore[arg-type]
        ValueError,
        "additional_types must be one or more of ['episode', 'track'], not 'album'",
    ),
    (
        "time_range bad",
        lambda s: s.users.top("tracks", time_range="forever"),  # type: ignore[call-overload]
        ValueError,
        "time_range must be one of ['long_term', 'medium_term', 'short_term'], not 'forever'",
    ),
    (
        "repeat state given as a list",
        lambda s: s.player.repeat(["track"]),  # type: ignore[arg-type]
        ValueError,
        "state must be one of ['context', 'off', 'track'], not ['track']",
    ),
]


@pytest.mark.parametrize(
    ("why", "call", "error", "named"), BAD_CHOICES, ids=[b[0] for b in BAD_CHOICES]
)
async def test_enumerated_choices_are_checked_one_way_naming_parameter_and_value(
    why: str, call: Bad, error: type[Exception], named: str
) -> None:
    recorder = Recorder()
    async with open_client(recorder) as spotify:
        with pytest.raises(error, match=re.escape(named)):
            await call(spotify)
    assert recorder.seen == []


async def test_deprecated_playlist_item_methods_warn_once_at_the_callers_line() -> None:
    """The shared helpers warn (the wrappers do not): one warning per call, at this line."""
    recorder = Recorder()
    async with open_client(recorder) as spotify:
        pl = spotify.playlists
        calls: list[tuple[Callable[[], Awaitable[Any]], str]] = [
            (lambda: pl.tracks(P), "get-playlists-tracks"),
            (lambda: pl.add_tracks(P, [T]), "add-tracks-to-playlist"),
            (lambda: pl.replace_tracks(P, [T]), "reorder-or-replace-playlists-tracks"),
            (
                lambda: pl.reorder_tracks(P, range_start=0, insert_before=1),
                "reorder-or-replace-playlists-tracks",
            ),
            (lambda: pl.remove_tracks(P, [T]), "remove-tracks-playlist"),
        ]
        for call, operation_id in calls:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                line = sys._getframe().f_lineno + 1
                await call()
            assert [str(w.message).count(operation_id) for w in caught] == [1]
            # the coroutine runs when awaited, so the warning names the `await call()` line
            assert (caught[0].filename, caught[0].lineno) == (__file__, line)
            assert caught[0].category is DeprecationWarning
        # their current counterparts warn nothing (filterwarnings = error would raise)
        await pl.items(P)
        await pl.add_items(P, [T])
        await pl.replace_items(P, [T])
        await pl.reorder_items(P, range_start=0, insert_before=1)
        await pl.remove_items(P, [T])
    assert len(recorder.seen) == 10


async def test_playlist_is_following_sends_one_user_id_per_request_in_order() -> None:
    async def answer(request: httpx.Request, seen: Seen) -> httpx.Response:
        await trio.lowlevel.checkpoint()
        return json_response(200, [seen.params.get("ids") == "alice"])

    recorder = Recorder(respond=answer)
    async with open_client(recorder) as spotify:
        with pytest.deprecated_call():
            found = await spotify.playlists.is_following(
                P, user_ids=["bob", "alice", "spotify:user:carol"]
            )
        assert found == [False, True, False]
        assert sorted(s.params["ids"] for s in recorder.seen) == ["alice", "bob", "carol"]
        with pytest.raises(TypeError, match="not a single string"):
            await spotify.playlists.is_following(P, user_ids="alice")
        with pytest.raises(ValueError, match="user_ids must not be empty"):
            await spotify.playlists.is_following(P, user_ids=[])
    assert len(recorder.seen) == 3


async def test_playlist_is_following_refuses_an_answer_that_is_not_one_boolean() -> None:
    async def two(request: httpx.Request, seen: Seen) -> httpx.Response:
        await trio.lowlevel.checkpoint()
        return json_response(200, [True, True])

    async with open_client(Recorder(respond=two)) as spotify:
        with pytest.deprecated_call(), pytest.raises(trio_spotify.ResponseDecodeError):
            await spotify.playlists.is_following(P)


async def test_replace_items_clears_with_an_empty_list_and_refuses_a_single_string() -> None:
    recorder = Recorder()
    async with open_client(recorder) as spotify:
        await spotify.playlists.replace_items(P, [])
        await spotify.playlists.replace_items(P, iter([T]))
        with pytest.raises(TypeError, match="not a single string"):
            await spotify.playlists.replace_items(P, f"spotify:track:{T}")
        with pytest.raises(ValueError, match="names an album"):
            await spotify.playlists.replace_items(P, [f"spotify:album:{A}"])
        with pytest.raises(ValueError, match="uris must not be empty"):
            await spotify.playlists.add_items(P, [])
    assert [seen.body for seen in recorder.seen] == [
        {"uris": []},
        {"uris": [f"spotify:track:{T}"]},
    ]


async def test_tracks_save_with_times_sends_timestamped_ids_in_chunks() -> None:
    from datetime import UTC, datetime, timedelta, timezone

    recorder = Recorder()
    ids = [f"{n:022d}" for n in range(120)]
    when = datetime(2023, 1, 15, 14, 30, tzinfo=UTC)
    stamps: dict[str, datetime | str] = {i: when + timedelta(minutes=n) for n, i in enumerate(ids)}
    stamps[ids[1]] = "2023-01-15T16:31:00+01:00"  # a string with its zone is accepted too
    async with open_client(recorder) as spotify:
        with pytest.warns(DeprecationWarning, match="save-tracks-user"):
            await spotify.tracks.save(stamps)
    assert [len(s.body["timestamped_ids"]) for s in recorder.seen] == [50, 50, 20]
    first = recorder.seen[0].body["timestamped_ids"]
    assert first[0] == {"id": ids[0], "added_at": "2023-01-15T14:30:00Z"}
    assert first[1] == {"id": ids[1], "added_at": "2023-01-15T15:31:00Z"}
    sent = [e["id"] for s in recorder.seen for e in s.body["timestamped_ids"]]
    assert sent == ids  # in order, none dropped
    # A time without a zone is refused before anything is sent.
    recorder.seen.clear()
    async with open_client(recorder) as spotify:
        with pytest.raises(ValueError, match="no time zone"):
            await spotify.tracks.save({ids[0]: datetime(2023, 1, 15)})
        with pytest.raises(ValueError, match="not an ISO 8601 time"):
            await spotify.tracks.save({ids[0]: "yesterday"})
        with pytest.raises(ValueError, match="no time zone"):
            await spotify.tracks.save({ids[0]: "2023-01-15T14:30:00"})
        tz = timezone(timedelta(hours=-5))
        with pytest.warns(DeprecationWarning, match="save-tracks-user"):
            await spotify.tracks.save({ids[0]: datetime(2023, 1, 15, 9, 30, tzinfo=tz)})
    assert len(recorder.seen) == 1
    assert recorder.seen[0].body == {
        "timestamped_ids": [{"id": ids[0], "added_at": "2023-01-15T14:30:00Z"}]
    }
