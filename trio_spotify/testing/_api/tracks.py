"""The emulator's tracks: get one or several, saved tracks, audio features and analysis,
recommendations."""

from __future__ import annotations

import random
from typing import Any

from .._call import ApiHandler, Call
from .._catalog import API, Catalog
from .._reply import Reply, bad_request
from .._vocabulary import GENRES
from ._factories import get_one, get_several, saved_change, saved_contains, saved_list

__all__ = ["HANDLERS"]


def _features(catalog: Catalog, index: int) -> dict[str, Any]:
    """The audio features of track `index`, drawn from the seed."""
    track = catalog.simple_track(index)
    rng = random.Random(f"{catalog.seed}/features/{index}")
    return {
        "acousticness": round(rng.random(), 3),
        "analysis_url": f"{API}/audio-analysis/{track['id']}",
        "danceability": round(rng.random(), 3),
        "duration_ms": track["duration_ms"],
        "energy": round(rng.random(), 3),
        "id": track["id"],
        "instrumentalness": round(rng.random(), 3),
        "key": rng.randint(-1, 11),
        "liveness": round(rng.random(), 3),
        "loudness": round(rng.uniform(-30, 0), 2),
        "mode": rng.randint(0, 1),
        "speechiness": round(rng.random(), 3),
        "tempo": round(rng.uniform(60, 180), 2),
        "time_signature": rng.choice((3, 4, 4, 5)),
        "track_href": f"{API}/tracks/{track['id']}",
        "type": "audio_features",
        "uri": track["uri"],
        "valence": round(rng.random(), 3),
    }


def _one_features(call: Call) -> Reply:
    ref = call.resolve(call.path("id"), "track")
    return 200, _features(call.catalog, ref.index)


def _analysis(call: Call) -> Reply:
    ref = call.resolve(call.path("id"), "track")
    catalog = call.catalog
    features = _features(catalog, ref.index)
    rng = random.Random(f"{catalog.seed}/analysis/{ref.index}")
    duration = features["duration_ms"] / 1000
    beat = 60 / features["tempo"]
    beats = [
        {
            "start": round(i * beat, 3),
            "duration": round(beat, 3),
            "confidence": round(rng.random(), 3),
        }
        for i in range(int(duration / beat))
    ]
    bars = beats[::4]
    sections = [
        {
            "start": round(s * duration / 4, 3),
            "duration": round(duration / 4, 3),
            "confidence": 1.0,
            "loudness": features["loudness"],
            "tempo": features["tempo"],
            "tempo_confidence": 0.8,
            "key": max(features["key"], 0),
            "key_confidence": 0.5,
            "mode": features["mode"],
            "mode_confidence": 0.5,
            "time_signature": features["time_signature"],
            "time_signature_confidence": 1.0,
        }
        for s in range(4)
    ]
    segments = [
        {
            "start": b["start"],
            "duration": b["duration"],
            "confidence": b["confidence"],
            "loudness_start": -30.0,
            "loudness_max": -10.0,
            "loudness_max_time": 0.05,
            "loudness_end": -40.0,
            "pitches": [round(rng.random(), 3) for _ in range(12)],
            "timbre": [round(rng.uniform(-100, 100), 2) for _ in range(12)],
        }
        for b in beats[:64]
    ]
    return 200, {
        "meta": {
            "analyzer_version": "4.0.0",
            "platform": "Linux",
            "detailed_status": "OK",
            "status_code": 0,
            "timestamp": 1700000000,
            "analysis_time": 1.0,
            "input_process": "libvorbisfile L+R 44100->22050",
        },
        "track": {
            # Every key of the definition's `AudioAnalysisObject.track`, as Spotify sends.
            "num_samples": int(duration * 22050),
            "duration": duration,
            "sample_md5": "",
            "offset_seconds": 0,
            "window_seconds": 0,
            "analysis_sample_rate": 22050,
            "analysis_channels": 1,
            "end_of_fade_in": 0.0,
            "start_of_fade_out": round(max(duration - 5.0, 0.0), 3),
            "loudness": features["loudness"],
            "tempo": features["tempo"],
            "tempo_confidence": 0.73,
            "time_signature": features["time_signature"],
            "time_signature_confidence": 0.994,
            "key": features["key"],
            "key_confidence": 0.408,
            "mode": features["mode"],
            "mode_confidence": 0.485,
            "codestring": "eJxVnAmS5DgOBL-ST-B9_P9jK4",
            "code_version": 3.15,
            "echoprintstring": "eJzFnQuS5DiOBL-ST-B9_P9jK4",
            "echoprint_version": 4.12,
            "synchstring": "eJx1mIlx7ToORFNxCNwX5Z_YoBtkvVp",
            "synch_version": 1.0,
            "rhythmstring": "eJyNV1mOHCEMvUqOAJh9Of_FYhs",
            "rhythm_version": 1.0,
        },
        "bars": bars,
        "beats": beats,
        "sections": sections,
        "segments": segments,
        "tatums": beats,
    }


def _recommendations(call: Call) -> Reply:
    catalog = call.catalog
    seeds: list[dict[str, Any]] = []
    for param, kind in (
        ("seed_artists", "artist"),
        ("seed_tracks", "track"),
        ("seed_genres", "genre"),
    ):
        raw = call.query.get(param) or ""
        for value in (v for v in raw.split(",") if v):
            if kind == "genre":
                if value not in GENRES:
                    raise bad_request(f"Invalid genre seed: {value}")
                href = None
            else:
                call.resolve(value, kind)
                href = f"{API}/{kind}s/{value}"
            seeds.append(
                {
                    "afterFilteringSize": 250,
                    "afterRelinkingSize": 250,
                    "href": href,
                    "id": value,
                    "initialPoolSize": 250,
                    "type": kind.upper(),
                }
            )
    if not 1 <= len(seeds) <= 5:
        raise bad_request("Between 1 and 5 seeds (artists, genres and tracks) are required")
    limit = call.limit()
    rng = random.Random(f"{catalog.seed}/recommend/{','.join(s['id'] for s in seeds)}")
    tracks = [catalog.track(catalog.track_at(rng.randrange(10**6))) for _ in range(limit)]
    return 200, {"seeds": seeds, "tracks": tracks}


HANDLERS: dict[str, ApiHandler] = {
    "get-track": get_one("track"),
    "get-several-tracks": get_several("track", "tracks"),
    "get-users-saved-tracks": saved_list("track", "track", Catalog.track),
    "save-tracks-user": saved_change("track", save=True, timestamped=True),
    "remove-tracks-user": saved_change("track", save=False),
    "check-users-saved-tracks": saved_contains("track"),
    "get-several-audio-features": get_several("track", "audio_features", _features),
    "get-audio-features": _one_features,
    "get-audio-analysis": _analysis,
    "get-recommendations": _recommendations,
}
