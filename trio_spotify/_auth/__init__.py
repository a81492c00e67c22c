"""Authentication: access tokens, the strategies that obtain them, and user sign-in.

The package sits below the request handler: the handler asks a `TokenManager` for the
token to send, and nothing here knows about endpoints, the handler or the facade. It
imports only `trio_spotify._config`, `trio_spotify._errors` and its own modules, which
depend on each other one way (each line imports only the lines above it):

    _scopes          Scope, scope_set: validated scope names
    _redirect        RedirectURI, parse_redirect_uri: Spotify's redirect-URI rules
    _token           Token: the immutable access-token value
    _store           TokenStore, MemoryTokenStore, FileTokenStore: tokens between runs
    _token_endpoint  AccountsService: the client of the accounts service's `/api/token`
    _credentials     TokenRenewer, TokenAdopter, ClientCredentials, read_env: what renews a token
    _manager         TokenManager: the client's current token, renewed single-flight;
                     RenewalOutcomes, shared with trio_spotify.redis
    _authorize       sans-IO sign-in: the authorize URL, state, PKCE, parsing a redirect
    _flows           AuthorizationCode, PKCE: the user sign-in strategies (token I/O)
    _receiver        RedirectReceiver: the loopback HTTP server that receives a redirect
    _login           login(): one interactive sign-in, with the browser and the receiver

The rest of the package imports these names from here, never from the modules above.
"""

from ._authorize import AuthorizationRequest as AuthorizationRequest
from ._authorize import code_challenge as code_challenge
from ._authorize import make_code_verifier as make_code_verifier
from ._credentials import ClientCredentials as ClientCredentials
from ._credentials import TokenAdopter as TokenAdopter
from ._credentials import TokenRenewer as TokenRenewer
from ._credentials import read_env as read_env
from ._flows import PKCE as PKCE
from ._flows import AuthorizationCode as AuthorizationCode
from ._flows import SignInOptions as SignInOptions
from ._flows import UserSignIn as UserSignIn
from ._login import login as login
from ._manager import RenewalOutcomes as RenewalOutcomes
from ._manager import TokenManager as TokenManager
from ._redirect import RedirectURI as RedirectURI
from ._redirect import parse_redirect_uri as parse_redirect_uri
from ._scopes import Scope as Scope
from ._scopes import ScopeArgument as ScopeArgument
from ._scopes import missing_scopes as missing_scopes
from ._scopes import scope_set as scope_set
from ._store import FileTokenStore as FileTokenStore
from ._store import MemoryTokenStore as MemoryTokenStore
from ._store import TokenStore as TokenStore
from ._token import Token as Token
from ._token_endpoint import AccountsService as AccountsService

__all__ = [
    "PKCE",
    "AccountsService",
    "AuthorizationCode",
    "AuthorizationRequest",
    "ClientCredentials",
    "FileTokenStore",
    "MemoryTokenStore",
    "RedirectURI",
    "RenewalOutcomes",
    "Scope",
    "ScopeArgument",
    "SignInOptions",
    "Token",
    "TokenManager",
    "TokenAdopter",
    "TokenRenewer",
    "TokenStore",
    "UserSignIn",
    "code_challenge",
    "login",
    "make_code_verifier",
    "missing_scopes",
    "parse_redirect_uri",
    "read_env",
    "scope_set",
]
