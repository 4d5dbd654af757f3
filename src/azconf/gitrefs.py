"""Versions from git: ``ENV@git:REF`` is ENV as the project's files were in git commit REF.

CI has no history database (it stays out of git), but it has git: ``azconf diff prod@git:origin/main
prod`` is what a pull request changes in prod. The project's files at REF are read from git's objects
(``git archive REF:<project folder>``) into a temporary folder, never from a checkout: the working
tree, the index and HEAD are left alone. A project in a subfolder of the repository works the same.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from azconf.config.project import Project, load_project
from azconf.errors import DataError, UsageError

MARKER = "@git:"


def split_git_ref(text: str) -> tuple[str, str] | None:
    """``prod@git:origin/main`` -> ("prod", "origin/main"); None when ``text`` names no git revision."""
    env, marker, revision = text.partition(MARKER)
    if not marker:
        return None
    if not env or not revision:
        raise UsageError(
            f'"{text}" is not a git version', hint="write it like prod@git:origin/main or prod@git:HEAD~1"
        )
    return env, revision


@contextmanager
def project_at(project: Project, revision: str) -> Iterator[tuple[Project, str]]:
    """The project as it was at ``revision``, and the commit's short hash, for a ``with`` block."""
    top, prefix = _repository(project.root)
    commit = _git(top, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    if commit is None:
        raise UsageError(
            f'git does not know "{revision}"', hint="fetch it first (git fetch origin), or check the name"
        )
    commit = commit.strip()
    archive = _archive(top, commit, prefix)
    with tempfile.TemporaryDirectory(prefix="azconf-git-") as folder:
        root = Path(folder)
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(root, filter="data")
        if not (root / "azconf.yaml").is_file():
            raise UsageError(f"there was no {prefix or '.'}/azconf.yaml at {revision} ({commit[:12]})")
        then, problems = load_project(root)
        if then is None:
            raise DataError(f"azconf.yaml at {revision} ({commit[:12]}) is not valid", problems=problems)
        yield then, commit[:12]


def _repository(root: Path) -> tuple[Path, str]:
    """The repository's top folder and the project's folder inside it ("" at the top)."""
    top = _git(root, "rev-parse", "--show-toplevel")
    if top is None:
        raise UsageError(
            f"{root} is not in a git repository", hint="ENV@git:REF reads the project's files from git"
        )
    top_path = Path(top.strip()).resolve()
    return top_path, root.resolve().relative_to(top_path).as_posix().removeprefix(".")


def _archive(top: Path, commit: str, prefix: str) -> bytes:
    done = subprocess.run(
        ["git", "-C", str(top), "archive", "--format=tar", f"{commit}:{prefix}"],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["?"]
        raise UsageError(f"the project's folder did not exist at {commit[:12]} ({reason[0]})")
    return done.stdout


def _git(cwd: Path, *args: str) -> str | None:
    """git's output, or None when it fails (not a repository, an unknown revision, no git at all)."""
    try:
        done = subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise UsageError("git is not installed", hint="ENV@git:REF needs the git command") from None
    return done.stdout if done.returncode == 0 else None
