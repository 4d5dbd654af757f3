"""Where an environment's secret references are used: each reference, its scheme, and every use.

A secret (``secrets.<name>``) is used by a service in two ways, and both count::

    services.payments.secrets[0]: payments-db-password         the service declares it needs it
    services.payments.env.DB_PASSWORD: {secret: payments-db-password}   and where it goes

Every use carries the ``file:line:col`` that set it, from the resolved document's provenance, so the
answer to "who needs this secret?" points at YAML. A secret that nothing uses is reported as unused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from azconf.config.located import KeyPath, LocatedMap, format_path
from azconf.model.locate import value_at
from azconf.model.sections import Environment, Secret, SecretValue
from azconf.problems import Location
from azconf.secrets.refs import ReferenceSyntaxError, SecretRef, parse_reference


@dataclass(frozen=True, slots=True)
class SecretUse:
    """One place that uses a secret: its config path, its location, the service and env var."""

    path: str
    location: Location
    service: str
    env_var: str = ""  # the variable it is injected as; "" for a services.*.secrets entry


@dataclass(frozen=True, slots=True)
class SecretUsage:
    """One entry of ``secrets``: its reference (None when malformed), where it is defined, its uses."""

    name: str
    raw: str
    ref: SecretRef | None
    description: str | None
    defined_at: Location
    uses: tuple[SecretUse, ...]

    @property
    def scheme(self) -> str:
        """``vault``, ``k8s``, ``env`` or ``keyring``; ``""`` for a malformed reference."""
        return self.ref.scheme if self.ref is not None else ""

    @property
    def unused(self) -> bool:
        """True when nothing (no service, not the Tyk gateway) uses this secret."""
        return not self.uses

    @property
    def services(self) -> tuple[str, ...]:
        """The services that use it, in order of first use."""
        return tuple(dict.fromkeys(use.service for use in self.uses))


def secret_usage(
    env: Environment, root: LocatedMap, more: Mapping[str, Sequence[SecretUse]] | None = None
) -> list[SecretUsage]:
    """Every secret of ``env`` with its uses, in the order the secrets are defined; ``more`` adds
    uses found elsewhere, by secret name (the Tyk gateway's, in azconf.yaml's render options)."""
    uses = _uses_by_secret(env, root)
    for name, found in (more or {}).items():
        uses.setdefault(name, []).extend(found)
    return [_usage(name, secret, root, uses.get(name, [])) for name, secret in env.secrets.items()]


def service_secrets(env: Environment, root: LocatedMap, service: str) -> list[SecretUsage]:
    """The secrets that ``service`` uses, each with that service's uses only."""
    return [
        SecretUsage(u.name, u.raw, u.ref, u.description, u.defined_at, mine)
        for u in secret_usage(env, root)
        if (mine := tuple(use for use in u.uses if use.service == service))
    ]


def _usage(name: str, secret: Secret, root: LocatedMap, uses: list[SecretUse]) -> SecretUsage:
    try:
        ref: SecretRef | None = parse_reference(secret.ref)
    except ReferenceSyntaxError:  # validate reports it (AZC0701); here it is listed without a scheme
        ref = None
    short = isinstance(root["secrets"][name], str)
    path: KeyPath = ("secrets", name) if short else ("secrets", name, "ref")
    return SecretUsage(name, secret.ref, ref, secret.description, value_at(root, path), tuple(uses))


def _uses_by_secret(env: Environment, root: LocatedMap) -> dict[str, list[SecretUse]]:
    """Secret name -> its uses, service by service, the ``secrets`` list before the env vars."""
    found: dict[str, list[SecretUse]] = {}
    for service_name, service in env.services.items():
        base: KeyPath = ("services", service_name)
        for index, name in enumerate(service.secrets):
            found.setdefault(name, []).append(_use(root, (*base, "secrets", index), service_name))
        for var, value in service.env.items():
            if isinstance(value, SecretValue):
                path: KeyPath = (*base, "env", var, "secret")
                found.setdefault(value.secret, []).append(_use(root, path, service_name, var))
    return found


def _use(root: LocatedMap, path: KeyPath, service: str, env_var: str = "") -> SecretUse:
    # The use is named by the env var itself (services.web.env.SESSION_SECRET), not by the inner
    # "secret" key, but located at the name of the secret, which is what a reader looks for.
    shown = path[:-1] if env_var else path
    return SecretUse(format_path(shown), value_at(root, path), service, env_var)
