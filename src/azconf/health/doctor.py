"""One run of ``azconf doctor``: read the manifest, measure, update alerts, send what waits to be sent.

A broken part never stops the run: an invalid ``health:`` block is reported as the ``manifest`` check
and the default thresholds apply; any other invalid manifest leaves that check alone to report; an
unreadable history database is the ``history`` check, and alerts are then not updated (they live in
it). So a cron job that writes ``--format prometheus`` always gets a complete, parseable report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from azconf.config.project import Project
from azconf.errors import AzconfError
from azconf.health.alerts import AlertEvent, update_alerts
from azconf.health.checks import Check, Measurement, measure
from azconf.health.notify import deliver_pending
from azconf.problems import Problem


@dataclass(frozen=True)
class DoctorRun:
    """What a run found and did: the checks, the alert events, and problems as sentences."""

    checks: list[Check]
    events: list[AlertEvent]
    problems: list[str]


def run_doctor(root: Path, envs: list[str], environ: Mapping[str, str]) -> DoctorRun:
    """Check the project at ``root`` (``envs``, or all), open and resolve alerts, post them."""
    from azconf.history.errors import HistoryError

    project, manifest_errors = load_for_doctor(root)
    manifest = manifest_check(manifest_errors)
    if project is None:
        return DoctorRun([manifest], [], ["alerts not updated: azconf.yaml is not valid"])
    _known(project.manifest.environments, envs)
    measured = measure(project, envs)
    measured = Measurement([manifest, *measured.checks], measured.envs, measured.skipped)
    problems = _skipped(measured)
    try:
        events = update_alerts(project, measured)
    except HistoryError as error:
        return DoctorRun(measured.checks, [], [*problems, f"alerts not updated: {_shown(project, error)}"])
    try:
        problems += deliver_pending(project, environ)
    except HistoryError as error:
        problems.append(f"alert webhook not sent: {_shown(project, error)}")
    return DoctorRun(measured.checks, events, problems)


def load_for_doctor(root: Path) -> tuple[Project | None, list[Problem]]:
    """The project and the manifest's errors. When only ``health:`` is wrong, the project is read
    without it (default thresholds, no webhook), so that every other check still runs."""
    from pydantic import ValidationError

    from azconf.config.manifest import MANIFEST_NAME, Manifest
    from azconf.config.project import load_project
    from azconf.config.yaml_io import read_yaml_file
    from azconf.problems import Severity, sorted_problems

    project, problems = load_project(root)
    errors = sorted_problems([p for p in problems if p.severity is Severity.ERROR])
    if project is not None or not all(p.path.split(".")[0] == "health" for p in errors):
        return project, errors
    document = read_yaml_file(root / MANIFEST_NAME, MANIFEST_NAME)
    try:
        manifest = Manifest.model_validate({k: v for k, v in document.data.items() if k != "health"})
    except ValidationError:
        return None, errors
    return Project(root=root, manifest=manifest, manifest_data=document.data), errors


def manifest_check(errors: list[Problem]) -> Check:
    """The ``manifest`` check: azconf.yaml's errors, the first one located as ``validate`` shows it."""
    from azconf.health.thresholds import DEFAULTS, Status

    levels = DEFAULTS["manifest_errors"]
    status = levels.status(len(errors))
    if errors:
        message = f"{len(errors)} error(s): {errors[0].location}: {errors[0].message}"
    else:
        message = "azconf.yaml is valid"
    action = "run `azconf validate`" if status is not Status.OK else ""
    return Check(
        "manifest",
        None,
        "manifest_errors",
        len(errors),
        levels.warning,
        levels.critical,
        status,
        message,
        action,
    )


def _shown(project: Project, error: AzconfError) -> str:
    """An error's message with the project's own paths shown relative to it, as the checks show them."""
    return error.message.replace(f"{project.root}/", "")


def _skipped(measured: Measurement) -> list[str]:
    """One sentence per reason a part of the project was not measured."""
    by_reason: dict[str, list[str]] = {}
    for skip in measured.skipped:
        by_reason.setdefault(skip.reason, []).append(skip.prefix)
    return [f"not measured ({reason}): {', '.join(prefixes)}" for reason, prefixes in by_reason.items()]


def _known(environments: list[str], chosen: list[str]) -> None:
    from azconf.errors import UsageError
    from azconf.problems import did_you_mean

    for name in chosen:
        if name not in environments:
            raise UsageError(
                f'unknown environment "{name}"{did_you_mean(name, environments)}',
                hint=f"environments: {', '.join(environments)}",
            )
