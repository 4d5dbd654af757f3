"""``azconf validate``.

Its arguments are environments, or files: an argument with a ``.`` or a ``/`` (environment names have
neither) is a file, and every project that contains one of them is validated. That is how the
pre-commit hook, run from a repository's top, validates a project in a subfolder.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from azconf.cli.common import project_root
from azconf.config.manifest import MANIFEST_NAME
from azconf.errors import EXIT_OK, EXIT_PROBLEMS, UsageError

if TYPE_CHECKING:
    from azconf.problems import Location, Problem
    from azconf.validate import ValidationResult


def run(
    project_dir: Path | None, arguments: list[str], output: str, strict: bool, verbose: bool = False
) -> int:
    """Validate and print the report; exit 1 when anything fails."""
    from azconf.report import reporter
    from azconf.validate import validate

    files = [a for a in arguments if is_file_argument(a)]
    envs = [a for a in arguments if not is_file_argument(a)]
    if files and envs:
        raise UsageError("give environments or files, not both", hint="azconf validate [ENV]... or [FILE]...")
    roots = projects_of(files) if files else [project_root(project_dir)]
    if files and not roots:
        sys.stderr.write("azconf: no azconf project contains the given files; nothing to validate\n")
    if len(roots) > 1 and output in ("json", "sarif"):
        raise UsageError(f"the files belong to {len(roots)} projects; --format {output} reports one")
    ok = True
    for root in roots:
        result = validate(root, envs, strict=strict)
        result.verbose = verbose
        if output != "text" or files:  # machines, and hooks run from the repository's top
            result = repository_relative(result)
        sys.stdout.write(reporter(output)(result))
        ok &= result.ok
    return EXIT_OK if ok else EXIT_PROBLEMS


def is_file_argument(argument: str) -> bool:
    """Whether an argument names a file rather than an environment (a DNS label: no dot, no slash)."""
    return "." in argument or "/" in argument


def projects_of(files: list[str]) -> list[Path]:
    """The project folders (with an azconf.yaml) that contain ``files``, each once, in order."""
    roots: dict[Path, None] = {}
    for file in files:
        for folder in Path(file).absolute().parents:
            if (folder / MANIFEST_NAME).is_file():
                roots[folder] = None
                break
    return list(roots)


def repository_relative(result: ValidationResult) -> ValidationResult:
    """``result`` with paths relative to the git repository's top (where annotations and code
    scanning look for files), when the project is inside one; unchanged otherwise."""
    top = _repository_top(result.root.resolve())
    if top is None or top == result.root.resolve():
        return result
    prefix = result.root.resolve().relative_to(top).as_posix()

    def moved(location: Location) -> Location:
        file = f"{prefix}/{location.file}" if location.file else prefix
        return dataclasses.replace(location, file=file)

    def problem(found: Problem) -> Problem:
        related = tuple(moved(location) for location in found.related)
        return dataclasses.replace(found, location=moved(found.location), related=related)

    return dataclasses.replace(result, root=top, problems=[problem(p) for p in result.problems])


def _repository_top(folder: Path) -> Path | None:
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return None
