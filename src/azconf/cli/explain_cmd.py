"""``azconf explain``."""

from __future__ import annotations

import sys
from pathlib import Path

from azconf.cli.common import open_project, resolve_or_stop
from azconf.config.located import Path as KeyPath
from azconf.config.located import parse_path
from azconf.config.project import Project
from azconf.errors import UsageError


def run(project_dir: Path | None, env: str, path_text: str, output: str) -> int:
    """Print where the value at ``path_text`` in ``env`` came from."""
    from azconf.explain import explain
    from azconf.report.explanation import render_json, render_text

    path = parse_path(path_text)
    if path is None:
        raise UsageError(
            f'malformed path "{path_text}"',
            hint='write it like services.web.replicas, flags."my.flag".state or services.web.flags[0]',
        )
    project = open_project(project_dir)
    from azconf.history.refs import is_version_ref

    if is_version_ref(env, project.manifest.environments):
        return _explain_version(project, env, path, output)
    resolution = resolve_or_stop(project, env)

    explanation = explain(resolution, path, project.source_line)
    sys.stdout.write((render_json if output == "json" else render_text)(explanation))
    return 0


def _explain_version(project: Project, ref: str, path: KeyPath, output: str) -> int:
    from azconf.explain import explain_version
    from azconf.report.explanation import render_version_json, render_version_text

    explanation = explain_version(project, ref, path)
    sys.stdout.write((render_version_json if output == "json" else render_version_text)(explanation))
    return 0
