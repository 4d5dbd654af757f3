"""``azconf promote``, ``set``, ``unset`` and ``restore``: edits of an environment's overlay.

Each builds a plan, shows it, asks, validates, writes and records.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from azconf.errors import EXIT_OK, DataError, UsageError

if TYPE_CHECKING:
    from azconf.config.project import Project
    from azconf.edit.plan import Plan


ActorOption = Annotated[str | None, typer.Option("--actor", help="Who is making the change.")]
MessageOption = Annotated[str | None, typer.Option("--message", "-m", help="Why (recorded).")]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]
DryRunOption = Annotated[bool, typer.Option("--dry-run", help="Print the plan; write nothing.")]


@dataclass(frozen=True)
class EditOptions:
    """Options shared by promote, set and unset."""

    dry_run: bool
    yes: bool
    message: str | None
    actor: str | None


def promote(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="From: an environment or a version such as staging@4.")],
    destination: Annotated[str, typer.Argument(help="To: the next environment in the chain.")],
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            help="Only these paths or globs, e.g. 'services.*.image' (default: every difference)."
        ),
    ] = None,
    dry_run: DryRunOption = False,
    yes: YesOption = False,
    message: MessageOption = None,
    skip_chain: Annotated[
        bool,
        typer.Option(
            "--skip-chain", help="Allow skipping an environment of the chain (recorded in the audit log)."
        ),
    ] = False,
    actor: ActorOption = None,
) -> None:
    """Make DESTINATION resolve to SOURCE's values: a plan first, comments and formatting kept."""
    options = EditOptions(dry_run, yes, message, actor)
    raise typer.Exit(promote_command(ctx.obj, source, destination, paths or [], skip_chain, options))


def set_value(
    ctx: typer.Context,
    env: Annotated[str, typer.Argument(help="The environment.")],
    path: Annotated[str, typer.Argument(help="The value's path, e.g. services.web.replicas.")],
    value: Annotated[str, typer.Argument(help="A YAML scalar or flow collection: 3, true, [GET, POST].")],
    string: Annotated[bool, typer.Option("--string", help="Take VALUE as a string, as is.")] = False,
    dry_run: DryRunOption = False,
    yes: YesOption = False,
    message: MessageOption = None,
    actor: ActorOption = None,
) -> None:
    """Set one value in an environment's overlay (validated first, written atomically, recorded)."""
    options = EditOptions(dry_run, yes, message, actor)
    raise typer.Exit(set_command(ctx.obj, env, path, value, string, options))


def unset(
    ctx: typer.Context,
    env: Annotated[str, typer.Argument(help="The environment.")],
    path: Annotated[str, typer.Argument(help="The overridden value's path.")],
    dry_run: DryRunOption = False,
    yes: YesOption = False,
    message: MessageOption = None,
    actor: ActorOption = None,
) -> None:
    """Remove an environment's override so the value comes from the layers below again."""
    options = EditOptions(dry_run, yes, message, actor)
    raise typer.Exit(unset_command(ctx.obj, env, path, options))


def restore(
    ctx: typer.Context,
    version: Annotated[str, typer.Argument(help="The version to go back to, e.g. prod@12 or prod@latest~1.")],
    paths: Annotated[
        list[str] | None,
        typer.Argument(help="Only these paths or globs (default: everything)."),
    ] = None,
    dry_run: DryRunOption = False,
    yes: YesOption = False,
    message: MessageOption = None,
    actor: ActorOption = None,
) -> None:
    """Make an environment's files resolve to a recorded version again (a plan first, recorded)."""
    options = EditOptions(dry_run, yes, message, actor)
    raise typer.Exit(restore_command(ctx.obj, version, paths or [], options))


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
    from azconf.config.resolve import Resolver
    from azconf.diff.sides import is_version_ref, load_side
    from azconf.edit.promote import check_chain, plan_promotion

    project = open_project(project_dir)
    src_env = load_side(project, Resolver(project), source).env
    chain_note = check_chain(project, src_env, destination, skip_chain=skip_chain)
    selectors = [_path(p) for p in paths]

    def build(fresh: Project) -> Plan:
        side = load_side(fresh, Resolver(fresh), source)
        return plan_promotion(fresh, side, destination, selectors)

    label = source if is_version_ref(project, source) else src_env
    note = f"promote {label} -> {destination}" + (" (chain skipped)" if chain_note else "")
    return _carry_out(project, build, options, note, action="promote", audit_note=chain_note)


def set_command(
    project_dir: Path | None, env: str, path_text: str, value_text: str, string: bool, options: EditOptions
) -> int:
    """``azconf set ENV PATH VALUE``."""
    from azconf.cli.common import open_project
    from azconf.edit.plan import Planner

    project = open_project(project_dir)
    _known_env(project, env)
    path = _path(path_text)
    value = value_text if string else _parse_value(value_text)

    def build(fresh: Project) -> Plan:
        planner = Planner(fresh, env)
        planner.want(path, value)
        return planner.plan()

    return _carry_out(project, build, options, f"set {path_text}", action="set")


def unset_command(project_dir: Path | None, env: str, path_text: str, options: EditOptions) -> int:
    """``azconf unset ENV PATH``."""
    from azconf.cli.common import open_project
    from azconf.edit.plan import Planner

    project = open_project(project_dir)
    _known_env(project, env)
    path = _path(path_text)

    def build(fresh: Project) -> Plan:
        planner = Planner(fresh, env)
        if not planner.remove_override(path):
            raise DataError(
                f'{path_text} is not set by the "{env}" overlay ({planner.folder})',
                hint=f"`azconf explain --env {env} {path_text}` shows which layer sets it",
            )
        return planner.plan()

    return _carry_out(project, build, options, f"unset {path_text}", action="unset")


def restore_command(project_dir: Path | None, ref: str, paths: list[str], options: EditOptions) -> int:
    """``azconf restore ENV@N [PATH]...``."""
    from azconf.cli.common import open_project
    from azconf.edit.restore import plan_restore

    project = open_project(project_dir)
    if "@" not in ref:
        raise UsageError(f'"{ref}" is not a version', hint=f"name one, e.g. {ref}@12 or {ref}@latest~1")
    env, label, snapshot = _restore_source(project, ref)
    selectors = [_path(p) for p in paths]

    def build(fresh: Project) -> Plan:
        return plan_restore(fresh, env, snapshot, label, selectors)

    return _carry_out(project, build, options, f"restore {label}", action="restore")


def _restore_source(project: Project, ref: str) -> tuple[str, str, dict[str, Any]]:
    """The environment, label and snapshot a restore goes back to: a recorded version or a git one."""
    from azconf.gitrefs import split_git_ref
    from azconf.history.api import load_ref

    if split_git_ref(ref) is not None:
        from azconf.config.resolve import Resolver
        from azconf.diff.sides import load_side

        side = load_side(project, Resolver(project), ref)
        return side.env, side.label, side.data
    version, snapshot = load_ref(project, ref)
    return version.env, version.ref, snapshot


# -- shared steps -----------------------------------------------------------------------------------


def _carry_out(
    project: Project,
    build: Callable[[Project], Plan],
    options: EditOptions,
    note: str,
    *,
    action: str,
    audit_note: str | None = None,
) -> int:
    """Plan, show, confirm, then write and record through the one edit path."""
    from azconf.cli.progress import shown
    from azconf.edit.transaction import Recording, check_plan, write_recorded

    confirmed = None
    if options.dry_run or not options.yes:
        with shown(action):
            plan = build(project)
        _print_plan(project, plan)
        if plan.empty:
            typer.echo(f"{plan.env}: nothing to change")
            return EXIT_OK
        with shown(action):
            check_plan(project, plan)
        if options.dry_run:
            typer.echo("dry run: nothing written")
            return EXIT_OK
        _confirm(options)
        confirmed = plan
    recording = Recording(options.message or note, options.actor, action, note=audit_note)
    with shown(action) as line:

        def show(fresh: Project, plan: Plan) -> None:
            line.close()  # the plan is printed on a clean line
            _print_plan(fresh, plan)

        outcome = write_recorded(
            project.root, build, recording, confirmed=confirmed, show=None if confirmed else show
        )
    if not outcome.files:
        typer.echo(f"{outcome.env}: nothing to change")
        return EXIT_OK
    typer.echo(f"{outcome.env}: wrote {', '.join(outcome.files)}")
    if outcome.version is not None:
        typer.echo(f"{outcome.env}: recorded {outcome.version.ref} ({outcome.version.message})")
    return EXIT_OK


def _print_plan(project: Project, plan: Plan) -> None:
    from azconf.cli.styled import print_lines
    from azconf.diff.sides import Side
    from azconf.edit.masked_diff import masked_diff
    from azconf.report.diff_report import render_text

    before = Side(f"{plan.env} (now)", plan.env, {})
    after = Side(f"{plan.env} (planned)", plan.env, {})
    if plan.changes or not plan.files:
        print_lines(render_text(before, after, plan.changes)[2:] or [("no changes", "")])
    else:  # an override equal to what the layers below give: removing it changes no value
        typer.echo(f"no value of {plan.env} changes; only its overlay's text does")
    _print_held_back(plan)
    _print_dropped_keeps(plan)
    for edit in plan.files:
        label = edit.file if edit.before is not None else f"{edit.file} (new file)"
        typer.echo(f"\n{label}:")
        sys.stdout.write(masked_diff(edit))


def _print_dropped_keeps(plan: Plan) -> None:
    """Each key marked ``# azconf:keep`` that the plan removes: the person asked for it (promote holds
    them back), but should not lose an environment-owned value without a word."""
    from azconf.config.located import format_path
    from azconf.edit.yaml_text import YamlText
    from azconf.problems import redact

    for edit in plan.files:
        if edit.before is None:
            continue
        after = {kept.path for kept in YamlText(edit.after, edit.file).kept()}
        for kept in YamlText(edit.before, edit.file).kept():
            if kept.path not in after:
                path, where = format_path(kept.path), f"{edit.file}:{kept.line}"
                typer.echo(redact(f"\nremoves {path}, marked # azconf:keep at {where}: {kept.reason}"))


def _print_held_back(plan: Plan) -> None:
    """What the plan leaves alone on purpose: each kept key, and the excluded paths by pattern."""
    from azconf.config.located import format_path
    from azconf.problems import redact

    if not plan.skipped:
        return
    by_reason: dict[str, list[str]] = {}
    for skipped in plan.skipped:
        by_reason.setdefault(skipped.reason, []).append(format_path(skipped.path))
    typer.echo("\nheld back (not promoted):")
    for reason, paths in by_reason.items():
        if len(paths) == 1:
            typer.echo(redact(f"  = {paths[0]}: {reason}"))
        else:
            typer.echo(redact(f"  = {reason}: {', '.join(paths)}"))


def _confirm(options: EditOptions) -> None:
    if options.yes:
        return
    if not sys.stdin.isatty():
        raise UsageError(
            "refusing to write without confirmation",
            hint="pass --yes (for CI), or --dry-run to only see the plan",
        )
    try:
        answer = typer.confirm("Apply these changes?", default=False)
    except typer.Abort:  # Ctrl-C or end of input at the prompt: an interrupt (exit 130), not "Aborted!"
        raise KeyboardInterrupt from None
    if not answer:
        raise DataError("nothing written", hint="answered no")  # exit 1: the change did not happen


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
            hint="write it like services.web.replicas or services.*.image (lists are set as a whole)",
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
