"""Dashboard sign-in: a token once, then an HttpOnly SameSite=Strict session cookie and a CSRF token.

The token is checked against the service's tokens file (the same table the APIs use) and never kept:
a session holds the token's name and scopes only. Every write must echo the session's CSRF token in
``X-CSRF-Token``; SameSite=Strict already keeps other sites' requests cookie-less, and the header makes
a forged form post fail even from a same-site page. Without a tokens file the service is open
(loopback only), so a session is handed out without a token, as the APIs would answer without one.
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from azconf.server.responses import ApiError
from azconf.server.tokens import Token

COOKIE = "azconf_session"
LIFETIME = 8 * 3600.0  # seconds; a working day, then sign in again
MAX_SESSIONS = 10_000  # beyond this the oldest are forgotten (a flood of sign-ins cannot grow memory)


@dataclass(frozen=True)
class Session:
    """One signed-in browser: who (the token's name, None when the service is open) and its CSRF token."""

    actor: str | None
    token: Token | None
    csrf: str
    expires: float

    def may_write(self, env: str) -> bool:
        """Whether this session may change ``env`` (open service: yes)."""
        return self.token is None or self.token.may_write(env)

    def may_read(self, env: str) -> bool:
        """Whether this session may see ``env``."""
        return self.token is None or self.token.may_read(env)


class Sessions:
    """The sessions of this process (a restart signs everyone out, which is fine for a dashboard)."""

    def __init__(self) -> None:
        self.by_id: dict[str, Session] = {}

    def open(self, token: Token | None) -> tuple[str, Session]:
        """A new session for ``token``: its id (the cookie's value) and the session."""
        if len(self.by_id) >= MAX_SESSIONS:
            oldest = min(self.by_id, key=lambda key: self.by_id[key].expires)
            del self.by_id[oldest]
        session_id = secrets.token_urlsafe(32)
        name = token.name if token else None
        session = Session(name, token, secrets.token_urlsafe(32), time.time() + LIFETIME)
        self.by_id[session_id] = session
        return session_id, session

    def find(self, request: Request) -> Session | None:
        """The live session of ``request``'s cookie, if any."""
        session_id = request.cookies.get(COOKIE)
        session = self.by_id.get(session_id) if session_id else None
        if session is None or session.expires < time.time():
            return None
        return session

    def close(self, request: Request) -> None:
        """Forget ``request``'s session (sign-out)."""
        self.by_id.pop(request.cookies.get(COOKIE) or "", None)


def set_cookie(response: Response, session_id: str, secure: bool) -> None:
    """Hand the session to the browser: HttpOnly (no script reads it), SameSite=Strict."""
    response.set_cookie(
        COOKIE, session_id, max_age=int(LIFETIME), httponly=True, samesite="strict", secure=secure, path="/"
    )


def check_csrf(request: Request, session: Session) -> None:
    """403 unless the request carries the session's CSRF token in ``X-CSRF-Token``."""
    presented = request.headers.get("x-csrf-token", "")
    if not hmac.compare_digest(presented.encode(), session.csrf.encode()):
        raise ApiError(403, "CSRF", "missing or wrong CSRF token; reload the page and try again")
