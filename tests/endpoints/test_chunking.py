"""Lists of any length are split to Spotify's per-operation maximum.

Reads go out concurrently under the client's limiter and merge in input order (``None``
kept); writes go out one after the other, in order; a failing chunk raises its own error.
"""

from __future__ import annotations

import math
import random

import httpx
import pytest
import trio
import trio.testing
from helpers.fakes import Recorder, Seen, json_response, make_id, open_client

import trio_spotify

P = "3cEYpjA9oz9GiPac4AsH4n"


def unknown(track_id: str) -> bool:
    return track_id.endswith("0") or track_id.endswith("7")


async def tracks_with_nulls(request: httpx.Request, seen: Seen) -> httpx.Response:
    await trio.sleep(1)
    return json_response(200, {"tracks": [None if unknown(i) else {"id": i} for i in seen.ids]})


async def test_10000_track_ids_cost_exactly_200_concurrent_requests_merged_in_order(
    autojump_clock: trio.testing.MockClock,
) -> None:
    ids = [make_id(n) for n in range(10_000)]
    recorder = Recorder(respond=tracks_with_nulls)
    async with open_client(recorder, max_concurrency=32) as spotify:
        start = trio.current_time()
        with pytest.deprecated_call():
            tracks = await spotify.tracks.get_several(ids)
        elapsed = trio.current_time() - start
    assert len(recorder.seen) == 200
    assert all(len(seen.ids) == 50 for seen in recorder.seen)
    assert sorted(i for seen in recorder.seen for i in seen.ids) == sorted(ids)
    assert len(tracks) == 10_000
    assert [t["id"] if t else None for t in tracks] == [None if unknown(i) else i for i in ids]
    assert tracks.count(None) == sum(unknown(i) for i in ids) > 0
    # 200 one-second requests, 32 at a time: 7 rounds, not 200 seconds.
    assert recorder.peak == 32
    assert elapsed == pytest.approx(math.ceil(200 / 32))


async def test_order_is_kept_when_chunks_complete_out_of_order(
    autojump_clock: trio.testing.MockClock,
) -> None:
    rng = random.Random(4)

    async def shuffled(request: httpx.Request, seen: Seen) -> httpx.Response:
        await trio.sleep(rng.uniform(0.1, 5))
        return json_response(200, {"albums": [{"id": i} for i in seen.ids]})

    ids = [make_id(n, "A") for n in range(45)]
    recorder = Recorder(respond=shuffled)
    async with open_client(recorder) as spotify:
        with pytest.deprecated_call():
            albums = await spotify.albums.get_several(ids)
    assert sorted(len(seen.ids) for seen in recorder.seen) == [5, 20, 20]
    assert [album["id"] if album else None for album in albums] == ids


@pytest.mark.parametrize(
    ("method", "count", "sizes"),
    [
        ("several_audio_features", 250, [100, 100, 50]),
        ("contains", 120, [50, 50, 20]),
    ],
)
async def test_batch_limits_per_operation(method: str, count: int, sizes: list[int]) -> None:
    ids = [make_id(n) for n in range(count)]
    recorder = Recorder()
    async with open_client(recorder) as spotify:
        with pytest.deprecated_call():
            result = await getattr(spotify.tracks, method)(ids)
    assert sorted(len(seen.ids) for seen in recorder.seen) == sorted(sizes)
    assert len(result) == count


async def test_library_contains_splits_uris_by_40_and_merges_booleans_in_order() -> None:
    uris = [f"spotify:track:{make_id(n)}" for n in range(100)]

    async def answer(request: httpx.Request, seen: Seen) -> httpx.Response:
        await trio.lowlevel.checkpoint()
        return json_response(200, [uri.endswith(("1", "3", "5")) for uri in seen.ids])

    recorder = Recorder(respond=answer)
    async with open_client(recorder) as spotify:
        found = await spotify.library.contains(uris)
    assert sorted(len(seen.ids) for seen in recorder.seen) == [20, 40, 40]
    assert found == [uri.endswith(("1", "3", "5")) for uri in uris]


async def test_a_failing_chunk_raises_its_own_error_and_cancels_the_others(
    autojump_clock: trio.testing.MockClock,
) -> None:
    ids = [make_id(n) for n in range(500)]
    finished = 0

    async def one_fails(request: httpx.Request, seen: Seen) -> httpx.Response:
        nonlocal finished
        if ids[100] in seen.ids:
            await trio.sleep(1)
            return json_response(400, {"error": {"status": 400, "message": "invalid id"}})
        await trio.sleep(10)
        finished += 1
        return json_response(200, {"tracks": [{"id": i} for i in seen.ids]})

    recorder = Recorder(respond=one_fails)
    async with open_client(recorder) as spotify:
        start = trio.current_time()
        with pytest.deprecated_call(), pytest.raises(trio_spotify.BadRequest) as info:
            await spotify.tracks.get_several(ids)
        assert trio.current_time() - start == pytest.approx(1)
    assert type(info.value) is trio_spotify.BadRequest  # not an ExceptionGroup
    assert finished == 0
    assert len(recorder.seen) == 10


async def test_writes_go_out_one_chunk_at_a_time_in_order(
    autojump_clock: trio.testing.MockClock,
) -> None:
    ids = [make_id(n) for n in range(120)]
    recorder = Recorder(latency=1)
    async with open_client(recorder) as spotify:
        with pytest.deprecated_call():
            await spotify.tracks.save(ids)
        with pytest.deprecated_call():
            await spotify.shows.remove(ids[:60])
    saves = recorder.seen[:3]
    assert [seen.body["ids"] for seen in saves] == [ids[:50], ids[50:100], ids[100:]]
    assert recorder.peak == 1
    assert [seen.at for seen in saves] == [0, 1, 2]
    assert [seen.ids for seen in recorder.seen[3:]] == [ids[:50], ids[50:60]]


async def test_library_save_and_remove_chunk_uris_by_40_in_order() -> None:
    uris = [f"spotify:album:{make_id(n)}" for n in range(85)]
    recorder = Recorder()
    async with open_client(recorder) as spotify:
        await spotify.library.save(uris)
        await spotify.library.remove(uris[:41])
    assert [seen.method for seen in recorder.seen] == ["PUT"] * 3 + ["DELETE"] * 2
    assert [seen.ids for seen in recorder.seen[:3]] == [uris[:40], uris[40:80], uris[80:]]
    assert [seen.ids for seen in recorder.seen[3:]] == [uris[:40], uris[40:41]]


async def test_playlist_additions_keep_the_users_order_and_advance_the_position() -> None:
    uris = [f"spotify:track:{make_id(n)}" for n in range(250)]
    recorder = Recorder()
    async with open_client(recorder) as spotify:
        answer = await spotify.playlists.add_items(P, uris, position=10)
        await spotify.playlists.add_items(P, uris[:150])
    first = recorder.seen[:3]
    assert [seen.body["uris"] for seen in first] == [uris[:100], uris[100:200], uris[200:]]
    assert [seen.body["position"] for seen in first] == [10, 110, 210]
    assert ["position" in seen.body for seen in recorder.seen[3:]] == [False, False]
    assert answer == {"snapshot_id": "snap"}


async def test_replacing_more_than_100_items_replaces_then_appends_in_order() -> None:
    uris = [f"spotify:episode:{make_id(n)}" for n in range(230)]
    recorder = Recorder()
    async with open_client(recorder) as spotify:
        await spotify.playlists.replace_items(P, uris)
    assert [seen.method for seen in recorder.seen] == ["PUT", "POST", "POST"]
    assert [seen.body["uris"] for seen in recorder.seen] == [uris[:100], uris[100:200], uris[200:]]


async def test_removing_items_passes_each_snapshot_on_to_the_next_chunk() -> None:
    counter = 0

    async def snapshots(request: httpx.Request, seen: Seen) -> httpx.Response:
        nonlocal counter
        counter += 1
        await trio.lowlevel.checkpoint()
        return json_response(200, {"snapshot_id": f"snap{counter}"})

    uris = [f"spotify:track:{make_id(n)}" for n in range(201)]
    recorder = Recorder(respond=snapshots)
    async with open_client(recorder) as spotify:
        answer = await spotify.playlists.remove_items(P, uris, snapshot_id="snap0")
    assert [seen.body["snapshot_id"] for seen in recorder.seen] == ["snap0", "snap1", "snap2"]
    assert [len(seen.body["items"]) for seen in recorder.seen] == [100, 100, 1]
    assert recorder.seen[2].body["items"] == [{"uri": uris[200]}]
    assert answer == {"snapshot_id": "snap3"}


async def test_an_answer_with_the_wrong_number_of_results_is_a_decode_error() -> None:
    async def short(request: httpx.Request, seen: Seen) -> httpx.Response:
        await trio.lowlevel.checkpoint()
        return json_response(200, {"tracks": [{"id": i} for i in seen.ids[:-1]]})

    async with open_client(Recorder(respond=short)) as spotify:
        with (
            pytest.deprecated_call(),
            pytest.raises(trio_spotify.ResponseDecodeError, match="answered 2 IDs with 1 results"),
        ):
            await spotify.tracks.get_several([make_id(1), make_id(2)])


async def test_cancelling_a_chunked_read_cancels_every_chunk(
    autojump_clock: trio.testing.MockClock,
) -> None:
    recorder = Recorder(latency=10)
    async with open_client(recorder) as spotify:
        with trio.move_on_after(1) as scope, pytest.deprecated_call():
            await spotify.tracks.get_several([make_id(n) for n in range(500)])
        assert scope.cancelled_caught
        assert trio.current_time() == pytest.approx(1)
        assert recorder.in_flight == 0
    assert len(recorder.seen) == 10
