"""Output of ``azconf secrets list`` and ``azconf secrets check``, as text and as versioned JSON.

Only references, names and locations are printed: a secret value never reaches this module (the
check results hold a verdict, not a value). The JSON documents are described in docs/output.md.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from azconf.problems import Location
from azconf.secrets.check import CheckResult, SecretCheck
from azconf.secrets.usage import SecretUsage

FORMAT_VERSION = 1


def _where(location: Location) -> dict[str, Any]:
    return {"file": location.file, "line": location.line, "column": location.column}


# --- secrets list ------------------------------------------------------------------------------


def list_text(env: str, usages: list[SecretUsage]) -> str:
    """Each secret on one line (name, scheme, reference, definition), then one indented line per use."""
    width = max((len(u.name) for u in usages), default=0)
    ref_width = max((len(u.raw) for u in usages), default=0)
    lines: list[str] = []
    for usage in usages:
        scheme = usage.scheme or "?"
        line = f"{usage.name:<{width}}  {scheme:<7}  {usage.raw:<{ref_width}}  {usage.defined_at}"
        lines.append(line.rstrip())
        lines += [
            f"    used by {use.path}" + (f"  ({use.location})" if use.location.file else "")
            for use in usage.uses
        ]
        if usage.unused:
            lines.append("    unused: no service uses it")
    lines.append(_list_summary(env, usages))
    return "\n".join(lines) + "\n"


def _list_summary(env: str, usages: list[SecretUsage]) -> str:
    schemes = Counter(u.scheme or "malformed" for u in usages)
    parts = ", ".join(f"{count} {scheme}" for scheme, count in sorted(schemes.items()))
    unused = sum(1 for u in usages if u.unused)
    return f"{len(usages)} secret(s) in {env}" + (f": {parts}" if parts else "") + f"; {unused} unused"


def list_json(env: str, usages: list[SecretUsage]) -> str:
    """The secrets and their uses as one JSON document."""
    document = {"version": FORMAT_VERSION, "env": env, "secrets": [_usage_dict(u) for u in usages]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _usage_dict(usage: SecretUsage) -> dict[str, Any]:
    return {
        "name": usage.name,
        "ref": usage.raw,
        "scheme": usage.scheme or None,
        "description": usage.description,
        **_where(usage.defined_at),
        "unused": usage.unused,
        "uses": [
            {"path": use.path, "service": use.service, "env_var": use.env_var or None, **_where(use.location)}
            for use in usage.uses
        ],
    }


# --- secrets check -----------------------------------------------------------------------------


def check_text(result: CheckResult) -> str:
    """One line per secret (``file:line:col: state name (ref): detail``), warnings, then a verdict."""
    lines = [_check_line(check) for check in result.checks]
    lines += [
        f"{check.usage.defined_at}: warning {check.usage.name}: not used by any service "
        "(remove it, or reference it from services.<name>.secrets or env)"
        for check in result.checks
        if check.usage.unused
    ]
    if result.keyring_backend:
        lines.append(f"keyring backend: {result.keyring_backend}")
    lines.append(_check_summary(result))
    return "\n".join(lines) + "\n"


def _check_line(check: SecretCheck) -> str:
    usage = check.usage
    used = f"; used by {', '.join(usage.services)}" if usage.services else ""
    optional = " (not required: unused)" if check.state == "missing" and usage.unused else ""
    return f"{usage.defined_at}: {check.state}{optional} {usage.name} ({usage.raw}): {check.detail}{used}"


def _check_summary(result: CheckResult) -> str:
    counts = (
        f"{result.count('available')} available, {result.count('missing')} missing, "
        f"{result.count('remote')} remote, {result.unused} unused"
    )
    if result.ok:
        return f"ok: every secret {result.env} needs locally is available; {counts}"
    failed = sum(1 for check in result.checks if check.failed)
    return f"failed: {failed} required secret(s) cannot be resolved in {result.env}; {counts}"


def check_json(result: CheckResult) -> str:
    """The check as one JSON document."""
    document = {
        "version": FORMAT_VERSION,
        "env": result.env,
        "ok": result.ok,
        "keyring_backend": result.keyring_backend,
        "summary": {
            "available": result.count("available"),
            "missing": result.count("missing"),
            "remote": result.count("remote"),
            "unused": result.unused,
        },
        "secrets": [_check_dict(check) for check in result.checks],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _check_dict(check: SecretCheck) -> dict[str, Any]:
    usage = check.usage
    return {
        "name": usage.name,
        "ref": usage.raw,
        "scheme": usage.scheme or None,
        "state": check.state,
        "detail": check.detail,
        "required": check.required,
        "unused": usage.unused,
        "services": list(usage.services),
        **_where(usage.defined_at),
    }
