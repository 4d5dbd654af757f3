"""``azconf show``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from azconf.cli.common import open_project, resolve_or_stop
from azconf.config.located import parse_path, plain
from azconf.errors import UsageError


def run(project_dir: Path | None, env: str, path_text: str | None, output: str) -> int:
    """Print the resolved config of ``env`` (or the subtree at ``path_text``)."""
    from azconf.config.yaml_io import dump_yaml
    from azconf.explain import lookup

    path = parse_path(path_text or "")
    if path is None:
        raise UsageError(f'malformed path "{path_text}"', hint="write it like services.web")
    project = open_project(project_dir)
    value = lookup(resolve_or_stop(project, env).data, path)
    if output == "json":
        sys.stdout.write(json.dumps(plain(value), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(dump_yaml(value))
    return 0
