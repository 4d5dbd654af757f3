"""Render one environment for the chosen targets: context in, every target's files synced or checked."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from azconf.config.project import Project
from azconf.errors import DataError
from azconf.model.sections import Environment
from azconf.render import TARGETS, target
from azconf.render.base import RenderContext, RenderError
from azconf.render.output import OutputReport, sync_folder


@dataclass(frozen=True)
class Source:
    """What to render: a valid environment's model and data, and how files should name it."""

    env: str
    model: Environment
    data: dict[str, Any]
    version: str
    content_hash: str


def render(
    project: Project, source: Source, names: list[str], *, out: Path | None, check: bool
) -> list[tuple[str, OutputReport]]:
    """Render ``source`` for each target in ``names`` (all of them are built before any is written)."""
    built: list[tuple[str, Path, dict[str, str]]] = []
    violations: list[str] = []
    for name in names:
        try:
            folder, files = _build(project, source, name, out)
        except RenderError as error:
            violations += [f"{error.target}: {v}" for v in error.violations]
            continue
        built.append((name, folder, files))
    if violations:
        raise DataError(
            f"cannot render {source.env}: {len(violations)} rule(s) of the consuming tools broken",
            hint="\n  ".join(violations),
        )
    return [(name, sync_folder(folder, files, check=check)) for name, folder, files in built]


def _build(project: Project, source: Source, name: str, out: Path | None) -> tuple[Path, dict[str, str]]:
    chosen = target(name)
    options = _options(project, name, chosen.options_model)
    context = RenderContext(
        project=project.manifest.project,
        env=source.env,
        model=source.model,
        data=source.data,
        version=source.version,
        content_hash=source.content_hash,
        options=options,
        environments=tuple(project.manifest.environments),
        root=project.root,
    )
    files = chosen.render(context)
    folder = (
        out / name
        if out
        else project.root / options.out.replace("{env}", source.env).replace("{target}", name)
    )
    return folder, files


def _options(project: Project, name: str, model: Any) -> Any:
    raw = next((value for key, value in project.manifest.render.items() if key == name), {})
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        raise DataError(
            f"azconf.yaml: render.{name}.{where}: {first['msg']}",
            hint=f"see docs/render.md for the options of the {name} target",
        ) from None


def all_targets() -> list[str]:
    """Every target name, in the documented order."""
    return list(TARGETS)
