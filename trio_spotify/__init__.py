"""trio_spotify: a Trio-native client for the Spotify Web API.

    async with trio_spotify.open_spotify(trio_spotify.ClientCredentials(id, secret)) as spotify:
        track = await spotify.request("GET", "/tracks/11dFghVXANMlKmJXsNCbNl")

Everything public is re-exported here from private modules; `trio_spotify.testing` holds
the emulator of Spotify.
"""

import contextlib as _contextlib

from ._auth import PKCE as PKCE
from ._auth import AccountsService as AccountsService
from ._auth import AuthorizationCode as AuthorizationCode
from ._auth import AuthorizationRequest as AuthorizationRequest
from ._auth import ClientCredentials as ClientCredentials
from ._auth import FileTokenStore as FileTokenStore
from ._auth import MemoryTokenStore as MemoryTokenStore
from ._auth import RedirectURI as RedirectURI
from ._auth import Scope as Scope
from ._auth import Token as Token
from ._auth import TokenAdopter as TokenAdopter
from ._auth import TokenRenewer as TokenRenewer
from ._auth import TokenStore as TokenStore
from ._auth import login as login
from ._auth import parse_redirect_uri as parse_redirect_uri
from ._auth import scope_set as scope_set
from ._client import Spotify as Spotify
from ._client import open_spotify as open_spotify
from ._config import DEFAULT_ACCOUNTS_URL as DEFAULT_ACCOUNTS_URL
from ._config import DEFAULT_API_URL as DEFAULT_API_URL
from ._config import RetryPolicy as RetryPolicy
from ._coordination import Coordinator as Coordinator
from ._coordination import LocalCoordinator as LocalCoordinator
from ._errors import AuthenticationError as AuthenticationError
from ._errors import AuthorizationDenied as AuthorizationDenied
from ._errors import AuthorizationDeniedError as AuthorizationDeniedError
from ._errors import AuthorizationError as AuthorizationError
from ._errors import BadRequest as BadRequest
from ._errors import BadRequestError as BadRequestError
from ._errors import ClientClosedError as ClientClosedError
from ._errors import Forbidden as Forbidden
from ._errors import ForbiddenError as ForbiddenError
from ._errors import InvalidGrant as InvalidGrant
from ._errors import InvalidGrantError as InvalidGrantError
from ._errors import InvalidRedirectURI as InvalidRedirectURI
from ._errors import InvalidRedirectURIError as InvalidRedirectURIError
from ._errors import MissingScope as MissingScope
from ._errors import MissingScopeError as MissingScopeError
from ._errors import NetworkError as NetworkError
from ._errors import NotFound as NotFound
from ._errors import NotFoundError as NotFoundError
from ._errors import RateLimitError as RateLimitError
from ._errors import RateLimitExceeded as RateLimitExceeded
from ._errors import RedisUnavailableError as RedisUnavailableError
from ._errors import RequestTimeout as RequestTimeout
from ._errors import RequestTimeoutError as RequestTimeoutError
from ._errors import ResponseDecodeError as ResponseDecodeError
from ._errors import ServerError as ServerError
from ._errors import SignInRequired as SignInRequired
from ._errors import SignInRequiredError as SignInRequiredError
from ._errors import SpotifyAPIError as SpotifyAPIError
from ._errors import SpotifyError as SpotifyError
from ._errors import StateMismatch as StateMismatch
from ._errors import StateMismatchError as StateMismatchError
from ._errors import TokenExpired as TokenExpired
from ._errors import TokenExpiredError as TokenExpiredError
from ._errors import TokenStoreError as TokenStoreError
from ._handler import SpotifyStatistics as SpotifyStatistics
from ._ids import SpotifyID as SpotifyID
from ._ids import parse_id as parse_id
from ._ids import parse_uri as parse_uri
from ._ids import to_uri as to_uri
from ._ids import to_url as to_url
from ._version import __version__ as __version__

__all__ = [
    "AccountsService",
    "AuthenticationError",
    "AuthorizationCode",
    "AuthorizationDenied",
    "AuthorizationDeniedError",
    "AuthorizationError",
    "AuthorizationRequest",
    "BadRequest",
    "BadRequestError",
    "ClientClosedError",
    "ClientCredentials",
    "Coordinator",
    "DEFAULT_ACCOUNTS_URL",
    "DEFAULT_API_URL",
    "FileTokenStore",
    "Forbidden",
    "ForbiddenError",
    "InvalidGrant",
    "InvalidGrantError",
    "InvalidRedirectURI",
    "InvalidRedirectURIError",
    "LocalCoordinator",
    "MemoryTokenStore",
    "MissingScope",
    "MissingScopeError",
    "NetworkError",
    "NotFound",
    "NotFoundError",
    "PKCE",
    "RateLimitError",
    "RateLimitExceeded",
    "RedisUnavailableError",
    "RedirectURI",
    "RequestTimeout",
    "RequestTimeoutError",
    "ResponseDecodeError",
    "RetryPolicy",
    "Scope",
    "ServerError",
    "SignInRequired",
    "SignInRequiredError",
    "Spotify",
    "SpotifyAPIError",
    "SpotifyError",
    "SpotifyID",
    "SpotifyStatistics",
    "StateMismatch",
    "StateMismatchError",
    "Token",
    "TokenExpired",
    "TokenExpiredError",
    "TokenAdopter",
    "TokenRenewer",
    "TokenStore",
    "TokenStoreError",
    "__version__",
    "login",
    "open_spotify",
    "parse_id",
    "parse_redirect_uri",
    "parse_uri",
    "scope_set",
    "to_uri",
    "to_url",
]

# Exceptions and classes say they come from the package, not from a private module.
for _name in __all__:
    _obj = globals()[_name]
    if getattr(_obj, "__module__", "").startswith("trio_spotify._"):
        with _contextlib.suppress(AttributeError, TypeError):
            _obj.__module__ = "trio_spotify"
del _name, _obj, _contextlib
