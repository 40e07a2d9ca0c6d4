"""A JWKS client: fetches an issuer's key set over HTTP(S), caches it, and
refetches on an unknown ``kid`` at most once per cooldown period.

HTTP is I/O, not a token check: it is done here with
``urllib.request.urlopen`` (so ``mock.patch("urllib.request.urlopen")`` works
in tests, as with PyJWT). The fetched JSON goes to the core
(``KeySet.from_jwks``), which decides which keys are usable; tokens are then
verified by the core against that set.
"""
import json
import threading
import time
import urllib.error
import urllib.request
from http.client import HTTPException
from urllib.parse import urlparse

from ._cjwt import get_unverified_header
from .api_jwk import PyJWK, PyJWKSet
from .exceptions import DecodeError, PyJWKClientConnectionError, PyJWKClientError
from .jwk_set_cache import JWKSetCache

__all__ = ["JWKSClient", "JWKSClientError", "PyJWKClient"]

JWKSClientError = PyJWKClientError


class _JWKSJSONError(PyJWKClientError, json.JSONDecodeError):
    """The endpoint's answer is not JSON: cjwt's ``PyJWKClientError`` and, as
    PyJWT lets it through, the ``json`` module's ``JSONDecodeError``."""

    def __init__(self, e: json.JSONDecodeError) -> None:
        json.JSONDecodeError.__init__(self, e.msg, e.doc, e.pos)
        self.args = (f"{e} (the JWKS endpoint did not return JSON)",)

    def __str__(self) -> str:
        return str(self.args[0])


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Key sets are taken from the configured URL only: a redirect is an
    error (HTTPError 3xx), not followed (as PyJWT 2.15)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001
        return None


def _urlopen_replaced():
    """Whether ``urllib.request.urlopen`` is not the standard library's own
    function (a ``mock.patch``, autospec'd or not, or any wrapper). Told by
    its code object, not by comparing with the function seen when this module
    was imported: ``cjwt`` imports this module on first use (PEP 562), which
    may happen inside the test's ``mock.patch``."""
    code = getattr(urllib.request.urlopen, "__code__", None)
    return (code is None or code.co_name != "urlopen"
            or code.co_filename != getattr(urllib.request, "__file__", None))


def _open(request, timeout, ssl_context):
    """Opens without following redirects. A test that replaced
    ``urllib.request.urlopen`` (``mock.patch``) gets the call, as documented;
    the answer's URL is then checked instead."""
    if _urlopen_replaced():
        return urllib.request.urlopen(request, timeout=timeout, context=ssl_context)
    handlers = [_NoRedirect()]
    if ssl_context is not None:
        handlers.append(urllib.request.HTTPSHandler(context=ssl_context))
    return urllib.request.build_opener(*handlers).open(request, timeout=timeout)


class JWKSClient:
    """``JWKSClient(url, lifespan=300, timeout=5, cooldown=30, headers=None)``.

    - ``lifespan``: seconds a fetched set is served from the cache.
    - ``cooldown``: minimum seconds between two fetches caused by an unknown
      ``kid`` (every fetch starts it), so a flood of tokens with made-up kids
      cannot hammer the issuer.
    - ``get_signing_key_from_jwt(token)`` -> ``PyJWK``; ``get_signing_key(kid)``;
      ``get_signing_keys()`` -> list of ``PyJWK``; ``get_jwk_set()`` ->
      ``PyJWKSet``; ``get_keyset()`` -> ``cjwt.KeySet`` (pass it to ``decode``).
    - ``fetch_count``: how many HTTP fetches were made (monitoring, tests).
    """

    def __init__(self, url, lifespan=300, timeout=5, cooldown=30, headers=None, *,
                 ssl_context=None, cache_jwk_set=True, clock=time.monotonic):
        scheme = urlparse(url).scheme.lower()
        if scheme not in ("http", "https"):
            raise PyJWKClientError(
                f"Invalid JWKS URI scheme {scheme!r}: only 'http' and 'https' are supported.")
        if cache_jwk_set and not lifespan > 0:
            raise PyJWKClientError(f'Lifespan must be greater than 0, the input is "{lifespan}"')
        if not 0 <= cooldown < float("inf"):
            raise PyJWKClientError(
                f'Cooldown duration must be finite and >= 0, the input is "{cooldown}"')
        self.uri = self.url = url
        self.lifespan = lifespan
        self.timeout = timeout
        self.cooldown = cooldown
        self.headers = dict(headers or {})
        self.ssl_context = ssl_context
        self.cache_jwk_set = cache_jwk_set
        self.fetch_count = 0
        self._clock = clock
        self._lock = threading.RLock()
        # PyJWT's attribute: the cached set (None when caching is off)
        self.jwk_set_cache = JWKSetCache(lifespan, clock) if cache_jwk_set else None
        self._last_fetch = None
        self._fetched = None

    # -- HTTP ---------------------------------------------------------------
    def fetch_data(self):
        """GETs the URL and returns the decoded JSON object (PyJWT's name).

        An answer that came from another URL (a redirect) is refused: key
        sets are taken from the configured URL only."""
        request = urllib.request.Request(self.url, headers=self.headers)
        self.fetch_count += 1
        try:
            with _open(request, self.timeout, self.ssl_context) as r:
                final = getattr(r, "url", None)
                if isinstance(final, str) and final != self.url:
                    raise PyJWKClientConnectionError(
                        f'Fail to fetch data from the url, err: "redirected to {final}"')
                data = json.load(r)
        except (urllib.error.URLError, TimeoutError, HTTPException, OSError) as e:
            if isinstance(e, urllib.error.HTTPError):
                e.close()
            raise PyJWKClientConnectionError(f'Fail to fetch data from the url, err: "{e}"') from e
        except json.JSONDecodeError as e:
            # PyJWT lets the json module's error through: both classes
            raise _JWKSJSONError(e) from e
        except ValueError as e:
            raise PyJWKClientError(f"The JWKS endpoint did not return JSON: {e}") from e
        finally:
            self._last_fetch = self._clock()
        if not isinstance(data, dict):
            raise PyJWKClientError("The JWKS endpoint did not return a JSON object")
        if self.jwk_set_cache is not None:
            # PyJWT: the cache parses the set (and refuses an empty or unusable one)
            self._fetched = (data, PyJWKSet.from_dict(data))
        return data

    def _fetch_set(self):
        self._fetched = None
        data = self.fetch_data()
        if isinstance(data, PyJWKSet):      # a subclass's fetch_data may parse itself
            jwk_set = data
        elif self._fetched is not None and self._fetched[0] is data:
            jwk_set = self._fetched[1]      # parsed by fetch_data already
        else:
            if not isinstance(data, dict):
                raise PyJWKClientError("The JWKS endpoint did not return a JSON object")
            jwk_set = PyJWKSet.from_dict(data)
        if self.jwk_set_cache is not None:
            self.jwk_set_cache.put(jwk_set)
        return jwk_set

    # -- PyJWKClient's API --------------------------------------------------
    def get_jwk_set(self, refresh=False):
        with self._lock:
            if not refresh and self.jwk_set_cache is not None:
                jwk_set = self.jwk_set_cache.get()
                if jwk_set is not None:
                    return jwk_set
            return self._fetch_set()

    def get_keyset(self, refresh=False):
        """The cached set as a ``cjwt.KeySet`` (verification picks by ``kid``)."""
        return self.get_jwk_set(refresh).keyset

    def get_signing_keys(self, refresh=False):
        keys = [k for k in self.get_jwk_set(refresh).keys
                if k.public_key_use in ("sig", None) and k.key_id]
        if not keys:
            raise PyJWKClientError("The JWKS endpoint did not contain any signing keys")
        return keys

    def get_signing_key(self, kid):
        with self._lock:
            key = self._match(self.get_signing_keys(), kid)
            if key is None:
                cooling = (self.cache_jwk_set and self._last_fetch is not None
                           and self._clock() - self._last_fetch < self.cooldown)
                if not cooling:
                    key = self._match(self.get_signing_keys(refresh=True), kid)
            if key is None:
                raise PyJWKClientError(f'Unable to find a signing key that matches: "{kid}"')
            return key

    def get_signing_key_from_jwt(self, token):
        if not isinstance(token, (str, bytes)):     # PyJWT's DecodeError
            raise DecodeError(f"Invalid token type. Token must be a {bytes}")
        return self.get_signing_key(get_unverified_header(token).get("kid"))

    @staticmethod
    def match_kid(signing_keys, kid):
        return JWKSClient._match(signing_keys, kid)

    @staticmethod
    def _match(keys, kid):
        for key in keys:
            if key.key_id == kid:
                return key
        return None


class PyJWKClient(JWKSClient):
    """PyJWT's constructor signature (``uri, cache_keys, max_cached_keys,
    cache_jwk_set, lifespan, headers, timeout, ssl_context, cooldown_duration``)
    over :class:`JWKSClient`. Keys are not cached separately: the set is."""

    def __init__(self, uri, cache_keys=False, max_cached_keys=16, cache_jwk_set=True,
                 lifespan=300, headers=None, timeout=30, ssl_context=None,
                 cooldown_duration=30, **kwargs):
        super().__init__(uri, lifespan=lifespan, timeout=timeout, cooldown=cooldown_duration,
                         headers=headers, ssl_context=ssl_context, cache_jwk_set=cache_jwk_set,
                         **kwargs)

    @property
    def cooldown_duration(self):
        return self.cooldown
