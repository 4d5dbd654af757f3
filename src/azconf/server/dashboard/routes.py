"""The dashboard's HTTP surface: the page, its two static files, and a small JSON API behind a session.

``GET /`` is the page (plain HTML + one vanilla-JS file, no build step, nothing from the network);
``/dashboard/api/*`` answers it. Reads need a session; every POST but sign-in also needs the CSRF
token; writes also need a session whose token may write that environment. Errors are JSON, as
everywhere in the service.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from azconf.server.dashboard import changes, session, stale, views
from azconf.server.responses import JSON, ApiError
from azconf.server.service import Service, service_of
from azconf.server.source import Served

STATIC = {"app.js": "text/javascript", "app.css": "text/css"}
# Only this origin's own files run or load; no inline script, no framing (clickjacking a toggle).
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@dataclass
class Dashboard:
    """The dashboard's own state: sessions, and the served environments in promotion-chain order."""

    sessions: session.Sessions = field(default_factory=session.Sessions)
    chain: list[str] | None = None


def routes() -> list[BaseRoute]:
    """Every dashboard route (at the root, whatever environments are served)."""
    api = "/dashboard/api"
    return [
        Route("/", page, methods=["GET"]),
        Route("/dashboard/static/{name}", static, methods=["GET"]),
        Route(f"{api}/session", current_session, methods=["GET"]),
        Route(f"{api}/signin", sign_in, methods=["POST"]),
        Route(f"{api}/signout", sign_out, methods=["POST"]),
        Route(f"{api}/flags", flags, methods=["GET"]),
        Route(f"{api}/flags/{{name}}", flag, methods=["GET"]),
        Route(f"{api}/flags/{{name}}/evaluate", evaluate, methods=["POST"]),
        Route(f"{api}/plan", plan, methods=["POST"]),
        Route(f"{api}/apply", apply, methods=["POST"]),
        Route(f"{api}/stale", stale_view, methods=["GET"]),
        Route(f"{api}/alerts", alerts, methods=["GET"]),
        Route(f"{api}/events", events, methods=["GET"]),
    ]


def _file(name: str) -> bytes:
    return resources.files("azconf.server.dashboard").joinpath("static", name).read_bytes()


async def page(request: Request) -> Response:
    """The dashboard page."""
    return Response(_file("index.html"), media_type="text/html", headers=SECURITY_HEADERS)


async def static(request: Request) -> Response:
    """app.js and app.css (nothing else: no path reaches the file system)."""
    name = request.path_params["name"]
    if name not in STATIC:
        raise ApiError(404, "NOT_FOUND", f"no file {name}")
    return Response(_file(name), media_type=STATIC[name], headers=SECURITY_HEADERS)


def _state(request: Request) -> Dashboard:
    found: Dashboard = request.app.state.dashboard
    return found


def _chain(service: Service, state: Dashboard) -> list[str]:
    """The served environments in the manifest's promotion order (the table's column order)."""
    if state.chain is None:
        from azconf.config.project import load_project

        project, _ = load_project(service.settings.project_root)
        order = project.manifest.environments if project else []
        served = service.settings.envs
        state.chain = [e for e in order if e in served] + [e for e in served if e not in order]
    return state.chain


def _session(request: Request) -> session.Session:
    found = _state(request).sessions.find(request)
    if found is None:
        raise ApiError(401, "UNAUTHORIZED", "sign in with a token first")
    return found


def _readable(request: Request, who: session.Session) -> dict[str, Served]:
    """What the session may see: each readable environment's served config, in chain order."""
    service = service_of(request)
    chain = _chain(service, _state(request))
    served = {env: service.source.current(env) for env in chain if who.may_read(env)}
    return {env: s for env, s in served.items() if s is not None}


def _session_body(request: Request, who: session.Session) -> dict[str, Any]:
    service = service_of(request)
    envs = list(_readable(request, who))
    writable = [] if service.settings.from_history else [e for e in envs if who.may_write(e)]
    return {"actor": who.actor, "csrf": who.csrf, "envs": envs, "write": writable}


async def current_session(request: Request) -> Response:
    """Who is signed in; without a tokens file (an open, loopback-only service) a session is opened."""
    found = _state(request).sessions.find(request)
    if found is None and not service_of(request).guard.tokens:
        return _opened(request, None)
    if found is None:
        raise ApiError(401, "UNAUTHORIZED", "sign in with a token first")
    return JSON(_session_body(request, found))


async def sign_in(request: Request) -> Response:
    """``{"token": "..."}`` -> a session cookie (the token itself is never stored or echoed)."""
    service = service_of(request)
    body = await _body(request)
    presented = body.get("token")
    token = service.guard.tokens.find(presented) if isinstance(presented, str) and presented else None
    if service.guard.tokens and token is None:
        service.guard.failed(request)
        raise ApiError(401, "UNAUTHORIZED", "unknown token")
    return _opened(request, token)


def _opened(request: Request, token: Any) -> Response:
    session_id, who = _state(request).sessions.open(token)
    response = JSON(_session_body(request, who))
    session.set_cookie(response, session_id, secure=request.url.scheme == "https")
    return response


async def sign_out(request: Request) -> Response:
    """Forget the session and its cookie."""
    session.check_csrf(request, _session(request))
    _state(request).sessions.close(request)
    response = JSON({"signedOut": True})
    response.delete_cookie(session.COOKIE, path="/")
    return response


async def flags(request: Request) -> Response:
    """The flags table: every flag, a cell per readable environment."""
    table = views.flags_table(_readable(request, _session(request)), dt.date.today())
    return JSON(table)


async def flag(request: Request) -> Response:
    """One flag: definition, readable targeting, provenance and history per environment."""
    served = _readable(request, _session(request))
    service = service_of(request)
    settings = service.settings
    # Through the service's kept parses: a file the service (or an earlier page) parsed is not parsed again.
    project = await asyncio.to_thread(_project, settings.project_root, service.source.parsed)
    name = request.path_params["name"]
    detail = await asyncio.to_thread(views.flag_detail, project, served, name, settings.db)
    if detail is None:
        raise ApiError(404, "FLAG_NOT_FOUND", f'no flag "{request.path_params["name"]}"')
    return JSON(detail)


async def evaluate(request: Request) -> Response:
    """``{"context": {...}}`` -> value, variant and reason in every readable environment."""
    who = _session(request)
    session.check_csrf(request, who)
    context = (await _body(request)).get("context", {})
    if not isinstance(context, dict):
        raise ApiError(400, "INVALID_CONTEXT", "context must be a JSON object")
    return JSON({"results": views.evaluate(_readable(request, who), request.path_params["name"], context)})


async def plan(request: Request) -> Response:
    """The plan of a change: the text diff of each file, the changed paths, any validation problems."""
    change, served, _ = await _writable_change(request)
    settings = service_of(request).settings
    parsed = service_of(request).source.parsed
    return JSON(await asyncio.to_thread(changes.plan_change, settings, served, change, parsed))


async def apply(request: Request) -> Response:
    """Carry a planned change out (``etag``: the plan's), recorded with the session's token as actor."""
    change, served, who = await _writable_change(request)
    service = service_of(request)
    etag = request.state.body.get("etag")
    if not isinstance(etag, str):
        raise ApiError(428, "PRECONDITION_REQUIRED", "send the plan's etag")
    parsed = service.source.parsed
    async with service.source.writing():
        outcome = await asyncio.to_thread(
            lambda: changes.apply_change(service.settings, served, change, etag, who.actor, parsed=parsed)
        )
        await service.source.written(outcome, served)  # served (and announced) before answering
        # What the page needs to show the write without reading the whole table again: the rows of
        # the flags it names, and the ETag they were read from (the one the change stream announces).
        now = _readable(request, who)
        rows = views.flag_rows(now, sorted(change.flags), dt.date.today())
    return JSON(
        {
            "env": change.env,
            "version": outcome.version.ref if outcome.version else None,
            "files": outcome.files,
            "changes": [c.dotted for c in outcome.changes],
            "etags": {env: now[env].etag for env in (change.env,) if env in now},
            "rows": rows,
        }
    )


async def _writable_change(request: Request) -> tuple[changes.Change, Served, session.Session]:
    """The change a POST asks for, once the session, CSRF token and write scope are checked."""
    who = _session(request)
    session.check_csrf(request, who)
    service = service_of(request)
    if service.settings.from_history:
        raise ApiError(405, "READ_ONLY", "serving recorded versions (--from): writes are off")
    body = await _body(request)
    request.state.body = body
    change = changes.parse_change(body, _chain(service, _state(request)))
    if not who.may_write(change.env):
        raise ApiError(403, "FORBIDDEN", f'token "{who.actor}" may not write "{change.env}"')
    served = service.source.current(change.env)
    if served is None:
        raise ApiError(503, "NOT_READY", f'"{change.env}" has no valid config loaded')
    return change, served, who


async def stale_view(request: Request) -> Response:
    """Flags to clean up, with the action for each (``?days=N`` for "unchanged for N days")."""
    served = _readable(request, _session(request))
    days_text = request.query_params.get("days")
    if days_text is not None and not days_text.isdigit():
        raise ApiError(400, "INVALID_REQUEST", "days must be a whole number")
    settings = service_of(request).settings
    project = await asyncio.to_thread(_project, settings.project_root)
    now = dt.datetime.now(dt.UTC)
    days = int(days_text) if days_text is not None else None
    return JSON(await asyncio.to_thread(stale.stale_flags, project, served, days, settings.db, now))


async def alerts(request: Request) -> Response:
    """The open health alerts."""
    _session(request)
    settings = service_of(request).settings
    project = await asyncio.to_thread(_project, settings.project_root)
    return JSON({"alerts": await asyncio.to_thread(views.alerts, project, settings.db)})


async def events(request: Request) -> Response:
    """An SSE stream of every served environment's changes (the cookie authenticates it)."""
    _session(request)
    service = service_of(request)
    if service.events.closed:
        raise ApiError(503, "SHUTTING_DOWN", "the service is stopping", headers={"Retry-After": "1"})
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(service.events.stream("*"), media_type="text/event-stream", headers=headers)


def _project(root: Any, parsed: Any = None) -> Any:
    from azconf.edit.transaction import fresh_project

    return fresh_project(root, parsed)


async def _body(request: Request) -> dict[str, Any]:
    try:
        body = orjson.loads(await request.body() or b"{}")
    except orjson.JSONDecodeError:
        raise ApiError(400, "INVALID_REQUEST", "the request body is not JSON") from None
    if not isinstance(body, dict):
        raise ApiError(400, "INVALID_REQUEST", "the request body must be a JSON object")
    return body
