"""``azconf serve``: the runtime flags service; the options become :class:`ServeSettings` (the server
stack is imported only when it runs)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from azconf.errors import UsageError


@dataclass(frozen=True)
class ServeOptions:
    """The command line, as given."""

    envs: list[str]
    host: str
    port: int
    refs: list[str]
    tokens: Path | None
    cors_origins: list[str]
    max_body: int
    rate: float
    burst: int
    access_log: bool


def serve(
    ctx: typer.Context,
    envs: Annotated[
        list[str] | None,
        typer.Argument(
            help="Environments to serve, or recorded versions such as prod@latest (default: all)."
        ),
    ] = None,
    env: Annotated[
        list[str] | None,
        typer.Option("--env", "-e", help="Serve this environment (repeatable; default: all)."),
    ] = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on (beyond loopback: --tokens).")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option("--port", "-p", help="Port to listen on.", min=0, max=65535)] = 8013,
    from_refs: Annotated[
        list[str] | None,
        typer.Option("--from", help="Serve recorded versions, e.g. prod@latest (followed as recorded)."),
    ] = None,
    tokens: Annotated[
        Path | None, typer.Option("--tokens", help="Tokens file: names, SHA-256 and read/write scopes.")
    ] = None,
    cors_origin: Annotated[
        list[str] | None,
        typer.Option("--cors-origin", help="Allow browsers from this origin (repeatable)."),
    ] = None,
    max_body: Annotated[
        int, typer.Option("--max-body", help="Largest request body in bytes.", min=1)
    ] = 65536,
    rate: Annotated[float, typer.Option("--rate", help="Requests per second per token.", min=0.001)] = 100.0,
    burst: Annotated[int, typer.Option("--burst", help="Requests a token may make at once.", min=1)] = 200,
    access_log: Annotated[
        bool, typer.Option("--access-log", help="One JSON line per request on stderr.")
    ] = False,
) -> None:
    """Serve flags at run time: the flags API, OpenFeature OFREP evaluation, a change stream."""
    from azconf.cli.common import several_environments

    named = several_environments(env, envs or [])
    refs = [*(from_refs or []), *(name for name in named if "@" in name)]  # prod@latest: a version
    plain = [name for name in named if "@" not in name]
    options = ServeOptions(
        plain, host, port, refs, tokens, cors_origin or [], max_body, rate, burst, access_log
    )
    raise typer.Exit(run(ctx.obj, options))


def run(project_dir: Path | None, options: ServeOptions) -> int:
    """``azconf serve``: exit 0 after a clean stop, 1 when the config cannot be served, 2 on usage."""
    from azconf.cli.common import open_project
    from azconf.problems import did_you_mean
    from azconf.server.runner import serve
    from azconf.server.settings import ServeSettings

    project = open_project(project_dir)
    known = project.manifest.environments
    if options.refs and options.envs:
        raise UsageError(
            "--env and --from cannot be combined", hint="--from prod@latest names the environment"
        )
    envs = [ref.partition("@")[0] for ref in options.refs] or options.envs or list(known)
    for env in envs:
        if env not in known:
            raise UsageError(
                f'unknown environment "{env}"{did_you_mean(env, known)}',
                hint=f"environments: {', '.join(known)}",
            )
    if len(set(envs)) != len(envs):
        raise UsageError("each environment may be served once")
    if options.tokens is not None and not options.tokens.is_file():
        raise UsageError(f"tokens file not found: {options.tokens}")
    settings = ServeSettings(
        project_root=project.root,
        envs=tuple(envs),
        host=options.host,
        port=options.port,
        refs=tuple(options.refs),
        tokens_file=options.tokens.absolute() if options.tokens else None,
        cors_origins=tuple(options.cors_origins),
        max_body=options.max_body,
        rate=options.rate,
        burst=options.burst,
        access_log=options.access_log,
    )
    return serve(settings)
