"""``azconf validate``."""

from __future__ import annotations

import sys
from pathlib import Path

from azconf.cli.common import project_root
from azconf.errors import EXIT_OK, EXIT_PROBLEMS


def run(project_dir: Path | None, envs: list[str], output: str, strict: bool, verbose: bool = False) -> int:
    """Validate and print the report; exit 1 when anything fails."""
    from azconf.report import reporter
    from azconf.validate import validate

    root = project_root(project_dir)
    result = validate(root, envs, strict=strict)
    result.verbose = verbose
    sys.stdout.write(reporter(output)(result))
    return EXIT_OK if result.ok else EXIT_PROBLEMS
