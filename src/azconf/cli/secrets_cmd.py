"""``azconf secrets list``, ``check`` and ``set``: parse the arguments, call the core, print a report."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from azconf.errors import EXIT_OK, EXIT_PROBLEMS, UsageError

if TYPE_CHECKING:
    from azconf.secrets.refs import KeyringRef
    from azconf.secrets.usage import SecretUsage


def _usages(project_dir: Path | None, env: str) -> list[SecretUsage]:
    """The secrets of a valid environment and their uses; an invalid one stops with its errors."""
    from azconf.cli.common import open_project
    from azconf.environment import load_environment
    from azconf.history.refs import is_version_ref
    from azconf.render.gateway import gateway_secret_uses
    from azconf.secrets.usage import secret_usage

    project = open_project(project_dir)
    if is_version_ref(env, project.manifest.environments):
        from azconf.render.inputs import version_source

        source = version_source(project, env, None)
        # A recorded version keeps no locations: its uses are listed without file:line:col.
        return secret_usage(source.model, source.data, gateway_secret_uses(project))  # type: ignore[arg-type]
    loaded = load_environment(project, env)
    return secret_usage(loaded.model, loaded.resolution.data, gateway_secret_uses(project))


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


def set_(reference: str, value_in_arguments: bool) -> int:
    """Store a value under a keyring reference, read from a hidden prompt or from stdin."""
    if value_in_arguments:
        raise UsageError(
            "`azconf secrets set` never takes the value as an argument: it would stay in your shell "
            "history and be visible to other processes",
            hint="run it in a terminal to be prompted, or pipe the value in: "
            "`pass show db | azconf secrets set keyring://azora/db-password`",
        )
    ref = _keyring_ref(reference)
    from azconf.cli.boundary import print_error
    from azconf.secrets.resolve import SecretUnavailable, store

    value = _read_value(ref)
    try:
        backend = store(ref, value)
    except SecretUnavailable as failure:
        print_error(f"{ref}: {failure.reason}")
        return EXIT_PROBLEMS
    typer.echo(f"stored {ref} in the keyring ({backend})", err=True)
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
