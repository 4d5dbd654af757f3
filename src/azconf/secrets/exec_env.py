"""The environment ``azconf run`` gives a service's process on a developer's machine.

Each ``services.<name>.env`` variable becomes a string, the way the service sees it in its pod:

- a literal as itself (``true``/``false`` for booleans, JSON for numbers);
- ``{flag: NAME}`` as the flag's default variant value (a string as itself, anything else as JSON);
  a disabled flag, or one without a default variant, sets nothing, since flagd then answers with the
  caller's own default;
- ``{secret: NAME}`` as the secret's value, resolved here from ``env://`` or ``keyring://``.

Every secret the service uses must resolve (a service that needs a Vault secret cannot run with a
hole in its environment), so :func:`exec_environment` fails before anything runs, listing each secret
that does not and why. Values stay :class:`~azconf.secrets.resolve.SecretText` until
:meth:`ExecEnvironment.merged` builds the child's environment.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from azconf.config.located import LocatedMap
from azconf.errors import DataError, UsageError
from azconf.model.sections import Environment, Flag, FlagValue, SecretValue
from azconf.problems import did_you_mean
from azconf.secrets.exec_guard import check_loader_variables, check_nul
from azconf.secrets.resolve import SecretText, SecretUnavailable, resolve
from azconf.secrets.usage import SecretUsage, service_secrets


class UnresolvedSecrets(DataError):
    """Secrets a service needs that cannot be resolved on this machine; nothing was run."""

    def __init__(self, service: str, env: str, lines: list[str]) -> None:
        listing = "".join(f"\n  {line}" for line in lines)
        super().__init__(
            f'service "{service}" needs {len(lines)} secret(s) that cannot be resolved here; '
            f"nothing was run:{listing}",
            hint="`azconf run` resolves env:// and keyring:// only; in the "
            f"{env} overlay, point these secrets at env:// or keyring:// for local runs "
            "(see docs/secrets.md)",
        )


@dataclass
class ExecEnvironment:
    """A service's variables, secrets still wrapped, and notes about variables left unset."""

    service: str
    values: dict[str, str | SecretText] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def merged(self, base: Mapping[str, str]) -> dict[str, str]:
        """``base`` (the caller's environment) with the service's variables on top, values revealed."""
        child = dict(base)
        for name, value in self.values.items():
            child[name] = value.reveal() if isinstance(value, SecretText) else value
        return child


def exec_environment(
    env: Environment,
    root: LocatedMap,
    env_name: str,
    service: str,
    *,
    environ: Mapping[str, str],
    allow_env: Iterable[str] = (),
) -> ExecEnvironment:
    """The variables of ``service``, secrets resolved; raises when a secret it uses cannot be, when
    it sets a loader variable not in ``allow_env``, or when a value holds a NUL byte."""
    if service not in env.services:
        raise UsageError(
            f'unknown service "{service}"{did_you_mean(service, env.services)}',
            hint=f"services in {env_name}: {', '.join(env.services) or '(none)'}",
        )
    variables = env.services[service].env
    check_loader_variables(variables, root, service, allow_env)
    secrets = _resolve_all(service_secrets(env, root, service), service, env_name, environ)
    result = ExecEnvironment(service)
    for var, value in variables.items():
        if isinstance(value, SecretValue):
            result.values[var] = secrets[value.secret]
            check_nul(var, secrets[value.secret].reveal(), root, service, secret=value.secret)
        elif isinstance(value, FlagValue):
            _set_flag(result, var, value.flag, env.flags[value.flag])
        else:
            result.values[var] = literal_text(value)
        if not isinstance(value, SecretValue):
            check_nul(var, str(result.values.get(var, "")), root, service, secret=None)
    return result


def _resolve_all(
    usages: list[SecretUsage], service: str, env_name: str, environ: Mapping[str, str]
) -> dict[str, SecretText]:
    """Every secret the service uses, resolved; all failures are collected before raising."""
    resolved: dict[str, SecretText] = {}
    failures: list[str] = []
    for usage in usages:
        if usage.ref is None:  # cannot happen in a valid environment; validate reports it
            failures.append(f"{usage.name}: malformed reference at {usage.defined_at}")
            continue
        try:
            resolved[usage.name] = resolve(usage.ref, environ=environ)
        except SecretUnavailable as missing:
            failures.append(f"{usage.name} ({usage.raw}) at {usage.defined_at}: {missing.reason}")
    if failures:
        raise UnresolvedSecrets(service, env_name, failures)
    return resolved


def _set_flag(result: ExecEnvironment, var: str, name: str, flag: Flag) -> None:
    if flag.state == "DISABLED" or flag.default_variant is None:
        why = "is disabled" if flag.state == "DISABLED" else "has no default variant"
        result.notes.append(f"{var} is not set: flag {name} {why}, so the service's own default applies")
        return
    value = flag.variants[flag.default_variant]
    result.values[var] = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def literal_text(value: str | bool | int | float) -> str:
    """A literal env value as its pod would see it: strings as-is, everything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value)


class CommandFailedToStart(UsageError):
    """The command could not be started; exit 127 (not found) or 126 (not executable), like a shell."""

    def __init__(self, program: str, exit_code: int, why: str) -> None:
        super().__init__(f"cannot run {program}: {why}", hint="check the command after --")
        self.exit_code = exit_code


# Signals azconf passes on to the child. SIGINT is not among them: a terminal's Ctrl-C already goes
# to the whole foreground process group, and sending it twice makes some programs abort their cleanup.
_FORWARDED = ("SIGTERM", "SIGHUP", "SIGQUIT")


def run_child(argv: list[str], environ: Mapping[str, str]) -> int:
    """Run ``argv`` with ``environ``, sharing stdin/stdout/stderr; its exit code (128+N for signal N)."""
    import signal
    import subprocess

    try:
        child = subprocess.Popen(argv, env=dict(environ))
    except FileNotFoundError:
        raise CommandFailedToStart(argv[0], 127, "command not found") from None
    except PermissionError:
        raise CommandFailedToStart(argv[0], 126, "permission denied") from None

    def forward(signum: int, _frame: object) -> None:
        child.send_signal(signum)

    previous = {signal.SIGINT: signal.signal(signal.SIGINT, signal.SIG_IGN)}
    for name in _FORWARDED:
        if hasattr(signal, name):
            number = getattr(signal, name)
            previous[number] = signal.signal(number, forward)
    try:
        code = child.wait()
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    return 128 - code if code < 0 else code
