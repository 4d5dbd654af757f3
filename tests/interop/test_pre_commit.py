"""The pre-commit hook for real: ``pre-commit try-repo`` on a repository whose project is in a subfolder.

pre-commit installs this repository (with its uncommitted changes) into a hook environment from the
package index, as a user's pre-commit would: about a minute.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "azora"

pytestmark = pytest.mark.interop


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=ci", "-c", "user.email=ci@example.com", *args], cwd=repo, check=True
    )


def test_the_hook_validates_a_project_in_a_subfolder(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    project = repo / "infra-config"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns(".azconf", "deploy"))
    routes = project / "config/envs/prod/routes.yaml"
    good = routes.read_text()
    routes.write_text(good.replace("\n  payments:\n", "\n  payments:\n    service: payment\n"))
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "a typo in prod")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit"), "NO_COLOR": "1"}
    pre_commit = [str(Path(sys.executable).with_name("pre-commit")), "try-repo", str(ROOT), "azconf-validate"]

    failed = subprocess.run(
        [*pre_commit, "--all-files"], cwd=repo, env=env, capture_output=True, text=True, check=False
    )
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "azconf validate" in failed.stdout and "Failed" in failed.stdout
    located = "infra-config/config/envs/prod/routes.yaml:6:14: error AZC0301 routes.payments.service"
    assert f'{located}: unknown service "payment"' in failed.stdout

    routes.write_text(good)
    git(repo, "commit", "-qam", "fixed")
    passed = subprocess.run(
        [*pre_commit, "--all-files"], cwd=repo, env=env, capture_output=True, text=True, check=False
    )
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout
