"""Helpers shared by the command line's tests: `trio-spotify crawl` run in-process against
the emulator, and what a complete crawl of its catalog writes."""

from __future__ import annotations

import io
import json
from typing import Any

from trio_spotify._cli import build_parser
from trio_spotify._cli import crawl as crawl_cli
from trio_spotify.testing import CatalogSize, SpotifyEmulator

SMALL = CatalogSize(artists=6, albums_per_artist=23, max_tracks_per_album=12, playlists=8)


def emulator(**kwargs: Any) -> SpotifyEmulator:
    """An emulator of the `SMALL` catalog unless `catalog_size` says otherwise."""
    kwargs.setdefault("catalog_size", SMALL)
    return SpotifyEmulator(**kwargs)


def artist_id(emu: SpotifyEmulator, index: int) -> str:
    return emu.catalog.id_of(1, index)


def discography(emu: SpotifyEmulator, index: int) -> tuple[set[str], set[str]]:
    """The album IDs and track IDs of artist `index`, from the catalog itself."""
    catalog = emu.catalog
    albums: set[str] = set()
    tracks: set[str] = set()
    for album in catalog.artist_albums(index):
        albums.add(catalog.id_of(2, album))
        tracks.update(catalog.id_of(3, t) for t in catalog.album_tracks(album))
    return albums, tracks


class Result:
    """A crawl's exit code, standard output (the JSON Lines) and standard error."""

    def __init__(self, code: int, out: bytes, err: str) -> None:
        self.code = code
        self.out = out
        self.err = err

    @property
    def records(self) -> list[dict[str, Any]]:
        return parse_jsonl(self.out)


def parse_jsonl(data: bytes) -> list[dict[str, Any]]:
    """Every line must be a whole JSON object with kind, id, context and data."""
    assert data == b"" or data.endswith(b"\n"), "the output ends in a partial line"
    records = []
    for line in data.decode("utf-8").splitlines():
        record = json.loads(line)
        assert isinstance(record, dict)
        assert isinstance(record["kind"], str)
        assert isinstance(record["id"], str)
        assert "context" in record
        assert "data" in record
        records.append(record)
    return records


async def crawl(*argv: str, emu: SpotifyEmulator | None = None, **kwargs: Any) -> Result:
    """`trio-spotify crawl *argv`, in this process (`emu` is the emulator to crawl)."""
    args = build_parser().parse_args(["crawl", *argv])
    out, err = io.BytesIO(), io.StringIO()
    code = await crawl_cli.run(args, stdout=out, stderr=err, emulator=emu, **kwargs)
    return Result(code, out.getvalue(), err.getvalue())


def keys(records: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(r["kind"], r["id"]) for r in records]


def playlist_uris(emu: SpotifyEmulator, playlist_id: str) -> list[str]:
    """The URIs of the items of one of the emulator's playlists, in order."""
    playlist = emu.playlist(playlist_id)
    assert playlist is not None, playlist_id
    return [entry.uri for entry in playlist.entries]
