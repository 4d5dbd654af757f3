"""``azconf render`` end to end: writing, re-rendering, drift checks, stale and foreign files, and
several environments in one run (all valid, or nothing written)."""

from __future__ import annotations

from pathlib import Path

import pytest
from azconf_e2e import RunAzconf

from azconf.render.output import RECORD_NAME


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"AZCONF_DB": str(tmp_path / "history.db"), "AZCONF_ACTOR": "ci@example.com"}


def retire_web_static(repo: Path) -> None:
    """Delete the web-static route in prod (and drop it from the web service's list of routes)."""
    overlay = repo / "config" / "envs" / "prod"
    routes = overlay / "routes.yaml"
    routes.write_text(routes.read_text(encoding="utf-8") + "  web-static: null\n", encoding="utf-8")
    services = overlay / "services.yaml"
    text = services.read_text(encoding="utf-8")
    assert "  web:\n    replicas: 6\n" in text
    services.write_text(
        text.replace("    replicas: 6\n", "    replicas: 6\n    routes: [web]\n", 1), encoding="utf-8"
    )


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative path -> bytes)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_a_second_render_writes_nothing_and_the_bytes_are_the_same(
    azconf: RunAzconf, repo: Path, env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    first = azconf("-C", repo, "render", "--env", "prod", "--out", out, env=env)
    assert first.returncode == 0, first.stderr
    assert "kubernetes: 39 written, 0 unchanged, 0 removed" in first.stdout
    before = tree(out)
    second = azconf("-C", repo, "render", "--env", "prod", "--out", out, env=env)
    assert second.returncode == 0
    assert "kubernetes: 0 written, 39 unchanged, 0 removed" in second.stdout
    assert tree(out) == before
    assert not [name for name in before if name.endswith(".tmp")]


def test_check_reports_missing_different_and_extra_files_and_exits_1(
    azconf: RunAzconf, repo: Path, env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert azconf("-C", repo, "render", "--env", "prod", "--out", out, env=env).returncode == 0
    clean = azconf("-C", repo, "render", "--env", "prod", "--out", out, "--check", env=env)
    assert clean.returncode == 0
    assert f"kubernetes: up to date ({out / 'kubernetes'})" in clean.stdout

    (out / "kubernetes" / "service-web.yaml").write_text("edited by hand\n", encoding="utf-8")
    (out / "flagd" / "flags.flagd.json").unlink()
    retire_web_static(repo)
    before = tree(out)
    drift = azconf("-C", repo, "render", "--env", "prod", "--out", out, "--check", env=env)
    assert drift.returncode == 1, drift.stderr
    assert f"different: {out / 'kubernetes' / 'service-web.yaml'}" in drift.stdout
    assert f"missing: {out / 'flagd' / 'flags.flagd.json'}" in drift.stdout
    assert f"extra: {out / 'kubernetes' / 'httproute-web-static.yaml'}" in drift.stdout
    assert "kubernetes: drift" in drift.stdout and "flagd: drift" in drift.stdout
    assert tree(out) == before  # a check writes nothing


def test_check_prints_a_unified_diff_of_each_file_and_stat_only_the_names(
    azconf: RunAzconf, repo: Path, env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert azconf("-C", repo, "render", "--env", "prod", "--out", out, env=env).returncode == 0
    service = out / "kubernetes" / "service-web.yaml"
    rendered = service.read_text(encoding="utf-8")
    assert "    port: 3000\n" in rendered
    service.write_text(rendered.replace("    port: 3000\n", "    port: 3001\n", 1), encoding="utf-8")
    (out / "flagd" / "flags.flagd.json").unlink()
    retire_web_static(repo)
    stale = (out / "kubernetes" / "httproute-web-static.yaml").read_text(encoding="utf-8")
    args = ("-C", repo, "render", "--env", "prod", "--out", out, "--check", "--target")

    check = azconf(*args, "kubernetes", env=env)
    assert check.returncode == 1, check.stderr
    lines = check.stdout.splitlines()
    # The hand edit, as a unified diff from the disk to what a render writes.
    at = lines.index(f"--- {service}")
    assert lines[at + 1] == f"+++ {service}" and lines[at + 2].startswith("@@ ")
    hunk = lines[at + 2 : lines.index("kubernetes: drift (" + str(out / "kubernetes") + ")")]
    assert "-    port: 3001" in hunk and "+    port: 3000" in hunk, hunk
    # A file no longer produced: all of it removed.
    extra = out / "kubernetes" / "httproute-web-static.yaml"
    at = lines.index(f"--- {extra}")
    assert lines[at + 1] == "+++ /dev/null"
    assert [line[1:] for line in lines[at + 3 : at + 3 + stale.count("\n")]] == stale.splitlines()

    missing = azconf(*args, "flagd", env=env)
    flags = out / "flagd" / "flags.flagd.json"
    assert "--- /dev/null" in missing.stdout and f"+++ {flags}" in missing.stdout
    assert '+  "$schema": "https://flagd.dev/schema/v0/flags.json",' in missing.stdout

    stat = azconf(*args, "kubernetes", "--stat", env=env)
    assert stat.returncode == 1
    assert stat.stdout.splitlines() == [
        line for line in lines if line.startswith(("different:", "extra:", "missing:"))
    ] + [f"kubernetes: drift ({out / 'kubernetes'})"]
    assert not any(line.startswith(("---", "+++", "@@")) for line in stat.stdout.splitlines())


def test_stat_without_check_is_a_usage_error(azconf: RunAzconf, repo: Path, env: dict[str, str]) -> None:
    run = azconf("-C", repo, "render", "--env", "prod", "--stat", env=env)
    assert run.returncode == 2
    assert "--stat lists the files a --check finds out of date" in run.stderr and "add --check" in run.stderr


def test_only_renders_into_the_configured_folders_move_rendered(
    azconf: RunAzconf, repo: Path, env: dict[str, str], tmp_path: Path
) -> None:
    def rendered_replicas() -> str:
        shown = azconf("-C", repo, "show", "--env", "prod@rendered", "services.web.replicas", env=env)
        assert shown.returncode == 0, shown.stderr
        return shown.stdout.strip()

    def render_entries() -> list[object]:
        audit = azconf("-C", repo, "audit", "--resource", "render", "--format", "json", env=env)
        return list(audit.json()["entries"])

    assert azconf("-C", repo, "render", "--env", "prod", "--target", "flagd", env=env).returncode == 0
    assert rendered_replicas() == "6" and len(render_entries()) == 1
    services = repo / "config" / "envs" / "prod" / "services.yaml"
    services.write_text(
        services.read_text(encoding="utf-8").replace("    replicas: 6\n", "    replicas: 9\n", 1)
    )

    # A scratch render: files written, nothing recorded.
    scratch = azconf("-C", repo, "render", "--env", "prod", "--out", tmp_path / "scratch", env=env)
    assert scratch.returncode == 0, scratch.stderr
    assert (tmp_path / "scratch" / "flagd" / "flags.flagd.json").is_file()
    assert rendered_replicas() == "6" and len(render_entries()) == 1
    log = azconf("-C", repo, "log", "--env", "prod", "--format", "json", env=env).json()
    assert [v["message"] for v in log["versions"]] == ["render"]  # no version for the scratch content

    # --out naming the configured folders is a render into them: recorded.
    again = azconf(
        "-C", repo, "render", "--env", "prod", "--target", "flagd", "--out", repo / "deploy" / "prod", env=env
    )
    assert again.returncode == 0, again.stderr
    assert rendered_replicas() == "9" and len(render_entries()) == 2


def test_stale_files_are_removed_and_foreign_files_never_touched(
    azconf: RunAzconf, repo: Path, env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert azconf("-C", repo, "render", "--env", "prod", "--out", out, env=env).returncode == 0
    foreign = out / "kubernetes" / "README.md"
    foreign.write_text("kept by the platform team\n", encoding="utf-8")
    retire_web_static(repo)
    run = azconf("-C", repo, "render", "--env", "prod", "--out", out, env=env)
    assert run.returncode == 0, run.stderr
    # Every file names the config version it came from, so a change of config rewrites them all.
    assert "kubernetes: 38 written, 0 unchanged, 1 removed" in run.stdout
    assert not (out / "kubernetes" / "httproute-web-static.yaml").exists()
    assert not (out / "tyk" / "apps" / "azora-web-static.json").exists()
    assert foreign.read_text(encoding="utf-8") == "kept by the platform team\n"
    assert "README.md" not in (out / "kubernetes" / RECORD_NAME).read_text(encoding="utf-8")


def test_several_environments_render_in_one_run_as_they_do_one_by_one(
    azconf: RunAzconf, repo: Path, env: dict[str, str], tmp_path: Path
) -> None:
    together = azconf(
        "-C",
        repo,
        "render",
        "--env",
        "staging",
        "--env",
        "prod",
        "--out",
        tmp_path / "all" / "{env}",
        env=env,
    )
    assert together.returncode == 0, together.stderr
    assert "staging: kubernetes:" in together.stdout and "prod: flagd:" in together.stdout
    for name in ("staging", "prod"):
        alone = azconf("-C", repo, "render", "--env", name, "--out", tmp_path / "one" / name, env=env)
        assert alone.returncode == 0
        assert tree(tmp_path / "all" / name) == tree(tmp_path / "one" / name)
    scratch = azconf("-C", repo, "log", "--format", "json", env=env).json()
    assert [v for v in scratch["versions"] if v["rendered"]] == []  # --out: scratch copies
    deployed = azconf("-C", repo, "render", "--env", "staging", "--env", "prod", env=env)
    assert deployed.returncode == 0, deployed.stderr
    rendered = azconf("-C", repo, "log", "--format", "json", env=env).json()
    assert {v["env"] for v in rendered["versions"] if v["rendered"]} == {"staging", "prod"}


def test_one_invalid_environment_stops_them_all_before_anything_is_written(
    azconf: RunAzconf, repo: Path, env: dict[str, str], tmp_path: Path
) -> None:
    # dev reads a secret from env://, which only a developer's machine has: not renderable.
    run = azconf("-C", repo, "render", "--env", "prod", "--env", "dev", "--out", tmp_path / "{env}", env=env)
    assert run.returncode == 1
    assert "cannot render dev:" in run.stderr and "nothing was written" in run.stderr
    assert "only resolves on a developer's machine" in run.stderr
    assert not (tmp_path / "prod").exists() and not (tmp_path / "dev").exists()


def test_an_environment_that_does_not_validate_stops_the_run_with_its_problems_and_nothing_written(
    azconf: RunAzconf, repo: Path, env: dict[str, str], tmp_path: Path
) -> None:
    # Files are built while the checks finish: an error they find must still stop every write.
    services = repo / "config" / "envs" / "prod" / "services.yaml"
    text = services.read_text(encoding="utf-8")
    services.write_text(
        text.replace("    replicas: 6\n", "    replicas: 6\n    secrets: [no-such-secret]\n", 1)
    )
    run = azconf(
        "-C", repo, "render", "--env", "staging", "--env", "prod", "--out", tmp_path / "{env}", env=env
    )
    assert run.returncode == 1, run.stderr
    assert "AZC0301" in run.stderr and "no-such-secret" in run.stderr
    assert "config/envs/prod/services.yaml:" in run.stderr  # file:line:col of the reference
    assert 'environment "prod" is not valid' in run.stderr
    assert not (tmp_path / "prod").exists() and not (tmp_path / "staging").exists()
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize("number", [".nan", ".inf", "1.0e+999"])
def test_a_number_json_cannot_hold_is_reported_where_it_is_written(
    azconf: RunAzconf, repo: Path, env: dict[str, str], tmp_path: Path, number: str
) -> None:
    settings = repo / "config" / "envs" / "prod" / "settings.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + f"  spare: {number}\n", encoding="utf-8")
    run = azconf("-C", repo, "render", "--out", tmp_path / "{env}", env=env)
    assert run.returncode == 1, run.stderr  # not exit 3: the environment is invalid, not azconf
    assert "AZC0117" in run.stderr and "config/envs/prod/settings.yaml:" in run.stderr
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr
    assert not list(tmp_path.glob("*/kubernetes"))


def test_every_environment_is_the_default(azconf: RunAzconf, repo: Path, env: dict[str, str]) -> None:
    run = azconf("-C", repo, "render", "--check", env=env)
    assert run.returncode == 1  # dev is not renderable: every environment was attempted
    assert "cannot render dev:" in run.stderr


def test_an_output_folder_that_cannot_be_written_is_a_clear_error(
    azconf: RunAzconf, repo: Path, env: dict[str, str], tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the output folder should be\n", encoding="utf-8")
    run = azconf("-C", repo, "render", "--env", "prod", "--out", blocker / "out", env=env)
    assert run.returncode == 1
    assert f"azconf: error: cannot write {blocker / 'out'}" in run.stderr
    assert "Not a directory" in run.stderr and "hint: point --out" in run.stderr
    assert blocker.read_text(encoding="utf-8") == "a file where the output folder should be\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--env", "staging", "--env", "prod", "--out", "build"), "--out build would receive 2 environments"),
        (("--from", "prod@1", "--env", "staging", "--env", "prod"), "--from renders one recorded version"),
        (
            ("--env", "prod", "--target", "kubernetess"),
            'unknown target "kubernetess" (did you mean "kubernetes"?)',
        ),
        (
            (
                "--env",
                "prd",
            ),
            'unknown environment "prd" (did you mean "prod"?)',
        ),
    ],
)
def test_bad_arguments_are_usage_errors(
    azconf: RunAzconf, repo: Path, env: dict[str, str], args: tuple[str, ...], message: str
) -> None:
    run = azconf("-C", repo, "render", *args, env=env)
    assert run.returncode == 2
    assert message in run.stderr
    assert not (repo / "deploy").exists() and not (repo / "build").exists()
