"""``azconf secrets list|check|set`` and ``azconf run``: references listed, checked, stored, used.

Only typer is imported here; each command calls one function of :mod:`azconf.cli.secrets_cmd` or
:mod:`azconf.cli.run_cmd`, which import the core (and the keyring library) when they run.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer


class OutputFormat(StrEnum):
    """Output formats of ``secrets list`` and ``secrets check``."""

    text = "text"
    json = "json"


EnvOption = Annotated[str, typer.Option("--env", "-e", help="The environment.", show_default=False)]
EnvArgument = Annotated[
    str | None, typer.Argument(metavar="[ENV]", help="The environment (or --env).", show_default=False)
]
OptionalEnvOption = Annotated[
    list[str] | None, typer.Option("--env", "-e", help="The environment.", show_default=False)
]
FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]

secrets_app = typer.Typer(
    help="Secret references: list them, check they resolve here, store keyring entries.",
    no_args_is_help=True,
)


@secrets_app.command("list")
def list_secrets(
    ctx: typer.Context,
    argument: EnvArgument = None,
    env: OptionalEnvOption = None,
    output: FormatOption = OutputFormat.text,
) -> None:
    """Each secret reference, its scheme, and every place that uses it (file:line:col); a recorded
    version (prod@12) lists its references without locations."""
    from azconf.cli import secrets_cmd
    from azconf.cli.common import one_environment

    chosen, _ = one_environment(env, [argument] if argument else [], "secrets list ENV[@VERSION]")
    raise typer.Exit(secrets_cmd.list_(ctx.find_root().obj, chosen, output.value))


@secrets_app.command("check")
def check_secrets(
    ctx: typer.Context,
    argument: EnvArgument = None,
    env: OptionalEnvOption = None,
    output: FormatOption = OutputFormat.text,
) -> None:
    """Resolve env:// and keyring:// references locally (values never shown); exit 1 if one is missing."""
    from azconf.cli import secrets_cmd
    from azconf.cli.common import one_environment

    chosen, _ = one_environment(env, [argument] if argument else [], "secrets check ENV")
    raise typer.Exit(secrets_cmd.check(ctx.find_root().obj, chosen, output.value))


@secrets_app.command("set")
def set_secret(
    reference: Annotated[
        str, typer.Argument(help="A keyring reference, e.g. keyring://azora/db-password.", show_default=False)
    ],
    # Never a value: this argument exists only to refuse one without echoing it back (click's own
    # "unexpected extra argument (...)" error would print the secret that was just typed).
    stray: Annotated[list[str] | None, typer.Argument(hidden=True, show_default=False)] = None,
    allow_insecure: Annotated[
        bool,
        typer.Option(
            "--allow-insecure-keyring",
            envvar="AZCONF_ALLOW_INSECURE_KEYRING",
            help="Store even into a plaintext keyring backend (keyrings.alt PlaintextKeyring), "
            "refused otherwise; for throwaway machines and CI.",
        ),
    ] = False,
) -> None:
    """Store a keyring:// secret, read from a hidden prompt or from stdin (never from an argument);
    says which keyring backend received it."""
    from azconf.cli import secrets_cmd

    raise typer.Exit(secrets_cmd.set_(reference, bool(stray), allow_insecure=allow_insecure))


def register(app: typer.Typer) -> None:
    """Add ``secrets`` and ``run`` to ``app``."""
    app.add_typer(secrets_app, name="secrets")

    # Options stop at the first argument, so `azconf run ... python -c CODE` passes -c to python.
    @app.command(context_settings={"allow_interspersed_args": False})
    def run(
        ctx: typer.Context,
        env: EnvOption,
        service: Annotated[str, typer.Option("--service", "-s", help="The service.", show_default=False)],
        command: Annotated[
            list[str],
            typer.Argument(help="The command and its arguments, after --.", metavar="-- CMD [ARGS]..."),
        ],
        allow_env: Annotated[
            list[str] | None,
            typer.Option(
                "--allow-env",
                help="Let the config set this variable that picks the code to run (LD_PRELOAD, PATH, "
                "PYTHONPATH, ...; refused otherwise). Repeatable.",
                show_default=False,
            ),
        ] = None,
    ) -> None:
        """Run a command with a service's env vars, env:// and keyring:// secrets resolved into it only."""
        from azconf.cli import run_cmd

        raise typer.Exit(run_cmd.run(ctx.obj, env, service, command, allow_env or []))
