"""The edit commands as a careful user meets them: every write recorded truly, promotion that leaves
what belongs to one environment alone, writers that never lose or half-apply (issue 12's reports)."""

from __future__ import annotations

import os
import pty
import random
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from azconf_e2e import Run, RunAzconf, azconf_executable, write_tree


@pytest.fixture
def fresh(azconf: RunAzconf, tmp_path: Path) -> Path:
    """``azconf init p && cd p && azconf commit -m base``."""
    assert azconf("init", tmp_path / "p").returncode == 0
    assert azconf("-C", tmp_path / "p", "commit", "-m", "base").returncode == 0
    return tmp_path / "p"


def shown(azconf: RunAzconf, project: Path, ref: str, path: str) -> Any:
    run = azconf("-C", project, "show", "--env", ref, path, "--format", "json")
    assert run.returncode == 0, run.stderr
    return run.json()


def log(azconf: RunAzconf, project: Path, env: str) -> list[dict[str, Any]]:
    run = azconf("-C", project, "log", "--env", env, "--format", "json")
    assert run.returncode == 0, run.stderr
    return run.json()["versions"]  # type: ignore[no-any-return]


def audit(azconf: RunAzconf, project: Path, env: str) -> list[dict[str, Any]]:
    run = azconf("-C", project, "audit", "--env", env, "--format", "json")
    assert run.returncode == 0, run.stderr
    return run.json()["entries"]  # type: ignore[no-any-return]


def test_set_records_one_version_with_the_new_value(azconf: RunAzconf, fresh: Path) -> None:
    run = azconf("-C", fresh, "set", "prod", "services.web.replicas", "9", "--yes", "-m", "nine")
    assert run.returncode == 0, run.stderr
    assert "prod: recorded prod@2 (nine)" in run.stdout
    versions = log(azconf, fresh, "prod")
    assert [(v["number"], v["message"]) for v in versions] == [(2, "nine"), (1, "base")]
    assert shown(azconf, fresh, "prod@latest", "services.web.replicas") == 9
    last = audit(azconf, fresh, "prod")[-1]
    assert (last["action"], last["resource_id"], last["version"]) == ("set", "services.web", "prod@2")
    assert (last["old_value"]["replicas"], last["new_value"]["replicas"]) == (3, 9)


def test_promote_records_its_message_when_confirmed_at_a_terminal(azconf: RunAzconf, fresh: Path) -> None:
    azconf("-C", fresh, "set", "dev", "services.web.image", "ghcr.io/example/web:1.1.0", "--yes")
    run = run_in_terminal(["-C", str(fresh), "promote", "dev", "staging", "-m", "release 1.1"], answer="y\n")
    assert "Apply these changes?" in run and "staging: recorded staging@2 (release 1.1)" in run, run
    assert log(azconf, fresh, "staging")[0]["message"] == "release 1.1"
    assert shown(azconf, fresh, "staging@latest", "services.web.image") == "ghcr.io/example/web:1.1.0"


def test_a_set_and_an_unset_after_a_promote_record_their_own_changes(azconf: RunAzconf, fresh: Path) -> None:
    azconf("-C", fresh, "set", "dev", "services.web.env.LOG_LEVEL", "debug", "--yes")
    assert azconf("-C", fresh, "promote", "dev", "staging", "--yes", "-m", "promo").returncode == 0
    assert (
        azconf("-C", fresh, "set", "staging", "services.web.replicas", "2", "--yes", "-m", "two").returncode
        == 0
    )
    entries = audit(azconf, fresh, "staging")
    by_message = {(e["version"], e["action"], e["resource_id"]) for e in entries}
    assert ("staging@2", "promote", "services.web") in by_message
    assert ("staging@3", "set", "services.web") in by_message
    two = [e for e in entries if e["version"] == "staging@3"]
    assert [(e["old_value"]["replicas"], e["new_value"]["replicas"]) for e in two] == [(1, 2)]
    assert azconf("-C", fresh, "unset", "staging", "services.web.replicas", "--yes").returncode == 0
    assert shown(azconf, fresh, "staging@latest", "services.web.replicas") == 1
    assert shown(azconf, fresh, "staging", "services.web.replicas") == 1


def test_edits_made_by_hand_before_a_write_are_recorded_apart(azconf: RunAzconf, fresh: Path) -> None:
    settings = fresh / "config/envs/prod/settings.yaml"
    settings.write_text(settings.read_text().replace("example.com", "shop.example.com"))
    azconf("-C", fresh, "set", "prod", "services.web.replicas", "5", "--yes", "-m", "five")
    versions = log(azconf, fresh, "prod")
    assert [v["message"] for v in versions[:2]] == [
        "five",
        "working tree before set (edits not committed until then)",
    ]
    five = [e["resource_id"] for e in audit(azconf, fresh, "prod") if e["version"] == versions[0]["ref"]]
    assert five == ["services.web"]


def test_nothing_is_recorded_when_nothing_is_written(azconf: RunAzconf, fresh: Path) -> None:
    run = azconf("-C", fresh, "set", "prod", "services.web.replicas", "3", "--yes")
    assert "prod: nothing to change" in run.stdout
    dry = azconf("-C", fresh, "set", "prod", "services.web.replicas", "4", "--dry-run")
    assert dry.returncode == 0 and "dry run: nothing written" in dry.stdout
    assert len(log(azconf, fresh, "prod")) == 1


def test_a_new_project_promotes_without_copying_hostnames(azconf: RunAzconf, fresh: Path) -> None:
    run = azconf("-C", fresh, "promote", "dev", "staging", "--yes")
    assert run.returncode == 0, run.stderr
    assert "settings.public_hostname: kept by config/envs/staging/settings.yaml:2" in run.stdout
    assert shown(azconf, fresh, "staging", "settings.public_hostname") == "staging.example.com"


def test_the_readme_promotion_keeps_what_prod_owns(azconf: RunAzconf, repo: Path) -> None:
    owned = {
        "services.auth.settings.auth.mfa_required": True,
        "services.payments.settings.db.pool_size": 25,
        "flags.new-checkout.targeting": {"fractional": [{"var": "targetingKey"}, ["on", 10], ["off", 90]]},
        "services.analytics.settings.analytics.sampling_rate": 0.25,
        "settings.public_hostname": "app.azora.dev",
        "services.web.replicas": 6,
    }
    mfa_line = "        mfa_required: true     # azconf:keep mandatory MFA for every prod account"
    assert mfa_line in (repo / "config/envs/prod/services.yaml").read_text()
    dry = azconf("-C", repo, "promote", "staging", "prod", "--dry-run")
    assert "services.auth.settings.auth.mfa_required: kept by config/envs/prod/services.yaml:16" in dry.stdout
    run = azconf("-C", repo, "promote", "staging", "prod", "-m", "release 2.9", "--yes")
    assert run.returncode == 0, run.stderr
    for path, value in owned.items():
        assert shown(azconf, repo, "prod", path) == value, path
    assert shown(azconf, repo, "prod", "services.web.image") == "ghcr.io/azora/web:2.9.0"
    assert mfa_line in (repo / "config/envs/prod/services.yaml").read_text()


def test_naming_an_excluded_or_kept_path_says_so(azconf: RunAzconf, repo: Path) -> None:
    excluded = azconf("-C", repo, "promote", "staging", "prod", "services.payments.replicas", "--dry-run")
    assert excluded.returncode == 1
    assert 'excluded by promotion.exclude "services.*.replicas"' in excluded.stderr
    kept = azconf(
        "-C", repo, "promote", "staging", "prod", "services.auth.settings.auth.mfa_required", "--dry-run"
    )
    assert kept.returncode == 1 and "kept by config/envs/prod/services.yaml:16" in kept.stderr


def test_a_glob_promotes_only_the_image_tags(azconf: RunAzconf, repo: Path) -> None:
    run = azconf("-C", repo, "promote", "staging", "prod", "services.*.image", "--yes", "-m", "images")
    assert run.returncode == 0, run.stderr
    diff = azconf("-C", repo, "diff", "prod@latest~1", "prod@latest", "--format", "json").json()
    paths = sorted(change["path"] for change in diff["changes"])
    assert paths == ["services.payments.image", "services.web.image"]
    nothing = azconf("-C", repo, "promote", "staging", "prod", "services.*.imag", "--dry-run")
    assert nothing.returncode == 2 and "matches nothing" in nothing.stderr


def test_promoting_against_the_chain_is_named_a_backport(azconf: RunAzconf, repo: Path) -> None:
    run = azconf("-C", repo, "promote", "prod", "staging", "--dry-run")
    assert run.returncode == 2 and "against the promotion chain" in run.stderr and "backport" in run.stderr


def test_a_deleted_key_over_a_flow_mapping_gives_valid_yaml(azconf: RunAzconf, tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "flow",
        {
            "azconf.yaml": "version: 1\nproject: flow\nenvironments: [staging, prod]\n"
            "layers: [config/base, 'config/envs/{env}']\n",
            "config/base/settings.yaml": "settings:\n  customers:\n"
            "    acme: {seats: 5}\n    beta: {seats: 1}\n",
            "config/envs/staging/settings.yaml": "settings:\n  customers:\n    acme: null\n",
            "config/envs/prod/settings.yaml": "settings:\n  customers:\n    acme: {seats: 506}   # big\n",
        },
    )
    for command in (
        ["promote", "staging", "prod", "--yes"],
        ["set", "prod", "settings.customers.beta", "null", "--yes"],
    ):
        run = azconf("-C", root, *command)
        assert run.returncode == 0, run.stderr
    assert (root / "config/envs/prod/settings.yaml").read_text() == (
        "settings:\n  customers:\n    acme: null   # big\n    beta: null\n"
    )
    assert azconf("-C", root, "validate").returncode == 0


def test_restore_brings_a_version_back_and_records_it(azconf: RunAzconf, fresh: Path) -> None:
    azconf("-C", fresh, "set", "prod", "services.web.replicas", "7", "--yes")
    azconf("-C", fresh, "set", "prod", "services.web.env.LOG_LEVEL", "debug", "--yes")
    run = azconf("-C", fresh, "restore", "prod@1", "--yes")
    assert run.returncode == 0, run.stderr
    assert "prod: recorded prod@4 (restore prod@1)" in run.stdout
    assert azconf("-C", fresh, "diff", "prod@1", "prod", "--exit-code").returncode == 0
    text = (fresh / "config/envs/prod/services.yaml").read_text()
    assert "replicas: 3               # azconf:keep sized for production traffic" in text
    partial = azconf("-C", fresh, "restore", "prod@2", "services.web.replicas", "--yes")
    assert partial.returncode == 0 and shown(azconf, fresh, "prod", "services.web.replicas") == 7
    assert shown(azconf, fresh, "prod", "services.web.env.LOG_LEVEL") == "info"
    assert azconf("-C", fresh, "restore", "prod", "--dry-run").returncode == 2


# -- concurrency and crashes ------------------------------------------------------------------------


def test_parallel_writers_lose_no_acknowledged_write(azconf: RunAzconf, fresh: Path) -> None:
    acknowledged: list[str] = []
    for round_number in range(4):
        keys = [f"K{round_number}_{i}" for i in range(8)]
        processes = {
            key: subprocess.Popen(
                [
                    azconf_executable(),
                    "-C",
                    str(fresh),
                    "set",
                    "prod",
                    f"services.web.env.{key}",
                    key,
                    "--yes",
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for key in keys
        }
        for key, process in processes.items():
            _, stderr = process.communicate(timeout=120)
            assert process.returncode == 0, stderr.decode()
            acknowledged.append(key)
    env = shown(azconf, fresh, "prod", "services.web.env")
    assert all(env[key] == key for key in acknowledged)
    assert shown(azconf, fresh, "prod@latest", "services.web.env") == env
    assert len(log(azconf, fresh, "prod")) == 1 + len(acknowledged)


def two_file_project(azconf: RunAzconf, repo: Path) -> dict[str, str]:
    """The example with history, where `promote staging prod` edits two files; prod's files now."""
    assert azconf("-C", repo, "commit", "-m", "base").returncode == 0
    before = prod_files(repo)
    run = azconf("-C", repo, "promote", "staging", "prod", "--dry-run")
    assert "config/envs/prod/flags.yaml:" in run.stdout and "config/envs/prod/services.yaml:" in run.stdout
    return before


def prod_files(root: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted((root / "config/envs/prod").glob("*.yaml"))}


@pytest.mark.parametrize("trial", range(8))
def test_a_promote_killed_anywhere_leaves_the_old_or_the_new_state(
    azconf: RunAzconf, repo: Path, tmp_path: Path, trial: int
) -> None:
    before = two_file_project(azconf, repo)
    after_root = tmp_path / "after"
    _copy_project(repo, after_root)
    assert azconf("-C", after_root, "promote", "staging", "prod", "--yes", "-m", "release").returncode == 0
    after = prod_files(after_root)
    points = ["journal", "file", "record"]
    env = {**os.environ, "NO_COLOR": "1"}
    if trial < len(points):  # stop at a named point, then kill
        env["AZCONF_TEST_PAUSE_IN_EDIT"] = f"{points[trial]}:30"
    process = subprocess.Popen(
        [azconf_executable(), "-C", str(repo), "promote", "staging", "prod", "--yes", "-m", "release"],
        stderr=subprocess.PIPE,
        env=env,
    )
    if trial < len(points):
        assert process.stderr is not None
        assert b"test pause" in process.stderr.readline()
    else:  # at a random moment
        time.sleep(random.Random(trial).uniform(0.05, 0.9))
    process.send_signal(signal.SIGKILL)
    process.wait()
    check = azconf("-C", repo, "validate")  # the next start finishes or undoes the write
    assert check.returncode == 0, check.stderr
    state = prod_files(repo)
    assert state in (before, after), trial
    latest = azconf("-C", repo, "diff", "prod@latest", "prod", "--exit-code")
    assert latest.returncode == 0, latest.stdout  # history and files agree
    assert not (repo / ".azconf/edit-journal.json").exists()


def _copy_project(source: Path, target: Path) -> None:
    import shutil

    shutil.copytree(source, target)


def run_in_terminal(args: list[str], answer: str) -> str:
    """Run azconf with a pseudo-terminal as stdin (so it asks), answer, and return what it printed."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [azconf_executable(), *args],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env={**os.environ, "NO_COLOR": "1"},
    )
    os.close(follower)
    output = b""
    deadline = time.monotonic() + 60
    answered = False
    while time.monotonic() < deadline:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
        if not answered and b"Apply these changes?" in output:
            os.write(leader, answer.encode())
            answered = True
    process.wait(timeout=60)
    os.close(leader)
    return output.decode("utf-8", "replace").replace("\r\n", "\n")


_ = Run  # the type of every azconf() result in this module
