"""The edit commands: build a plan, show it, confirm, validate, write, record."""

from __future__ import annotations

import difflib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from azconf.errors import EXIT_OK, DataError, UsageError

if TYPE_CHECKING:
    from azconf.config.project import Project
    from azconf.edit.plan import Plan


@dataclass(frozen=True)
class EditOptions:
    """Options shared by promote, set and unset."""

    dry_run: bool
    yes: bool
    message: str | None
    actor: str | None
    db: Path | None


def promote_command(
    project_dir: Path | None,
    source: str,
    destination: str,
    paths: list[str],
    skip_chain: bool,
    options: EditOptions,
) -> int:
    """``azconf promote SRC DST [PATH]...``."""
    from azconf.cli.common import open_project
    from azconf.compare import load_side
    from azconf.config.resolve import Resolver
    from azconf.edit.promote import check_chain, plan_promotion

    project = open_project(project_dir)
    side = load_side(project, Resolver(project), source, db=options.db)
    check_chain(project, side.env, destination, skip_chain=skip_chain)
    _warn_if_uncommitted(project, destination, options.db)
    plan = plan_promotion(project, side, destination, [_path(p) for p in paths])
    note = f"promote {side.label} -> {destination}" + (" (chain skipped)" if skip_chain else "")
    return _carry_out(project, plan, options, note, action="promote")


def set_command(
    project_dir: Path | None, env: str, path_text: str, value_text: str, string: bool, options: EditOptions
) -> int:
    """``azconf set ENV PATH VALUE``."""
    from azconf.cli.common import open_project
    from azconf.edit.plan import Planner

    project = open_project(project_dir)
    _known_env(project, env)
    path = _path(path_text)
    planner = Planner(project, env)
    planner.want(path, value_text if string else _parse_value(value_text))
    return _carry_out(project, planner.plan(), options, f"set {path_text}", action="set")


def unset_command(project_dir: Path | None, env: str, path_text: str, options: EditOptions) -> int:
    """``azconf unset ENV PATH``."""
    from azconf.cli.common import open_project
    from azconf.edit.plan import Planner

    project = open_project(project_dir)
    _known_env(project, env)
    planner = Planner(project, env)
    if not planner.remove_override(_path(path_text)):
        raise DataError(
            f'{path_text} is not set by the "{env}" overlay ({planner.folder})',
            hint=f"`azconf explain --env {env} {path_text}` shows which layer sets it",
        )
    return _carry_out(project, planner.plan(), options, f"unset {path_text}", action="unset")


# -- shared steps -----------------------------------------------------------------------------------


def _carry_out(project: Project, plan: Plan, options: EditOptions, note: str, *, action: str) -> int:
    from azconf.edit.apply import check_plan, write_plan

    _print_plan(project, plan)
    if plan.empty:
        typer.echo(f"{plan.env}: nothing to change")
        return EXIT_OK
    check_plan(project, plan)
    if options.dry_run:
        typer.echo("dry run: nothing written")
        return EXIT_OK
    _confirm(options)
    write_plan(project, plan)
    typer.echo(f"{plan.env}: wrote {', '.join(edit.file for edit in plan.files)}")
    _record(project, plan, options, options.message or note, action)
    return EXIT_OK


def _print_plan(project: Project, plan: Plan) -> None:
    from azconf.cli.styled import print_lines
    from azconf.compare import Side
    from azconf.report.diff_report import render_text

    before = Side(f"{plan.env} (now)", plan.env, {})
    after = Side(f"{plan.env} (planned)", plan.env, {})
    print_lines(render_text(before, after, plan.changes)[2:] or [("no changes", "")])
    for edit in plan.files:
        old = (edit.before or "").splitlines(keepends=True)
        new = edit.after.splitlines(keepends=True)
        label = edit.file if edit.before is not None else f"{edit.file} (new file)"
        hidden = _sensitive_strings(edit.before or "") | _sensitive_strings(edit.after)
        lines = difflib.unified_diff(old, new, f"a/{edit.file}", f"b/{edit.file}")
        typer.echo(f"\n{label}:")
        for line in lines:
            sys.stdout.write(_mask(line if line.endswith("\n") else line + "\n", hidden))


def _sensitive_strings(text: str) -> set[str]:
    """The literals in a YAML text that look like secrets (the plan's text diff must not show them)."""
    from azconf.config.yaml_io import parse_yaml
    from azconf.secrets import iter_plaintext_secrets

    data = parse_yaml(text.encode("utf-8"), "plan").data
    found: set[str] = set()
    for path, _ in iter_plaintext_secrets(data):
        value: Any = data
        for part in path:
            value = value[part]
        if isinstance(value, str):
            found.add(value)
    return found


def _mask(line: str, hidden: set[str]) -> str:
    from azconf.report.diff_report import SENSITIVE

    for value in sorted(hidden, key=len, reverse=True):
        line = line.replace(value, SENSITIVE)
    return line


def _confirm(options: EditOptions) -> None:
    if options.yes:
        return
    if not sys.stdin.isatty():
        raise UsageError(
            "refusing to write without confirmation",
            hint="pass --yes (for CI), or --dry-run to only see the plan",
        )
    if not typer.confirm("Apply these changes?", default=False):
        raise DataError("nothing written", hint="answered no")


def _record(project: Project, plan: Plan, options: EditOptions, message: str, action: str) -> None:
    from azconf.history.api import commit_environment

    commit_environment(project, plan.env, message=message, actor=options.actor, action=action, db=options.db)


def _warn_if_uncommitted(project: Project, env: str, db: Path | None) -> None:
    from azconf.history.api import working_tree_differs

    if working_tree_differs(project, env, db=db):
        typer.echo(f"warning: {env} has changes that are not committed (azconf commit --env {env})", err=True)


def _known_env(project: Project, env: str) -> None:
    from azconf.problems import did_you_mean

    if env not in project.manifest.environments:
        raise UsageError(
            f'unknown environment "{env}"{did_you_mean(env, project.manifest.environments)}',
            hint=f"environments: {', '.join(project.manifest.environments)}",
        )


def _path(text: str) -> tuple[str, ...]:
    from azconf.config.located import parse_path

    path = parse_path(text)
    if not path or not all(isinstance(part, str) for part in path):
        raise UsageError(
            f'"{text}" is not a path of keys',
            hint="write it like services.web.replicas (list items are set as a whole list)",
        )
    return tuple(str(part) for part in path)


def _parse_value(text: str) -> Any:
    from azconf.config.yaml_io import parse_yaml

    document = parse_yaml(f"value: {text}\n".encode(), "VALUE")
    if document.problems or "value" not in document.data:
        problem = document.problems[0] if document.problems else None
        reason = problem.message if problem else "not a YAML value"
        raise UsageError(f"cannot read VALUE: {reason}", hint="quote it, or pass --string")
    from azconf.config.located import plain

    return plain(document.data["value"])
