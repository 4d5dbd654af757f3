"""``ENV@git:REF``: environments as they were in a git commit, for a project in a repository's subfolder."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from azconf_e2e import EXAMPLE, RunAzconf


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=ci", "-c", "user.email=ci@example.com", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@pytest.fixture
def nested(tmp_path: Path) -> Path:
    """A repository whose azconf project is infra-config/, with two commits on a branch."""
    repo = tmp_path / "repo"
    project = repo / "infra-config"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns(".azconf", "deploy"))
    (repo / "README.md").write_text("a larger repository\n")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    git(repo, "checkout", "-qb", "raise-web")
    services = project / "config/envs/prod/services.yaml"
    services.write_text(services.read_text().replace("replicas: 6", "replicas: 8"))
    git(repo, "commit", "-qam", "web: 8")
    return project


def test_a_pull_request_diff_against_the_target_branch(azconf: RunAzconf, nested: Path) -> None:
    run = azconf("-C", nested, "diff", "prod@git:main", "prod", "--format", "json", "--exit-code")
    assert run.returncode == 1
    assert [(c["path"], c["old"], c["new"]) for c in run.json()["changes"]] == [
        ("services.web.replicas", 6, 8)
    ]
    same = azconf("-C", nested, "diff", "prod@git:HEAD", "prod", "--exit-code")
    assert same.returncode == 0 and "no differences" in same.stdout


def test_show_and_explain_read_the_files_of_the_commit(azconf: RunAzconf, nested: Path) -> None:
    assert azconf("-C", nested, "show", "prod@git:HEAD~1", "services.web.replicas").stdout == "6\n"
    explained = azconf("-C", nested, "explain", "prod@git:main", "services.web.replicas").stdout
    assert "services.web.replicas = 6   [prod@git:main]" in explained
    assert "config/envs/prod/services.yaml:5:15" in explained and "5 |     replicas: 6" in explained


def test_git_is_read_not_checked_out(azconf: RunAzconf, nested: Path) -> None:
    before = git(nested.parent, "status", "--porcelain=v2", "--branch")
    azconf("-C", nested, "diff", "prod@git:main", "prod")
    assert git(nested.parent, "status", "--porcelain=v2", "--branch") == before


def test_render_from_and_restore_to_a_git_version(azconf: RunAzconf, nested: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = azconf("-C", nested, "render", "--from", "prod@git:main", "--env", "prod", "--out", out)
    assert run.returncode == 0, run.stderr
    assert "replicas: 4" in (out / "kubernetes/deployment-payments.yaml").read_text()
    restored = azconf("-C", nested, "restore", "prod@git:main", "--yes", "-m", "back to main")
    assert restored.returncode == 0, restored.stderr
    assert azconf("-C", nested, "diff", "prod@git:main", "prod", "--exit-code").returncode == 0
    assert "prod: recorded prod@" in restored.stdout


def test_bad_git_versions_are_usage_errors(azconf: RunAzconf, nested: Path, tmp_path: Path) -> None:
    unknown = azconf("-C", nested, "diff", "prod@git:no-such-branch", "prod")
    assert unknown.returncode == 2 and 'git does not know "no-such-branch"' in unknown.stderr
    git(nested.parent, "checkout", "-q", "--orphan", "empty")
    git(nested.parent, "rm", "-rq", "--cached", ".")
    git(nested.parent, "commit", "-q", "--allow-empty", "-m", "nothing")
    missing = azconf("-C", nested, "diff", "prod@git:empty", "prod")
    assert missing.returncode == 2 and "did not exist" in missing.stderr
    outside = tmp_path / "plain"
    shutil.copytree(EXAMPLE, outside, ignore=shutil.ignore_patterns(".azconf", "deploy"))
    not_git = azconf("-C", outside, "show", "prod@git:HEAD")
    assert not_git.returncode == 2 and "not in a git repository" in not_git.stderr


def test_machine_formats_name_files_from_the_repository_top(azconf: RunAzconf, nested: Path) -> None:
    routes = nested / "config/envs/prod/routes.yaml"
    routes.write_text(routes.read_text().replace("\n  payments:\n", "\n  payments:\n    service: payment\n"))
    github = azconf("-C", nested, "validate", "--format", "github").stdout
    assert "::error file=infra-config/config/envs/prod/routes.yaml,line=6,col=14," in github
    sarif = azconf("-C", nested, "validate", "--format", "sarif").json()
    run = sarif["runs"][0]
    assert run["originalUriBaseIds"]["PROJECTROOT"]["uri"] == nested.parent.resolve().as_uri() + "/"
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert "infra-config/config/envs/prod/routes.yaml" in uris
    text = azconf("-C", nested, "validate").stdout
    assert "\nconfig/envs/prod/routes.yaml:6:14: error" in "\n" + text  # people inside the project
    from_top = azconf("validate", "infra-config/config/envs/prod/routes.yaml", cwd=nested.parent).stdout
    assert "infra-config/config/envs/prod/routes.yaml:6:14: error AZC0301" in from_top
