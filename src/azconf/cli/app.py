"""The ``azconf`` Typer app: options and help texts (the entry point and error boundary are in entry.py).

Each command turns its arguments into plain values and calls one function of a small module in this
package, which imports the core lazily (``azconf --help`` must not pay for pydantic or jsonschema).
Exit codes: 0 ok, 1 problems found, 2 usage error, 3 internal error.
"""

from __future__ import annotations

from enum import StrEnum
from importlib import import_module
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from azconf import __version__

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
schema_app = typer.Typer(help="JSON Schemas of azconf's own files.", no_args_is_help=True)
app.add_typer(schema_app, name="schema")


class ReportFormat(StrEnum):
    """Output formats of ``azconf validate``."""

    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"


class DataFormat(StrEnum):
    """Output formats of ``azconf show``."""

    yaml = "yaml"
    json = "json"


class ExplainFormat(StrEnum):
    """Output formats of ``azconf explain``."""

    text = "text"
    json = "json"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"azconf {__version__}")
        raise typer.Exit()


ProjectOption = Annotated[
    Path | None,
    typer.Option(
        "-C",
        "--project",
        help="The project folder (default: the nearest folder with an "
        "azconf.yaml at or above the current one).",
        show_default=False,
    ),
]
EnvOrVersionOption = Annotated[
    list[str] | None,
    typer.Option(
        "--env",
        "-e",
        help="The environment, or a recorded version such as prod@12 (or give it as the first argument).",
        show_default=False,
    ),
]


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
        from azconf.cli.history_cli import use_database

        use_database(ctx, db)


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Where to create the project.")] = Path("."),
    project_name: Annotated[
        str | None, typer.Option("--name", help="Project name (default: the folder's name).")
    ] = None,
) -> None:
    """Create a small, valid config repository: manifest, base layer, dev/staging/prod overlays."""
    from azconf.cli import init_cmd

    _finish(init_cmd.run(directory, project_name))


@app.command()
def validate(
    ctx: typer.Context,
    envs: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[ENV|FILE]...",
            help="Validate only these environments (default: all); or, given files, every project "
            "that contains one (the pre-commit hook does that).",
        ),
    ] = None,
    env: Annotated[
        list[str] | None,
        typer.Option("--env", "-e", help="Validate only this environment (repeatable; default: all)."),
    ] = None,
    output: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="Report format.")
    ] = ReportFormat.text,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Also list reviewed secret exceptions (path and reason).")
    ] = False,
) -> None:
    """Resolve every environment and report all problems, with file:line:col."""
    from azconf.cli import validate_cmd
    from azconf.cli.common import several_environments

    _finish(validate_cmd.run(ctx.obj, several_environments(env, envs or []), output.value, strict, verbose))


@app.command()
def show(
    ctx: typer.Context,
    arguments: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[ENV] [PATH]",
            help="The environment or version (prod, prod@12), then a subtree such as services.web.",
        ),
    ] = None,
    env: EnvOrVersionOption = None,
    output: Annotated[DataFormat, typer.Option("--format", "-f", help="Output format.")] = DataFormat.yaml,
    defaults: Annotated[
        bool, typer.Option("--defaults", help="Fill in every default: the config as the renderers see it.")
    ] = False,
) -> None:
    """Print an environment's resolved config, or one subtree of it."""
    from azconf.cli import show_cmd
    from azconf.cli.common import one_environment

    chosen, rest = one_environment(env, arguments or [], "show ENV[@VERSION] [PATH]")
    path = _at_most_one(rest, "show ENV[@VERSION] [PATH]")
    _finish(show_cmd.run(ctx.obj, chosen, path, output.value, defaults=defaults))


@app.command()
def explain(
    ctx: typer.Context,
    arguments: Annotated[
        list[str],
        typer.Argument(
            metavar="[ENV] PATH",
            help="The environment or version (prod, prod@12), then a path such as services.web.replicas.",
        ),
    ],
    env: EnvOrVersionOption = None,
    output: Annotated[
        ExplainFormat, typer.Option("--format", "-f", help="Output format.")
    ] = ExplainFormat.text,
) -> None:
    """Show where a value came from: the layer that set it and every value it overrode."""
    from azconf.cli import explain_cmd
    from azconf.cli.common import one_environment

    usage = "explain ENV[@VERSION] PATH"
    chosen, rest = one_environment(env, arguments, usage)
    path = _at_most_one(rest, usage)
    if path is None:
        raise typer.BadParameter("name the value to explain, e.g. services.web.replicas", param_hint="PATH")
    _finish(explain_cmd.run(ctx.obj, chosen, path, output.value))


def _at_most_one(rest: list[str], usage: str) -> str | None:
    """The one argument left after the environment, if any."""
    if len(rest) > 1:
        from azconf.errors import UsageError

        raise UsageError(
            f"too many arguments: {' '.join(rest)} (an environment given twice?)",
            hint=f"usage: azconf {usage}",
        )
    return rest[0] if rest else None


@app.command("explain-code")
def explain_code(
    code: Annotated[str | None, typer.Argument(help="A problem code such as AZC0301.")] = None,
) -> None:
    """Describe a problem code and how to fix it (all codes when none is given)."""
    from azconf.cli import codes_cmd

    _finish(codes_cmd.run(code))


@schema_app.command("export")
def schema_export(
    ctx: typer.Context,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Folder to write to (default: the project's schemas/, else ./schemas).",
        ),
    ] = None,
    check: Annotated[
        bool,
        typer.Option("--check", help="Write nothing; exit 1 if the files are missing or stale."),
    ] = False,
) -> None:
    """Write JSON Schemas of azconf.yaml and of config files, for editors (yaml-language-server)."""
    from azconf.cli import schema_cmd

    _finish(schema_cmd.run(ctx.find_root().obj, out, check))


def _finish(code: int) -> NoReturn:
    raise typer.Exit(code)


# Each feature keeps its commands in its own module, azconf.cli.<name>, whose register(app) adds them.
# Those modules import only typer at the top, so `azconf --help` stays cheap.
FEATURES: tuple[str, ...] = (
    "render_cli",
    "diff_cli",
    "edit_cli",
    "secrets_cli",
    "history_cli",
    "health_cli",
    "serve_cli",
)

for _feature in FEATURES:
    import_module(f"azconf.cli.{_feature}").register(app)
