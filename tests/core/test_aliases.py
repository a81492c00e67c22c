"""The names of the first releases keep working: each is the renamed class itself."""

from __future__ import annotations

import pickle

import pytest

import trio_spotify

RENAMED = {
    "AuthorizationDenied": "AuthorizationDeniedError",
    "BadRequest": "BadRequestError",
    "Forbidden": "ForbiddenError",
    "InvalidGrant": "InvalidGrantError",
    "InvalidRedirectURI": "InvalidRedirectURIError",
    "MissingScope": "MissingScopeError",
    "NotFound": "NotFoundError",
    "RateLimitExceeded": "RateLimitError",
    "RequestTimeout": "RequestTimeoutError",
    "SignInRequired": "SignInRequiredError",
    "StateMismatch": "StateMismatchError",
    "TokenExpired": "TokenExpiredError",
}


@pytest.mark.parametrize(("old", "new"), sorted(RENAMED.items()))
def test_the_old_name_is_the_new_class(old: str, new: str) -> None:
    assert old in trio_spotify.__all__
    assert new in trio_spotify.__all__
    assert getattr(trio_spotify, old) is getattr(trio_spotify, new)
    assert getattr(trio_spotify, new).__name__ == new


def test_every_public_exception_name_ends_in_error_unless_it_is_an_alias() -> None:
    for name in trio_spotify.__all__:
        obj = getattr(trio_spotify, name)
        if isinstance(obj, type) and issubclass(obj, BaseException) and name not in RENAMED:
            assert name.endswith("Error"), name


def test_an_error_raised_under_the_new_name_is_caught_under_the_old_one() -> None:
    error = trio_spotify.NotFoundError("no such album", 404, None, "GET", "https://x/v1/a")
    with pytest.raises(trio_spotify.NotFound):
        raise error
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is trio_spotify.NotFoundError
    assert str(copy) == str(error)
