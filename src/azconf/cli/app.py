"""The ``azconf`` Typer app: the root options, then the list of commands (the entry point and error
boundary are in entry.py).

Each command lives in its own module of :mod:`azconf.cli.commands` (a small group shares one), with
its options and the function that runs it; those modules import the core lazily, so that
``azconf --help`` does not pay for pydantic or jsonschema.
Exit codes: 0 ok, 1 problems found, 2 usage error, 3 internal error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from azconf import __version__
from azconf.cli.commands import (
    diff,
    edit,
    explain,
    explain_code,
    health,
    history,
    init,
    render,
    run,
    schema,
    secrets,
    serve,
    show,
    validate,
)
from azconf.cli.options import ProjectOption, use_database

app = typer.Typer(
    name="azconf",
    help="Layered, validated, versioned configuration for microservices.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain click help: rich's help panels import rich and markdown-it (~100 ms) on every --help.
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"azconf {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    project: ProjectOption = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit."),
    ] = False,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            help="The history database (default: AZCONF_DB, else history.path in azconf.yaml).",
            show_default=False,
        ),
    ] = None,
) -> None:
    ctx.obj = project
    if db is not None:
        use_database(ctx, db)


# The commands, in the order `azconf --help` lists them (Typer lists the groups after the commands).
app.command()(init.init)
app.command()(validate.validate)
app.command()(show.show)
app.command()(explain.explain)
app.command("explain-code")(explain_code.explain_code)
app.command()(render.render)
app.command()(diff.diff)
app.command()(edit.promote)
app.command("set")(edit.set_value)
app.command()(edit.unset)
app.command()(edit.restore)
app.command("run", context_settings=run.CONTEXT_SETTINGS)(run.run_command)
app.command()(history.commit)
app.command()(history.log)
app.command()(health.doctor)
app.command()(serve.serve)
app.add_typer(schema.schema_app, name="schema")
app.add_typer(secrets.secrets_app, name="secrets")
app.add_typer(history.audit_app, name="audit")
app.add_typer(health.alerts_app, name="alerts")
