"""``azconf secrets check``: can this machine resolve the secrets an environment needs?

Local references (``env://``, ``keyring://``) are resolved, and the value dropped at once: only the
verdict is kept. Remote ones (``vault://``, ``k8s://``) are resolved in the cluster; here they are
checked for syntax (done by loading the environment) and use. A secret that no service uses is a
warning; a local secret that a service uses and that cannot be resolved fails the check.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from azconf.secrets.resolve import Availability, availability, keyring_backend_name
from azconf.secrets.usage import SecretUsage


@dataclass(frozen=True, slots=True)
class SecretCheck:
    """One secret's usage and what a local resolution of it found (None: malformed reference)."""

    usage: SecretUsage
    availability: Availability | None

    @property
    def state(self) -> str:
        """``available``, ``missing``, ``remote``, or ``malformed``."""
        return self.availability.state.value if self.availability else "malformed"

    @property
    def detail(self) -> str:
        """One sentence about the state; never the value."""
        return self.availability.detail if self.availability else "the reference does not parse"

    @property
    def required(self) -> bool:
        """Used by a service and meant to resolve on this machine (remote ones resolve in the cluster)."""
        ref = self.usage.ref
        return not self.usage.unused and (ref is None or ref.local)

    @property
    def failed(self) -> bool:
        """A required secret that cannot be resolved here."""
        return self.required and self.state in ("missing", "malformed")


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The checks of one environment's secrets, in definition order."""

    env: str
    checks: tuple[SecretCheck, ...]
    keyring_backend: str | None  # named when a keyring:// reference was checked

    @property
    def ok(self) -> bool:
        """True when every secret a service needs is resolvable here or lives in the cluster."""
        return not any(check.failed for check in self.checks)

    def count(self, state: str) -> int:
        """How many secrets are in ``state``."""
        return sum(1 for check in self.checks if check.state == state)

    @property
    def unused(self) -> int:
        """How many secrets no service uses."""
        return sum(1 for check in self.checks if check.usage.unused)


def check_secrets(env: str, usages: list[SecretUsage], *, environ: Mapping[str, str]) -> CheckResult:
    """Check each secret of ``usages`` locally."""
    checks = tuple(
        SecretCheck(usage, availability(usage.ref, environ=environ) if usage.ref else None)
        for usage in usages
    )
    uses_keyring = any(usage.scheme == "keyring" for usage in usages)
    return CheckResult(env, checks, keyring_backend_name() if uses_keyring else None)
