"""``azconf secrets list|check|set``: references listed, checked, stored (``azconf run`` uses them).

The core (and the keyring library) is imported only when a command runs.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from azconf.cli.options import Format, format_option
from azconf.errors import EXIT_OK, EXIT_PROBLEMS, UsageError

if TYPE_CHECKING:
    from azconf.secrets.refs import KeyringRef
    from azconf.secrets.usage import SecretUsage


EnvArgument = Annotated[
    str | None, typer.Argument(metavar="[ENV]", help="The environment (or --env).", show_default=False)
]
OptionalEnvOption = Annotated[
    list[str] | None, typer.Option("--env", "-e", help="The environment.", show_default=False)
]
FormatOption = Annotated[Literal[Format.text, Format.json], format_option()]

secrets_app = typer.Typer(
    help="Secret references: list them, check they resolve here, store keyring entries.",
    no_args_is_help=True,
)


@secrets_app.command("list")
def list_secrets(
    ctx: typer.Context,
    argument: EnvArgument = None,
    env: OptionalEnvOption = None,
    output: FormatOption = Format.text,
) -> None:
    """Each secret reference, its scheme, and every place that uses it (file:line:col); a recorded
    version (prod@12) lists its references without locations."""
    from azconf.cli.common import one_environment

    chosen, _ = one_environment(env, [argument] if argument else [], "secrets list ENV[@VERSION]")
    raise typer.Exit(list_(ctx.find_root().obj, chosen, output.value))


@secrets_app.command("check")
def check_secrets(
    ctx: typer.Context,
    argument: EnvArgument = None,
    env: OptionalEnvOption = None,
    output: FormatOption = Format.text,
) -> None:
    """Resolve env:// and keyring:// references locally (values never shown); exit 1 if one is missing."""
    from azconf.cli.common import one_environment

    chosen, _ = one_environment(env, [argument] if argument else [], "secrets check ENV")
    raise typer.Exit(check(ctx.find_root().obj, chosen, output.value))


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

    raise typer.Exit(set_(reference, bool(stray), allow_insecure=allow_insecure))


def _usages(project_dir: Path | None, env: str) -> list[SecretUsage]:
    """The secrets of a valid environment and their uses; an invalid one stops with its errors."""
    from azconf.cli.common import open_project
    from azconf.environment import load_environment
    from azconf.history.refs import is_version_ref
    from azconf.secrets.usage import secret_usage

    project = open_project(project_dir)
    if is_version_ref(env, project.manifest.environments):
        from azconf.render.inputs import version_source

        source = version_source(project, env, None)
        # A recorded version keeps no locations: its uses are listed without file:line:col.
        return secret_usage(source.model, source.data)  # type: ignore[arg-type]
    loaded = load_environment(project, env)
    return secret_usage(loaded.model, loaded.resolution.data)


def list_(project_dir: Path | None, env: str, output: str) -> int:
    """Print each reference, its scheme and its uses."""
    from azconf.report import secrets_report

    usages = _usages(project_dir, env)
    render = secrets_report.list_json if output == "json" else secrets_report.list_text
    sys.stdout.write(render(env, usages))
    return EXIT_OK


def check(project_dir: Path | None, env: str, output: str) -> int:
    """Check that every secret the environment needs resolves here; exit 1 when one does not."""
    from azconf.report import secrets_report
    from azconf.secrets.check import check_secrets

    result = check_secrets(env, _usages(project_dir, env), environ=os.environ)
    render = secrets_report.check_json if output == "json" else secrets_report.check_text
    sys.stdout.write(render(result))
    return EXIT_OK if result.ok else EXIT_PROBLEMS


_NOT_STORABLE = {
    "env": "set the variable in your shell (or its .envrc) instead",
    "vault": "Vault holds it: write it with the vault CLI or UI, and External Secrets syncs it",
    "k8s": "the cluster holds it: create or update the Kubernetes Secret (kubectl create secret)",
}


def set_(reference: str, value_in_arguments: bool, *, allow_insecure: bool = False) -> int:
    """Store a value under a keyring reference, read from a hidden prompt or from stdin.

    The backend is named on success; a plaintext one is refused unless ``allow_insecure``.
    """
    if value_in_arguments:
        raise UsageError(
            "`azconf secrets set` never takes the value as an argument: it would stay in your shell "
            "history and be visible to other processes",
            hint="run it in a terminal to be prompted, or pipe the value in: "
            "`pass show db | azconf secrets set keyring://azora/db-password`",
        )
    ref = _keyring_ref(reference)
    from azconf.cli.boundary import print_error
    from azconf.secrets.keyring_store import InsecureKeyring, store, usable_backend
    from azconf.secrets.resolve import SecretUnavailable

    try:
        backend = usable_backend(ref, allow_insecure=allow_insecure)  # before the value is typed
        store(ref, _read_value(ref), backend)
    except InsecureKeyring as refused:
        print_error(f"{ref}: {refused}; nothing was stored", refused.hint)
        return EXIT_PROBLEMS
    except SecretUnavailable as failure:
        print_error(f"{ref}: {failure.reason}")
        return EXIT_PROBLEMS
    insecure = f"; {backend.unsafe} (allowed explicitly)" if backend.unsafe else ""
    typer.echo(f"stored {ref} in the keyring backend {backend.name}{insecure}", err=True)
    return EXIT_OK


def _keyring_ref(reference: str) -> KeyringRef:
    from azconf.secrets.refs import KeyringRef, parse_reference

    ref = parse_reference(reference)
    if not isinstance(ref, KeyringRef):
        raise UsageError(
            f"only keyring:// references can be stored by azconf, not {ref.scheme}://",
            hint=_NOT_STORABLE.get(ref.scheme),
        )
    return ref


def _read_value(ref: KeyringRef) -> str:
    """The value from a hidden, confirmed prompt on a terminal; else all of stdin (one newline dropped)."""
    if sys.stdin is not None and sys.stdin.isatty():
        value: str = typer.prompt(f"value for {ref}", hide_input=True, confirmation_prompt=True, err=True)
    else:
        value = _read_stdin()
    if not value:
        raise UsageError(
            "no value given; nothing was stored", hint="pipe the value in, or run it in a terminal"
        )
    return value


def _read_stdin() -> str:
    if sys.stdin is None:
        return ""
    try:
        text = sys.stdin.buffer.read().decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError("the value on standard input is not UTF-8; nothing was stored") from None
    # `echo VALUE |` and here-strings add one line end; anything else belongs to the value.
    for ending in ("\r\n", "\n"):
        if text.endswith(ending):
            return text[: -len(ending)]
    return text
