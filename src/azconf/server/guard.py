"""Who is asking, may they, and not too often: authentication, scopes and per-token rate limits.

Tokens come in ``Authorization: Bearer`` or ``X-API-Key``; the SSE stream also takes a read-only token
as ``?token=``, because a browser's EventSource cannot send headers. Without a tokens file the service
is open, which is why it then refuses to listen anywhere but loopback.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from starlette.requests import Request

from azconf.server.responses import ApiError
from azconf.server.tokens import Token, TokenTable


@dataclass(frozen=True)
class Caller:
    """The authenticated caller: its token (None when the service has no tokens)."""

    token: Token | None

    @property
    def actor(self) -> str | None:
        """Who writes are recorded as: the token's name (None: history's usual actor)."""
        return self.token.name if self.token else None

    @property
    def key(self) -> str:
        """The rate limit's bucket name."""
        return f"token:{self.token.name}" if self.token else "anonymous"


class Guard:
    """Authenticates requests against a token table and rate-limits each token."""

    def __init__(self, tokens: TokenTable, rate: float, burst: int) -> None:
        self.tokens = tokens
        self.limiter = RateLimiter(rate, burst)

    def check(self, request: Request, env: str, *, write: bool = False, query_token: bool = False) -> Caller:
        """The caller of ``request`` if it may read (or ``write``) ``env``; raises ApiError otherwise."""
        try:
            caller = self._authenticate(request, query_token)
        except ApiError:
            self.failed(request)
            raise
        if caller.token is not None:
            allowed = caller.token.may_write(env) if write else caller.token.may_read(env)
            if not allowed:
                scope = "write" if write else "read"
                raise ApiError(403, "FORBIDDEN", f'token "{caller.token.name}" may not {scope} "{env}"')
        self._limit(caller.key)
        return caller

    def failed(self, request: Request) -> None:
        """Count a failed sign-in against the client's address: guessing tokens costs time (429)."""
        self._limit(f"address:{request.client.host if request.client else ''}")

    def _limit(self, key: str) -> None:
        wait = self.limiter.take(key)
        if wait > 0:
            seconds = str(max(1, math.ceil(wait)))
            raise ApiError(
                429,
                "RATE_LIMITED",
                f"too many requests; retry in {seconds} s",
                headers={"Retry-After": seconds},
            )

    def _authenticate(self, request: Request, query_token: bool) -> Caller:
        if not self.tokens:
            return Caller(None)
        presented = _presented(request)
        from_query = False
        if presented is None and query_token:
            presented, from_query = request.query_params.get("token"), True
        if not presented:
            raise ApiError(
                401,
                "UNAUTHORIZED",
                "a token is required (Authorization: Bearer or X-API-Key)",
                headers={"WWW-Authenticate": "Bearer"},
            )
        token = self.tokens.find(presented)
        if token is None:
            raise ApiError(401, "UNAUTHORIZED", "unknown token", headers={"WWW-Authenticate": "Bearer"})
        if from_query and not token.read_only:
            # A URL ends up in logs and browser history: only a token that cannot write may ride in one.
            raise ApiError(403, "FORBIDDEN", "only a read-only token may be passed in the URL")
        return Caller(token)


def _presented(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    return request.headers.get("x-api-key") or None


MAX_BUCKETS = 10_000  # beyond this, buckets that have refilled are forgotten (client addresses vary)


class RateLimiter:
    """A token bucket per caller: ``rate`` requests per second, bursts up to ``burst``."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = float(burst)
        self.buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens left, when)

    def take(self, key: str) -> float:
        """Take one request from ``key``'s bucket: 0 if allowed, else the seconds to wait."""
        now = time.monotonic()
        if len(self.buckets) > MAX_BUCKETS:
            self._forget_full(now)
        left, then = self.buckets.get(key, (self.burst, now))
        left = min(self.burst, left + (now - then) * self.rate)
        if left >= 1:
            self.buckets[key] = (left - 1, now)
            return 0.0
        self.buckets[key] = (left, now)
        return (1 - left) / self.rate if self.rate > 0 else 60.0

    def _forget_full(self, now: float) -> None:
        """Drop the buckets that are full again: forgetting them changes nothing."""
        for key, (left, then) in list(self.buckets.items()):
            if left + (now - then) * self.rate >= self.burst:
                del self.buckets[key]
