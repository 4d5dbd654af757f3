"""``azconf show``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from azconf.cli.options import EnvOrVersionOption, Format, format_option
from azconf.errors import UsageError

if TYPE_CHECKING:
    from azconf.config.project import Project


def show(
    ctx: typer.Context,
    arguments: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[ENV] [PATH]",
            help="The environment or version (prod, prod@12), then a subtree such as services.web.",
        ),
    ] = None,
    env: EnvOrVersionOption = None,
    output: Annotated[Literal[Format.yaml, Format.json], format_option()] = Format.yaml,
    defaults: Annotated[
        bool, typer.Option("--defaults", help="Fill in every default: the config as the renderers see it.")
    ] = False,
) -> None:
    """Print an environment's resolved config, or one subtree of it."""
    from azconf.cli.common import at_most_one, one_environment

    chosen, rest = one_environment(env, arguments or [], "show ENV[@VERSION] [PATH]")
    path = at_most_one(rest, "show ENV[@VERSION] [PATH]")
    raise typer.Exit(run(ctx.obj, chosen, path, output.value, defaults=defaults))


def run(
    project_dir: Path | None, env: str, path_text: str | None, output: str, *, defaults: bool = False
) -> int:
    """Print the resolved config of ``env`` (or the subtree at ``path_text``)."""
    from azconf.cli.common import open_project
    from azconf.config.located import parse_path, plain
    from azconf.config.yaml_emit import emit_yaml
    from azconf.explain import lookup

    path = parse_path(path_text or "")
    if path is None:
        raise UsageError(f'malformed path "{path_text}"', hint="write it like services.web")
    project = open_project(project_dir)
    data = _with_defaults(project, env) if defaults else _data(project, env)
    try:
        value = lookup(data, path)
    except UsageError:
        _refuse_second_environment(project, env, path_text or "")
        raise
    if output == "json":
        import json

        sys.stdout.write(json.dumps(plain(value), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(emit_yaml(value))
    return 0


def _refuse_second_environment(project: Project, env: str, path_text: str) -> None:
    """A path that is an environment (``show prod --env staging``) names the environment twice."""
    named = path_text.split("@", 1)[0]
    if named in project.manifest.environments:
        raise UsageError(
            f"the environment is given twice ({env} and {path_text})",
            hint=f"azconf show {path_text} [PATH], or azconf show --env {env} [PATH]",
        )


def _data(project: Project, env: str) -> Any:
    """The working tree of ``env``, or a recorded version (``prod@12``, ``@3fa2c1``) from history."""
    from azconf.cli.common import resolve_or_stop
    from azconf.gitrefs import split_git_ref
    from azconf.history.refs import is_version_ref

    if split_git_ref(env) is not None:
        from azconf.config.resolve import Resolver
        from azconf.diff.sides import load_side

        return load_side(project, Resolver(project), env).data
    if not is_version_ref(env, project.manifest.environments):
        return resolve_or_stop(project, env).data
    from azconf.history.api import load_ref

    return load_ref(project, env)[1]


def _with_defaults(project: Project, env: str) -> Any:
    """The typed model of ``env`` (a working tree, a version or a git version) with every default."""
    from azconf.explain import typed_data
    from azconf.gitrefs import split_git_ref
    from azconf.history.refs import is_version_ref

    git = split_git_ref(env)
    if git is not None:
        from azconf.environment import load_environment
        from azconf.gitrefs import project_at

        with project_at(project, git[1]) as (then, _):
            return typed_data(load_environment(then, git[0]).model)
    if is_version_ref(env, project.manifest.environments):
        from azconf.render.inputs import version_source

        return typed_data(version_source(project, env, None).model)
    from azconf.environment import load_environment

    return typed_data(load_environment(project, env).model)
