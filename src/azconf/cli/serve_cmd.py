"""``azconf serve``: parse the options into :class:`ServeSettings`, then run the service."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

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
    db: Path | None


def run(project_dir: Path | None, options: ServeOptions) -> int:
    """``azconf serve``: exit 0 after a clean stop, 1 when the config cannot be served, 2 on usage."""
    from azconf.cli.common import open_project
    from azconf.history.api import DB_VARIABLE
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
    if options.db is not None:
        # History is read in several places (following versions, recording writes); like the global
        # --db, this one names the database of the whole run.
        os.environ[DB_VARIABLE] = str(options.db.absolute())
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
        db=options.db.absolute() if options.db else None,
    )
    return serve(settings)
