"""The checks of ``azconf doctor``: each measures one metric of one component and rates it.

Components: ``config`` (each environment resolves and validates), ``working-tree`` (edits not yet
committed, and their age), ``deploy`` (versions not yet rendered, and their age), ``drift`` (rendered
files edited by hand), ``flags`` (expired, stale, unused), ``secrets`` (local references that do not
resolve here), ``history`` (database integrity, audit chain, size) and ``serve`` (a running flags
service's heartbeat), and ``manifest`` (azconf.yaml itself). Every check reports, even when all is
well, so that a dashboard sees it recover.

A check that does not report this run is either *not applicable any more* (the heartbeat file is gone,
a render target or an environment was removed: its alert resolves) or *not measured* (its environment
was not asked for, is invalid, or the history it reads is unreadable: its alert stays as it is). A
:class:`Measurement` says which: the environments it covered, and what it skipped and why.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from azconf.config.project import Project
from azconf.health.thresholds import DEFAULTS, Levels, Status
from azconf.history.errors import HistoryError

if TYPE_CHECKING:
    from azconf.environment import LoadedEnvironment

HEARTBEAT_NAME = ".azconf/serve-heartbeat.json"


@dataclass(frozen=True)
class Check:
    """One measured metric of one component, rated against its thresholds."""

    component: str
    env: str | None
    metric: str
    value: float
    warning: float | None
    critical: float | None
    status: Status
    message: str
    action: str
    target: str | None = None  # the render target of a drift check

    @property
    def key(self) -> str:
        """What identifies the check across runs (its alert is keyed by it): component/env/target/metric."""
        return "/".join(part for part in (self.component, self.env, self.target, self.metric) if part)

    def labels(self) -> dict[str, str]:
        """Its Prometheus labels (the same set on every check: '' where a part does not apply)."""
        return {
            "component": self.component,
            "env": self.env or "",
            "target": self.target or "",
            "metric": self.metric,
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data (``azconf doctor --format json``, ``/health``)."""
        return {
            "key": self.key,
            "component": self.component,
            "env": self.env,
            "target": self.target,
            "metric": self.metric,
            "value": self.value,
            "warning": self.warning,
            "critical": self.critical,
            "status": self.status.label,
            "message": self.message,
            "action": self.action,
        }


@dataclass(frozen=True)
class Skipped:
    """Checks not measured this run: every check whose key is ``prefix`` or starts with ``prefix/``."""

    prefix: str
    reason: str

    def covers(self, key: str) -> bool:
        """Whether the check ``key`` is one of these."""
        return key == self.prefix or key.startswith(self.prefix + "/")


@dataclass(frozen=True)
class Measurement:
    """The checks of one run, the environments it measured, and what it could not measure."""

    checks: list[Check]
    envs: list[str]
    skipped: list[Skipped]

    def not_measured(self, key: str) -> Skipped | None:
        """Why the check ``key`` was not measured this run, if it was skipped."""
        return next((skip for skip in self.skipped if skip.covers(key)), None)


@dataclass(frozen=True)
class Context:
    """What the checks read: the project, the environments, now, the history database."""

    project: Project
    envs: list[str]
    now: dt.datetime
    db: Path | None
    environ: dict[str, str]

    def levels(self, metric: str) -> Levels:
        """The metric's thresholds: azconf.yaml's ``health.thresholds`` over the defaults."""
        default = DEFAULTS[metric]
        override = self.project.manifest.health.thresholds.get(metric)
        if override is None:
            return default
        fields = override.model_fields_set
        warning = override.warning if "warning" in fields else default.warning
        critical = override.critical if "critical" in fields else default.critical
        return Levels(warning, critical, default.unit)

    def check(
        self,
        component: str,
        env: str | None,
        metric: str,
        value: float,
        *,
        message: str,
        action: str = "",
        target: str | None = None,
    ) -> Check:
        """A :class:`Check` of ``value``, rated by the metric's thresholds; ``action`` only when not ok."""
        levels = self.levels(metric)
        status = levels.status(value)
        shown_action = action if status is not Status.OK else ""
        return Check(
            component,
            env,
            metric,
            round(value, 3),
            levels.warning,
            levels.critical,
            status,
            message,
            shown_action,
            target,
        )


def run_checks(
    project: Project, envs: list[str], *, db: Path | None = None, now: dt.datetime | None = None
) -> list[Check]:
    """Every check, for ``envs`` (all environments when empty), in a stable order."""
    return measure(project, envs, db=db, now=now).checks


def measure(
    project: Project, envs: list[str], *, db: Path | None = None, now: dt.datetime | None = None
) -> Measurement:
    """Every check for ``envs`` (all environments when empty), and what could not be measured."""
    context = Context(
        project,
        envs or list(project.manifest.environments),
        now or dt.datetime.now(dt.UTC),
        db,
        dict(os.environ),
    )
    loaded = _load(context)
    skipped: list[Skipped] = []
    checks = [_config(context, env, loaded.get(env)) for env in context.envs]
    checks += _history_checks(context)
    for env in context.envs:
        env_loaded = loaded.get(env)
        if env_loaded is None or isinstance(env_loaded, list):
            # An invalid environment is the config check's concern; its other checks wait for it.
            reason = f"{env} is not valid"
            skipped += [Skipped(f"{part}/{env}", reason) for part in ("working-tree", "flags", "secrets")]
        else:
            checks += _guarded(skipped, f"working-tree/{env}", _working_tree, context, env)
        checks += _guarded(skipped, f"deploy/{env}", _deploy, context, env)
        checks += _drift(context, env, skipped)
        if env_loaded is not None and not isinstance(env_loaded, list):
            checks += _flags(context, env, env_loaded, skipped)
            checks += _secrets(context, env, env_loaded)
    checks += _serve(context)
    return Measurement(checks, context.envs, skipped)


def _guarded(skipped: list[Skipped], prefix: str, checks: Any, *args: Any) -> list[Check]:
    """``checks(*args)``; nothing (and a :class:`Skipped`) when the history they read is unusable."""
    try:
        return list(checks(*args))
    except HistoryError:  # the history check reports why
        skipped.append(Skipped(prefix, "the history database cannot be used; see history/history_damage"))
        return []


# -- config -----------------------------------------------------------------------------------------


def _load(context: Context) -> dict[str, LoadedEnvironment | list[Any]]:
    """Each environment loaded, or the list of its errors."""
    from azconf.environment import InvalidEnvironment, load_environment

    loaded: dict[str, Any] = {}
    for env in context.envs:
        try:
            loaded[env] = load_environment(context.project, env, today=context.now.date())
        except InvalidEnvironment as invalid:
            loaded[env] = invalid.problems
    return loaded


def _config(context: Context, env: str, loaded: Any) -> Check:
    from azconf.problems import Severity, sorted_problems

    errors = (
        sorted_problems([p for p in loaded if p.severity is Severity.ERROR])
        if isinstance(loaded, list)
        else []
    )
    first = f": {errors[0].location}: {errors[0].message}" if errors else ""  # as validate shows it
    message = f"{len(errors)} error(s){first}" if errors else "resolves and validates"
    return context.check(
        "config", env, "config_errors", len(errors), message=message, action=f"run `azconf validate {env}`"
    )


# -- working tree and deploys -----------------------------------------------------------------------


def _working_tree(context: Context, env: str) -> list[Check]:
    from azconf.history.api import open_history, working_tree_differs

    with open_history(context.project, context.db) as store:
        latest = store.latest(env) if store else None
    if latest is None:
        return [context.check("working-tree", env, "uncommitted_hours", 0, message="no version recorded yet")]
    if not working_tree_differs(context.project, env, db=context.db):
        return [context.check("working-tree", env, "uncommitted_hours", 0, message=f"matches {latest.ref}")]
    since = _parse_time(latest.time)
    edited = _newest_edit(context.project, env, since)
    hours = max((context.now - edited).total_seconds() / 3600, 0.001)
    message = f"edits not committed since {latest.ref}, the oldest changed file {_age(hours)} old"
    action = f"azconf commit --env {env}"
    return [context.check("working-tree", env, "uncommitted_hours", hours, message=message, action=action)]


def _newest_edit(project: Project, env: str, since: dt.datetime) -> dt.datetime:
    """The modification time of the oldest layer file changed after ``since`` (when edits began)."""
    times = []
    for folder in project.manifest.layer_folders(env):
        for path in (project.root / folder).glob("*.y*ml"):
            modified = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
            if modified > since:
                times.append(modified)
    return min(times, default=since)


def _deploy(context: Context, env: str) -> list[Check]:
    from azconf.history.api import open_history

    if not context.project.manifest.render:
        return []  # nothing is rendered from this project
    with open_history(context.project, context.db) as store:
        latest = store.latest(env) if store else None
        rendered = store.rendered(env) if store else None
    if latest is None:
        return []
    if rendered is not None and rendered.number == latest.number:
        return [context.check("deploy", env, "undeployed_hours", 0, message=f"{latest.ref} is rendered")]
    hours = max((context.now - _parse_time(latest.time)).total_seconds() / 3600, 0.001)
    last = f"last rendered {rendered.ref}" if rendered else "never rendered"
    message = f"{latest.ref} not rendered for {_age(hours)} ({last})"
    return [
        context.check(
            "deploy", env, "undeployed_hours", hours, message=message, action=f"azconf render {env}"
        )
    ]


def _drift(context: Context, env: str, skipped: list[Skipped]) -> list[Check]:
    from azconf.errors import AzconfError
    from azconf.render.drift import configured_folders, recorded_drift

    try:
        folders = configured_folders(context.project, env)
    except AzconfError as error:  # a bad render option is validate's concern
        skipped.append(Skipped(f"drift/{env}", f"its render options are not valid ({error.message})"))
        return []
    checks = []
    for target, folder in folders.items():
        drifted = recorded_drift(folder)
        if drifted is None:
            continue  # never rendered there
        shown = context.project.display(folder)
        edited = f"{len(drifted)} file(s) edited since rendered: {', '.join(drifted[:3])}"
        message = edited if drifted else f"as rendered ({shown})"
        action = f"find who edited {shown}, then azconf render {env} --target {target} --force"
        checks.append(
            context.check(
                "drift", env, "drift_files", len(drifted), message=message, action=action, target=target
            )
        )
    return checks


# -- flags and secrets ------------------------------------------------------------------------------


def _flags(context: Context, env: str, loaded: LoadedEnvironment, skipped: list[Skipped]) -> list[Check]:
    flags = loaded.model.flags
    expired = sorted(
        name for name, flag in flags.items() if flag.expires and flag.expires < context.now.date()
    )
    used = used_flags(loaded.model)
    unused = sorted(name for name in flags if name not in used)
    expired_text = _names("expired", expired, "no flag has expired")
    unused_text = _names("used by no service", unused, "every flag is used by a service")
    stale = _guarded(skipped, f"flags/{env}/stale_flags", _stale, context, env, loaded)  # reads history
    return [
        context.check(
            "flags", env, "expired_flags", len(expired), message=expired_text,
            action="remove them from code and config, or move `expires`",
        ),
        *stale,
        context.check(
            "flags", env, "unused_flags", len(unused), message=unused_text,
            action="add them to a service's flags, or remove them",
        ),
    ]  # fmt: skip


def _stale(context: Context, env: str, loaded: LoadedEnvironment) -> list[Check]:
    """Flags unchanged for ``health.stale_flag_days`` (it reads the audit log)."""
    stale = _stale_flags(context, env, list(loaded.model.flags))
    days = context.project.manifest.health.stale_flag_days
    stale_text = _names(f"unchanged for {days}+ days", stale, f"every flag changed in the last {days} days")
    return [
        context.check(
            "flags", env, "stale_flags", len(stale), message=stale_text,
            action="remove flags that are fully rolled out",
        )
    ]  # fmt: skip


def used_flags(model: Any) -> set[str]:
    """The flags an environment's services use: in a service's ``flags`` list or an env value."""
    used: set[str] = set()
    for service in model.services.values():
        used.update(service.flags)
        used.update(value.flag for value in service.env.values() if hasattr(value, "flag"))
    return used


def last_flag_changes(project: Project, env: str, db: Path | str | None) -> dict[str, dt.datetime]:
    """When each flag last changed in ``env``: the time of its newest audit entry (by flag name, a
    name holding a dot too: its entries are ``flags."ui.dark-mode"``)."""
    from azconf.history.api import last_changes
    from azconf.history.items import item_name

    last: dict[str, dt.datetime] = {}
    for resource, time in last_changes(project, "flags", env=env, db=db).items():
        name = item_name("flags", resource)
        if name is not None:
            when = _parse_time(time)
            last[name] = max(last.get(name, when), when)
    return last


def _stale_flags(context: Context, env: str, names: list[str]) -> list[str]:
    """Flags whose last recorded change is older than ``health.stale_flag_days`` (from the audit log)."""
    days = context.project.manifest.health.stale_flag_days
    last = last_flag_changes(context.project, env, context.db)
    cutoff = context.now - dt.timedelta(days=days)
    return sorted(name for name in names if name in last and last[name] < cutoff)


def _secrets(context: Context, env: str, loaded: LoadedEnvironment) -> list[Check]:
    from azconf.render.gateway import gateway_secret_uses
    from azconf.secrets.check import check_secrets
    from azconf.secrets.usage import secret_usage

    usages = secret_usage(loaded.model, loaded.resolution.data, gateway_secret_uses(context.project))
    result = check_secrets(env, usages, environ=context.environ)
    failed = [check.usage.name for check in result.checks if check.failed]
    if not any(check.usage.scheme in ("env", "keyring") for check in result.checks):
        return []  # nothing here resolves locally
    message = _names("needed here but not resolvable", failed, "every local reference resolves")
    action = f"azconf secrets check {env}"
    return [context.check("secrets", env, "unresolved_secrets", len(failed), message=message, action=action)]


# -- history and serve ------------------------------------------------------------------------------


def _history_checks(context: Context) -> list[Check]:
    from azconf.history.api import database_path, verify_audit

    path = database_path(context.project, context.db)
    if not path.exists():
        return [context.check("history", None, "history_damage", 0, message="no history yet")]
    try:
        verdict = verify_audit(context.project, db=context.db)
        damage = 0 if verdict.ok else 1
        message = (
            (verdict.message or "damaged")
            if not verdict.ok
            else f"audit chain intact ({verdict.entries} entries)"
        )
    except HistoryError as error:  # not readable at all: that is the damage to report
        damage, message = 1, error.message.replace(str(path), context.project.display(path))
    size = sum(
        Path(f"{path}{suffix}").stat().st_size for suffix in ("", "-wal") if Path(f"{path}{suffix}").exists()
    )
    mib = size / 2**20
    where = context.project.display(path)
    return [
        context.check(
            "history", None, "history_damage", damage, message=message,
            action="run `azconf audit verify`; restore the database from a backup",
        ),
        context.check(
            "history", None, "history_size_mib", mib, message=f"{mib:.1f} MiB at {where}",
            action="archive old versions, or move history.path to a larger disk",
        ),
    ]  # fmt: skip


def _serve(context: Context) -> list[Check]:
    """The heartbeat a running `azconf serve` writes for this project (none when none runs)."""
    path = context.project.root / HEARTBEAT_NAME
    try:
        beat = json.loads(path.read_text(encoding="utf-8"))
        when = _parse_time(str(beat["time"]))
    except (OSError, ValueError, KeyError, TypeError):
        return []
    seconds = max((context.now - when).total_seconds(), 0.001)
    served = ", ".join(f"{env} {ref}" for env, ref in sorted((beat.get("serving") or {}).items()))
    message = f"last heartbeat {seconds:.0f} s ago (pid {beat.get('pid')}, serving {served or 'nothing'})"
    action = "restart `azconf serve`, or remove a stale heartbeat file"
    return [context.check("serve", None, "serve_heartbeat_seconds", seconds, message=message, action=action)]


# -- helpers ----------------------------------------------------------------------------------------


def _parse_time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _age(hours: float) -> str:
    if hours < 1:
        return f"{hours * 60:.0f} min"
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} days"


def _names(what: str, names: list[str], none: str = "") -> str:
    if not names:
        return none or f"none {what}"
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return f"{len(names)} {what}: {shown}"
