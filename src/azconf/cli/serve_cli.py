"""``azconf serve``: the runtime flags service (only typer here: the server stack loads on use)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    """Add serve to ``app``."""

    @app.command()
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
        host: Annotated[
            str, typer.Option("--host", help="Address to listen on (beyond loopback: --tokens).")
        ] = ("127.0.0.1"),
        port: Annotated[
            int, typer.Option("--port", "-p", help="Port to listen on.", min=0, max=65535)
        ] = 8013,
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
        rate: Annotated[
            float, typer.Option("--rate", help="Requests per second per token.", min=0.001)
        ] = 100.0,
        burst: Annotated[
            int, typer.Option("--burst", help="Requests a token may make at once.", min=1)
        ] = 200,
        access_log: Annotated[
            bool, typer.Option("--access-log", help="One JSON line per request on stderr.")
        ] = False,
        db: Annotated[Path | None, typer.Option("--db", help="The history database.")] = None,
    ) -> None:
        """Serve flags at run time: the flags API, OpenFeature OFREP evaluation, a change stream."""
        from azconf.cli.common import several_environments
        from azconf.cli.serve_cmd import ServeOptions, run

        named = several_environments(env, envs or [])
        refs = [*(from_refs or []), *(name for name in named if "@" in name)]  # prod@latest: a version
        plain = [name for name in named if "@" not in name]
        options = ServeOptions(
            plain, host, port, refs, tokens, cors_origin or [], max_body, rate, burst, access_log, db
        )
        raise typer.Exit(run(ctx.obj, options))
