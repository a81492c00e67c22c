"""`trio-spotify crawl` takes its facts from the operations table: every batch size, page
size and search cap, the scopes a user's token must hold, the search types and album groups.

Each test changes a row (`monkeypatch.setitem(OPERATIONS, ...)`) and checks that the crawl's
requests change with it, so a constant of the CLI's own that disagrees with the table fails.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import attrs
import httpx
import pytest
from helpers.cli import artist_id, crawl, discography, emulator, playlist_uris

from trio_spotify import FileTokenStore, Token
from trio_spotify._cli import build_parser
from trio_spotify._cli._crawl_client import needed_scopes
from trio_spotify._cli._crawler import KIND_OPERATIONS, LIBRARY_KINDS
from trio_spotify._operations import INCLUDE_GROUPS, OPERATIONS, SEARCH_TYPES
from trio_spotify.testing import SpotifyEmulator


def change_row(monkeypatch: pytest.MonkeyPatch, operation_id: str, **changes: Any) -> None:
    """Give the table's row of `operation_id` other values, for this test only."""
    monkeypatch.setitem(OPERATIONS, operation_id, attrs.evolve(OPERATIONS[operation_id], **changes))


def pages(items: int, size: int) -> int:
    return -(-items // size)


def record_batches(emu: SpotifyEmulator) -> dict[str, list[int]]:
    """How many IDs each request to `/v1/albums` and `/v1/tracks` carried, by path."""
    sizes: dict[str, list[int]] = {"/v1/albums": [], "/v1/tracks": []}
    app = emu.app

    async def recording_app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] in sizes:
            ids = parse_qs(scope["query_string"].decode())["ids"][0]
            sizes[scope["path"]].append(len(ids.split(",")))
        await app(scope, receive, send)

    emu.app = recording_app  # type: ignore[assignment]
    return sizes


async def test_album_and_track_batches_follow_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    change_row(monkeypatch, "get-multiple-albums", batch=7)
    change_row(monkeypatch, "get-several-tracks", batch=13)
    change_row(monkeypatch, "get-an-artists-albums", limit_range=(1, 4))
    emu = emulator()
    sizes = record_batches(emu)
    result = await crawl("--emulator", "artist", artist_id(emu, 2), emu=emu)
    assert result.code == 0, result.err
    albums, tracks = discography(emu, 2)
    assert len(result.records) == 1 + len(albums) + len(tracks)
    # Every batch is full but the last one: the crawl's batches are the rows' (the client
    # splitting a longer list of the crawl's own would leave several short requests).
    for path, batch, wanted in (("/v1/albums", 7, albums), ("/v1/tracks", 13, tracks)):
        assert sorted(sizes[path], reverse=True) == [batch] * (len(wanted) // batch) + (
            [len(wanted) % batch] if len(wanted) % batch else []
        ), path
    assert emu.counters.requests["get-an-artists-albums"] == pages(len(albums), 4)


def test_the_help_states_the_tables_batch_sizes_and_search_cap(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from trio_spotify._cli import main

    change_row(monkeypatch, "get-multiple-albums", batch=7)
    change_row(monkeypatch, "get-several-tracks", batch=13)
    change_row(monkeypatch, "search", limit_range=(0, 5), max_offset=40)
    for argv in (["crawl", "artist", "--help"], ["crawl", "search", "--help"]):
        with pytest.raises(SystemExit):
            main(argv)
    text = " ".join(capsys.readouterr().out.split())
    assert "full objects, 7 per request" in text
    assert "full objects, 13 per request" in text
    assert "offsets up to 40 with pages of 5, so at most 45 results" in text
    assert "default and cap: 45" in text


async def test_page_sizes_follow_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    change_row(monkeypatch, "get-playlists-items", limit_range=(1, 7))
    change_row(monkeypatch, "get-users-saved-tracks", limit_range=(1, 3))
    change_row(monkeypatch, "get-users-saved-albums", limit_range=(1, 2))
    emu = emulator()
    playlist = emu.catalog.id_of(8, 1)
    total = len(playlist_uris(emu, playlist))
    result = await crawl("--emulator", "playlist", playlist, emu=emu)
    assert result.code == 0, result.err
    assert len(result.records) == 1 + total
    assert emu.counters.requests["get-playlists-items"] == pages(total, 7)

    state = emu.user(emu.user_id)
    library = await crawl("--emulator", "library", "tracks", "albums", emu=emu)
    assert library.code == 0, library.err
    for kind, size in (("track", 3), ("album", 2)):
        saved = len(state.saved_of(kind))
        assert saved > size  # several pages
        assert emu.counters.requests[f"get-users-saved-{kind}s"] == pages(saved, size)


async def test_the_search_cap_follows_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    from trio_spotify.testing import CatalogSize

    change_row(monkeypatch, "search", limit_range=(0, 5), max_offset=40)
    emu = emulator(catalog_size=CatalogSize())  # many matches
    result = await crawl("--emulator", "search", "a", "--type", "track", emu=emu)
    assert result.code == 0, result.err
    assert [r["position"] for r in result.records] == list(range(45))  # offsets 0..40, pages of 5
    assert emu.counters.requests["search"] == 9


def test_user_token_scopes_are_the_rows_scopes(monkeypatch: pytest.MonkeyPatch) -> None:
    def scopes(*argv: str) -> frozenset[str]:
        args = build_parser().parse_args(["crawl", *argv])
        if args.kind == "library":
            args.targets = args.targets or ["tracks"]
        return needed_scopes(args)

    assert scopes("playlist", "x") == {"playlist-read-private"}
    assert scopes("followed") == {"user-follow-read"}
    assert scopes("library") == {"user-library-read"}
    assert scopes("library", "episodes") == {"user-library-read", "user-read-playback-position"}
    assert scopes("library", "playlists") == {"playlist-read-private"}
    assert scopes("library", "tracks", "playlists") == {
        "user-library-read",
        "playlist-read-private",
    }
    assert scopes("artist", "x") == scopes("search", "q") == frozenset()
    change_row(monkeypatch, "get-followed", scopes=(frozenset({"user-follow-modify"}),))
    assert scopes("followed") == {"user-follow-modify"}


@pytest.mark.parametrize(
    "argv",
    [
        ["artist", "0"],
        ["playlist", "1"],
        ["library", *LIBRARY_KINDS],
        ["followed"],
        ["search", "a", "--type", "track", "--type", "album", "--max", "30"],
    ],
    ids=lambda argv: argv[0],
)
@pytest.mark.parametrize("mode", ["extended", "development"])
async def test_each_kind_calls_only_the_operations_it_declares(argv: list[str], mode: str) -> None:
    emu = emulator(mode=mode)
    kind, *rest = argv
    if kind == "artist":
        rest = [artist_id(emu, int(rest[0]))]
    elif kind == "playlist":
        rest = [emu.catalog.id_of(8, int(rest[0]))]
    result = await crawl("--emulator", "-q", kind, *rest, emu=emu)
    assert result.records
    called = {op for op, count in emu.counters.requests.items() if count}
    assert called
    assert called <= set(KIND_OPERATIONS[kind]), sorted(called - set(KIND_OPERATIONS[kind]))
    if kind == "library":
        assert set(KIND_OPERATIONS[kind]) == {k.operation_id for k in LIBRARY_KINDS.values()}
    for operation_id in KIND_OPERATIONS[kind]:
        assert operation_id in OPERATIONS


def test_search_types_and_album_groups_are_the_tables(capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser()
    for search_type in SEARCH_TYPES:
        assert parser.parse_args(["crawl", "search", "q", "--type", search_type]).types == [
            search_type
        ]
    groups = ",".join(INCLUDE_GROUPS)
    args = parser.parse_args(["crawl", "artist", "x", "--include-groups", groups])
    assert args.include_groups == list(INCLUDE_GROUPS)
    with pytest.raises(SystemExit):
        parser.parse_args(["crawl", "artist", "x", "--include-groups", "album,bootleg"])
    assert groups.replace(",", ", ") in capsys.readouterr().err


# -- credentials from the environment (ClientCredentials.from_env, PKCE.from_env) -------------


async def test_pkce_sign_in_is_restored_without_a_secret_or_redirect_uri(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    emu = emulator()
    monkeypatch.setenv("SPOTIFY_CLIENT_ID", emu.client_id)
    monkeypatch.delenv("SPOTIFY_CLIENT_SECRET", raising=False)
    monkeypatch.delenv("SPOTIFY_REDIRECT_URI", raising=False)
    tokens = tmp_path / "tokens.json"
    common = [
        "--api-url",
        "http://emulator.test/v1",
        "--accounts-url",
        "http://emulator.test",
        "--token-file",
        str(tokens),
    ]
    transport = httpx.ASGITransport(app=emu.app)

    app = await crawl(*common, "--auth", "app", "artist", artist_id(emu, 0), transport=transport)
    assert app.code == 2
    assert app.err.strip() == "trio-spotify crawl: error: --auth app needs SPOTIFY_CLIENT_SECRET"

    nobody = await crawl(*common, "followed", transport=transport)
    assert nobody.code == 2
    assert f"no usable sign-in for {emu.client_id}/default" in nobody.err
    assert "trio-spotify login --scope user-follow-read" in nobody.err

    token = Token(
        emu.issue_access_token(["user-follow-read"]),
        expires_at=time.time() + 3600,
        scope=frozenset({"user-follow-read"}),
    )
    await FileTokenStore(tokens).save(f"{emu.client_id}/default", token)
    result = await crawl(*common, "followed", transport=transport)
    assert result.code == 0, result.err
    assert {r["id"] for r in result.records} == set(emu.user(emu.user_id).followed_artists)
    assert emu.counters.tokens_by_grant == {"direct": 1}


async def test_a_bad_redirect_uri_is_a_usage_error_only_for_a_sign_in(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    emu = emulator()
    monkeypatch.setenv("SPOTIFY_CLIENT_ID", emu.client_id)
    monkeypatch.setenv("SPOTIFY_CLIENT_SECRET", emu.client_secret)
    monkeypatch.setenv("SPOTIFY_REDIRECT_URI", "http://localhost:8888/callback")
    common = ["--api-url", "http://emulator.test/v1", "--accounts-url", "http://emulator.test"]
    transport = httpx.ASGITransport(app=emu.app)
    user = await crawl(
        *common, "--token-file", str(tmp_path / "t.json"), "followed", transport=transport
    )
    assert user.code == 2
    assert len(user.err.strip().splitlines()) == 1
    assert "localhost" in user.err
    app = await crawl(*common, "artist", artist_id(emu, 0), transport=transport)
    assert app.code == 0, app.err  # the app's credentials need no redirect URI
    assert emu.counters.tokens_by_grant == {"client_credentials": 1}
