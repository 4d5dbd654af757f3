"""promote, set and unset on a copy of the example: minimal, validated, comment-keeping edits."""

from __future__ import annotations

import difflib
import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
from azconf_e2e import EXAMPLE, Run, RunAzconf, azconf_executable

from azconf.config.project import Project, load_project
from azconf.edit.plan import excluded


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "azora"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("deploy", ".azconf"))
    return root


def snapshot_files(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".azconf" not in p.parts
    }


def remaining_paths(azconf: RunAzconf, root: Path, a: str, b: str) -> list[str]:
    run = azconf("-C", root, "diff", a, b, "--format", "json")
    assert run.returncode == 0, run.stderr
    return [change["path"] for change in run.json()["changes"]]


def promotable(root: Path, path: str) -> bool:
    project, _ = load_project(root)
    assert project is not None
    return not excluded(tuple(path.split(".")), project.manifest.promotion.exclude)


def test_promote_makes_every_promotable_difference_disappear(azconf: RunAzconf, project: Path) -> None:
    before = snapshot_files(project)
    run = azconf("-C", project, "promote", "dev", "staging", "--yes", "-m", "release train")
    assert run.returncode == 0, run.stderr
    assert [p for p in remaining_paths(azconf, project, "dev", "staging") if promotable(project, p)] == []
    after = snapshot_files(project)
    touched = {name for name in after if before.get(name) != after[name]}
    assert touched and all(name.startswith("config/envs/staging/") for name in touched)


def test_promote_keeps_every_comment_and_untouched_line(azconf: RunAzconf, project: Path) -> None:
    overlay = project / "config/envs/staging/services.yaml"
    original = overlay.read_text(encoding="utf-8")
    assert azconf("-C", project, "promote", "dev", "staging", "services.web.image", "--yes").returncode == 0
    edited = overlay.read_text(encoding="utf-8")
    removed = [
        line[2:] for line in difflib.ndiff(original.splitlines(), edited.splitlines()) if line[:2] == "- "
    ]
    assert len(removed) == 1 and "image:" in removed[0]
    new_line = next(line for line in edited.splitlines() if "image:" in line and "web:2.10" in line)
    # The value changed; the comment after it stayed.
    assert removed[0].split("#", 1)[1] == new_line.split("#", 1)[1]


def test_the_plan_shows_the_changes_and_the_text_diff(azconf: RunAzconf, project: Path) -> None:
    before = snapshot_files(project)
    run = azconf("-C", project, "promote", "dev", "staging", "--dry-run")
    assert run.returncode == 0, run.stderr
    assert "~ services.web.image:" in run.stdout
    assert "--- a/config/envs/staging/services.yaml" in run.stdout
    assert "dry run: nothing written" in run.stdout
    assert snapshot_files(project) == before


def test_promotion_follows_the_chain(azconf: RunAzconf, project: Path) -> None:
    run = azconf("-C", project, "promote", "dev", "prod", "--yes")
    assert run.returncode == 2
    assert 'the next environment after "dev" is "staging"' in run.stderr
    skipped = azconf("-C", project, "promote", "dev", "prod", "services.web.image", "--yes", "--skip-chain")
    assert skipped.returncode == 0, skipped.stderr
    log = azconf("-C", project, "log", "--env", "prod", "--format", "json")
    assert "chain skipped" in log.stdout


def test_excluded_paths_are_never_promoted(azconf: RunAzconf, project: Path) -> None:
    replicas = "services.web.replicas"
    assert azconf("-C", project, "promote", "dev", "staging", "--yes").returncode == 0
    show = azconf("-C", project, "show", "--env", "staging", replicas)
    assert show.stdout.strip() == "2"  # staging keeps its own capacity (services.*.replicas is excluded)


def test_an_invalid_result_writes_nothing(azconf: RunAzconf, project: Path) -> None:
    # dev points web at a flag that exists only in dev: promoting that one value would break staging.
    assert azconf("-C", project, "set", "dev", "flags.dev-only-flag", "true", "--yes").returncode == 0
    flag = "{flag: dev-only-flag}"
    assert azconf("-C", project, "set", "dev", "services.web.env.BETA_ONLY", flag, "--yes").returncode == 0
    assert azconf("-C", project, "validate", "--env", "dev").returncode == 0
    before = snapshot_files(project)
    run = azconf("-C", project, "promote", "dev", "staging", "services.web.env", "--yes")
    assert run.returncode == 1
    assert 'unknown flag "dev-only-flag"' in run.stderr and "nothing was written" in run.stderr
    assert snapshot_files(project) == before


def test_no_confirmation_without_a_terminal_writes_nothing(project: Path) -> None:
    before = snapshot_files(project)
    done = subprocess.run(
        [azconf_executable(), "-C", str(project), "promote", "dev", "staging"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2 and "--yes" in done.stderr
    assert snapshot_files(project) == before


def test_set_and_unset(azconf: RunAzconf, project: Path) -> None:
    path = "services.payments.replicas"
    assert azconf("-C", project, "set", "prod", path, "7", "--yes").returncode == 0
    assert azconf("-C", project, "show", "--env", "prod", path).stdout.strip() == "7"
    assert azconf("-C", project, "unset", "prod", path, "--yes").returncode == 0
    explain = azconf("-C", project, "explain", "--env", "prod", path)
    assert "config/base/services.yaml" in explain.stdout.splitlines()[1]
    again = azconf("-C", project, "unset", "prod", path, "--yes")
    assert again.returncode == 1 and "is not set by" in again.stderr


def test_unsetting_a_kept_value_says_so(azconf: RunAzconf, project: Path) -> None:
    # prod's rollout step is marked `# azconf:keep` (promote leaves it alone); an explicit unset may
    # remove it, but says what it removes. Here it equals what the layers below give: no value changes.
    run = azconf("-C", project, "unset", "prod", "flags.new-checkout.targeting", "--yes")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "no value of prod changes; only its overlay's text does"
    assert (
        "removes flags.new-checkout.targeting, marked # azconf:keep at config/envs/prod/flags.yaml:4: "
        "prod's rollout step (staging runs wider)"
    ) in lines
    assert "azconf:keep" not in (project / "config/envs/prod/flags.yaml").read_text(encoding="utf-8")


def test_setting_a_kept_value_to_what_the_base_gives_keeps_it_and_its_marker(
    azconf: RunAzconf, project: Path
) -> None:
    # prod's mfa_required is kept (`# azconf:keep`); the base says false. Setting prod to false would
    # normally remove the override; a kept one stays, marker and all, so promote still leaves it alone.
    path = "services.auth.settings.auth.mfa_required"
    assert azconf("-C", project, "set", "prod", path, "false", "--yes").returncode == 0
    overlay = (project / "config/envs/prod/services.yaml").read_text(encoding="utf-8")
    assert "mfa_required: false     # azconf:keep mandatory MFA for every prod account" in overlay
    assert azconf("-C", project, "set", "staging", path, "true", "--yes").returncode == 0
    promote = azconf("-C", project, "promote", "staging", "prod", "--dry-run")
    assert f"= {path}: kept by config/envs/prod/services.yaml:16" in promote.stdout


def test_paths_in_messages_quote_dotted_names_so_they_can_be_pasted(azconf: RunAzconf, project: Path) -> None:
    base = project / "config/base/flags.yaml"
    base.write_text(base.read_text(encoding="utf-8") + '  "ui.banner": false\n', encoding="utf-8")
    prod = project / "config/envs/prod/flags.yaml"
    prod.write_text(prod.read_text(encoding="utf-8") + '  "ui.banner": true  # azconf:keep prod owns it\n')
    staging = project / "config/envs/staging/flags.yaml"
    staging.write_text(staging.read_text(encoding="utf-8") + '  "ui.banner": false\n', encoding="utf-8")
    held = azconf("-C", project, "promote", "staging", "prod", "--dry-run")
    assert '  = flags."ui.banner": kept by config/envs/prod/flags.yaml:' in held.stdout
    refused = azconf("-C", project, "promote", "staging", "prod", 'flags."ui.banner"', "--dry-run")
    assert refused.returncode == 1, refused.stderr
    assert refused.stderr.startswith('azconf: error: flags."ui.banner" is not promoted: it is kept by')


def test_a_shorthand_flag_set_back_to_what_the_base_says_follows_the_base_again(
    azconf: RunAzconf, project: Path
) -> None:
    overlay = project / "config/envs/prod/flags.yaml"
    original = overlay.read_text(encoding="utf-8")
    for state in ("DISABLED", "ENABLED"):  # base: `dark-mode: true`, a shorthand for an enabled flag
        run = azconf("-C", project, "set", "prod", "flags.dark-mode.state", state, "--yes")
        assert run.returncode == 0, run.stderr
    assert overlay.read_text(encoding="utf-8") == original


def test_set_refuses_an_invalid_value_and_unreadable_yaml(azconf: RunAzconf, project: Path) -> None:
    before = snapshot_files(project)
    typed = azconf("-C", project, "set", "prod", "services.web.replicas", "many", "--yes")
    assert typed.returncode == 1 and "AZC0203" in typed.stderr
    trap = azconf("-C", project, "set", "prod", "routes.web.strip_path", "yes", "--yes")
    assert trap.returncode == 2 and "YAML 1.1" in trap.stderr
    assert snapshot_files(project) == before


def test_set_creates_the_sections_file_when_missing(azconf: RunAzconf, project: Path) -> None:
    (project / "config/envs/prod/flags.yaml").unlink()  # prod's only flags override: now it has none
    run: Run = azconf("-C", project, "set", "prod", "flags.dark-mode", "false", "--yes")
    assert run.returncode == 0, run.stderr
    assert (project / "config/envs/prod/flags.yaml").read_text(
        encoding="utf-8"
    ) == "flags:\n  dark-mode: false\n"


def test_a_file_changed_after_the_plan_was_confirmed_is_not_overwritten(project: Path) -> None:
    from azconf.edit.plan import Plan, Planner
    from azconf.edit.transaction import Conflict, Recording, write_recorded

    def build(loaded: Project) -> Plan:
        planner = Planner(loaded, "prod")
        planner.want(("services", "web", "replicas"), 9)
        return planner.plan()

    loaded, _ = load_project(project)
    assert loaded is not None
    confirmed = build(loaded)
    target = project / confirmed.files[0].file
    target.write_text(target.read_text(encoding="utf-8") + "# edited meanwhile\n", encoding="utf-8")
    with pytest.raises(Conflict, match="changed after the plan was shown"):
        write_recorded(project, build, Recording("nine", None, "set"), confirmed=confirmed)
    assert target.read_text(encoding="utf-8").endswith("# edited meanwhile\n")
