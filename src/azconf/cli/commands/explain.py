"""``azconf explain``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from azconf.cli.options import EnvOrVersionOption, Format, format_option
from azconf.errors import UsageError

if TYPE_CHECKING:
    from azconf.config.located import KeyPath
    from azconf.config.project import Project
    from azconf.explain import Explanation


def explain(
    ctx: typer.Context,
    arguments: Annotated[
        list[str],
        typer.Argument(
            metavar="[ENV] PATH",
            help="The environment or version (prod, prod@12), then a path such as services.web.replicas.",
        ),
    ],
    env: EnvOrVersionOption = None,
    output: Annotated[Literal[Format.text, Format.json], format_option()] = Format.text,
) -> None:
    """Show where a value came from: the layer that set it and every value it overrode."""
    from azconf.cli.common import at_most_one, one_environment

    usage = "explain ENV[@VERSION] PATH"
    chosen, rest = one_environment(env, arguments, usage)
    path = at_most_one(rest, usage)
    if path is None:
        raise typer.BadParameter("name the value to explain, e.g. services.web.replicas", param_hint="PATH")
    raise typer.Exit(run(ctx.obj, chosen, path, output.value))


def run(project_dir: Path | None, env: str, path_text: str, output: str) -> int:
    """Print where the value at ``path_text`` in ``env`` came from."""
    from azconf.cli.common import open_project, resolve_or_stop
    from azconf.config.located import parse_path
    from azconf.explain import explain
    from azconf.report.explanation import render_json, render_text

    path = parse_path(path_text)
    if path is None:
        raise UsageError(
            f'malformed path "{path_text}"',
            hint='write it like services.web.replicas, flags."my.flag".state or services.web.flags[0]',
        )
    project = open_project(project_dir)
    from azconf.gitrefs import split_git_ref
    from azconf.history.refs import is_version_ref

    git = split_git_ref(env)
    if git is not None:
        return _explain_git(project, *git, path, output)
    if is_version_ref(env, project.manifest.environments):
        return _explain_version(project, env, path, output)
    resolution = resolve_or_stop(project, env)

    try:
        explanation = explain(resolution, path, project.source_line)
    except UsageError:  # no layer sets it: a default, or (with a better suggestion) nothing
        explanation = _default(project, env, path)
    sys.stdout.write((render_json if output == "json" else render_text)(explanation))
    return 0


def _explain_version(project: Project, ref: str, path: KeyPath, output: str) -> int:
    from azconf.explain import explain_version
    from azconf.report.explanation import render_version_json, render_version_text

    explanation = explain_version(project, ref, path)
    sys.stdout.write((render_version_json if output == "json" else render_version_text)(explanation))
    return 0


def _explain_git(project: Project, env: str, revision: str, path: KeyPath, output: str) -> int:
    """Explain a value as the files were in a git revision: with their file:line:col at that revision."""
    from azconf.cli.common import resolve_or_stop
    from azconf.explain import explain
    from azconf.gitrefs import project_at
    from azconf.report.explanation import render_json, render_text

    with project_at(project, revision) as (then, _):
        explanation = explain(resolve_or_stop(then, env), path, then.source_line)
        explanation.env = f"{env}@git:{revision}"
        sys.stdout.write((render_json if output == "json" else render_text)(explanation))
    return 0


def _default(project: Project, env: str, path: KeyPath) -> Explanation:
    """The model's default at ``path`` (``routes.health.auth`` is ``jwt`` when no layer sets it)."""
    from azconf.environment import load_environment
    from azconf.explain import explain_default

    return explain_default(env, load_environment(project, env).model, path)
