"""Run the service on uvicorn: check the settings, load the config, serve until SIGTERM or Ctrl-C.

A graceful stop: the listening socket closes, in-flight requests finish, every SSE stream ends
cleanly (the client sees the end of its response, and an EventSource reconnects elsewhere).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import ipaddress
import os
import sys
from typing import Any

import uvicorn

from azconf.errors import UsageError
from azconf.server.app import create_app
from azconf.server.broadcast import Broadcaster
from azconf.server.guard import Guard
from azconf.server.metrics import Metrics
from azconf.server.service import Service
from azconf.server.settings import ServeSettings
from azconf.server.source import Source
from azconf.server.tokens import TokenTable, load_tokens

GRACE_SECONDS = 10  # how long in-flight requests get to finish on SIGTERM


def build_service(settings: ServeSettings) -> Service:
    """Check the settings, read the tokens, load every environment (raises AzconfError when one fails)."""
    tokens = load_tokens(settings.tokens_file) if settings.tokens_file else TokenTable([])
    _check_exposure(settings.host, tokens)
    _recover(settings)
    source = Source(settings)
    _first_load(source)
    service = Service(
        settings, source, Guard(tokens, settings.rate, settings.burst), Broadcaster(), Metrics()
    )
    source.listeners.append(service.events.publish)
    service.metrics.watch(source)
    service.metrics.watch_health(service.health)
    return service


def serve(settings: ServeSettings) -> int:
    """Serve until stopped; returns the exit code."""
    service = build_service(settings)
    config = uvicorn.Config(
        create_app(service),
        host=settings.host,
        port=settings.port,
        log_level="warning",
        access_log=False,  # ours (--access-log) never writes the query string, where a stream token rides
        server_header=False,
        timeout_graceful_shutdown=GRACE_SECONDS,
        lifespan="on",
    )
    server = _Server(config, service)
    where = f"http://{_url_host(settings.host)}:{settings.port}"
    layout = "" if service.single else " (each under /envs/<env>)"
    source = "recorded versions, following" if settings.from_history else "the working tree, watched"
    sys.stderr.write(f"azconf serve: {', '.join(settings.envs)}{layout} from {source} on {where}\n")
    server.run()
    return 0 if server.started else 1


class _Server(uvicorn.Server):
    """uvicorn's server, which also ends the SSE streams when asked to stop (else they hold it open)."""

    def __init__(self, config: uvicorn.Config, service: Service) -> None:
        super().__init__(config)
        self.service = service

    def handle_exit(self, sig: int, frame: Any) -> None:
        self.service.shutdown()
        super().handle_exit(sig, frame)
        # uvicorn re-raises the signal once it has stopped, so the process would die of it; a stop
        # that was asked for and completed gracefully is a success (exit 0).
        captured = getattr(self, "_captured_signals", None)
        if isinstance(captured, list):
            captured.clear()


def _recover(settings: ServeSettings) -> None:
    """Finish or undo a write a crash interrupted (a killed server, a killed ``azconf set``) before
    serving: otherwise the half-written files would be served until the next write repairs them."""
    if settings.from_history:
        return
    from azconf.edit.transaction import project_lock, recover

    with project_lock(settings.project_root):
        done = recover(settings.project_root, db=settings.db)
    if done:
        sys.stderr.write(f"azconf serve: {done}\n")


def _first_load(source: Source) -> None:
    """Load every environment once, as fast as the CLI does, then settle into a long-running process.

    The first load runs in a forked child (no thread exists yet), which sends back only the flag
    documents to serve: the parsed files, typed models and check results of a large project never
    fragment this process's heap (Python keeps a memory arena while any object in it lives: on the
    large corpus that held ~15 MB). It skips the cyclic collector like a CLI run. Afterwards reloads
    run beside the event loop's threads, where a fork could copy a held lock into the child, so they
    stay in-process; what they free is handed back to the system as far as it can be.
    """
    from azconf.process.fork import Background

    gc.disable()
    try:
        loading = Background(source.load_all)
        _import_write_path()  # meanwhile, on the other core
        source.load_now(loading.result)
    finally:
        gc.enable()
    os.environ["AZCONF_JOBS"] = "1"
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _import_write_path() -> None:
    """Import what a write and a reload run (the first load ran in a child), so that the first write
    does not pay for it (~0.1 s; +3 MB)."""
    import azconf.check.engine
    import azconf.edit.transaction
    import azconf.environment
    import azconf.history.api
    import azconf.render.flagd  # noqa: F401


def _check_exposure(host: str, tokens: TokenTable) -> None:
    """Refuse to listen beyond loopback without tokens: anyone on the network could change flags."""
    if tokens or _is_loopback(host):
        return
    raise UsageError(
        f"refusing to listen on {host} without tokens: anyone who can reach it could read and change flags",
        hint="pass --tokens FILE (see docs/serve.md), or listen on 127.0.0.1",
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name other than localhost may resolve to anything


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
