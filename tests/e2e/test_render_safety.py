"""``azconf render`` never reaches outside its folder (issue 13, items 1, 2 and 12): a crafted record
removes nothing, links and foreign files are refused by name, a killed render is cleaned up."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from azconf_e2e import RunAzconf, azconf_executable

from azconf.render.output import RECORD_NAME


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"AZCONF_DB": str(tmp_path / "history.db"), "AZCONF_ACTOR": "ci@example.com"}


def render(azconf: RunAzconf, repo: Path, out: Path, env: dict[str, str], *args: str) -> tuple[int, str]:
    run = azconf("-C", repo, "render", "--env", "prod", "--out", out, *args, env=env)
    return run.returncode, run.stdout + run.stderr


def test_a_crafted_record_removes_nothing_outside_its_folder(
    azconf: RunAzconf, repo: Path, env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "deploy" / "out"
    victim, victim2 = tmp_path / "victim.txt", tmp_path / "deploy" / "victim2.txt"
    for path in (victim, victim2):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("precious\n", encoding="utf-8")
    folder = out / "kubernetes"
    folder.mkdir(parents=True)
    record = {"files": {str(victim): "x", "../../victim2.txt": "x"}, "generator": "azconf"}
    (folder / RECORD_NAME).write_text(json.dumps(record), encoding="utf-8")

    code, output = render(azconf, repo, out, env, "--target", "kubernetes")
    assert code == 1, output
    assert f"{folder / RECORD_NAME}: lists " in output and "not a plain name inside the folder" in output
    assert victim.read_text(encoding="utf-8") == victim2.read_text(encoding="utf-8") == "precious\n"
    assert "removed" not in output


def test_a_stale_file_edited_since_it_was_rendered_is_kept(
    azconf: RunAzconf, repo: Path, env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert render(azconf, repo, out, env)[0] == 0
    folder = out / "kubernetes"
    record = json.loads((folder / RECORD_NAME).read_text(encoding="utf-8"))
    record["files"]["service-retired.yaml"] = "sha256:" + "0" * 64  # not what the file holds
    (folder / RECORD_NAME).write_text(json.dumps(record), encoding="utf-8")
    (folder / "service-retired.yaml").write_text("edited by hand\n", encoding="utf-8")
    code, output = render(azconf, repo, out, env)
    assert code == 0, output
    assert (folder / "service-retired.yaml").read_text(encoding="utf-8") == "edited by hand\n"
    assert "service-retired.yaml" not in (folder / RECORD_NAME).read_text(encoding="utf-8")


def test_a_linked_subfolder_is_refused_and_nothing_lands_outside(
    azconf: RunAzconf, repo: Path, env: dict[str, str], tmp_path: Path
) -> None:
    out, outside = tmp_path / "out", tmp_path / "outside"
    outside.mkdir()
    (out / "tyk").mkdir(parents=True)
    (out / "tyk" / "apps").symlink_to(outside)
    code, output = render(azconf, repo, out, env)
    assert code == 1, output
    assert output.count(f"{out / 'tyk' / 'apps'}: a symbolic link to a folder") == 1  # once, not per file
    assert "nothing was written" in output
    assert list(outside.iterdir()) == []
    assert not (out / "kubernetes").exists()  # refused before any target wrote anything
    code, output = render(azconf, repo, out, env, "--force")
    assert code == 1 and list(outside.iterdir()) == []  # --force never writes through a link


def test_a_foreign_file_in_the_way_is_refused_by_name_unless_forced(
    azconf: RunAzconf, repo: Path, env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    hand = out / "kubernetes" / "deployment-web.yaml"
    hand.parent.mkdir(parents=True)
    hand.write_text("# written by hand\n", encoding="utf-8")
    code, output = render(azconf, repo, out, env)
    assert code == 1, output
    assert f"{hand}: was not written by azconf" in output and "--force" in output
    assert hand.read_text(encoding="utf-8") == "# written by hand\n"
    assert not (out / "kubernetes" / "service-web.yaml").exists()

    code, output = render(azconf, repo, out, env, "--force")
    assert code == 0, output
    assert hand.read_text(encoding="utf-8").startswith("# Rendered by azconf")


def test_a_rendered_file_edited_by_hand_is_refused_unless_forced(
    azconf: RunAzconf, repo: Path, env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert render(azconf, repo, out, env)[0] == 0
    edited = out / "kubernetes" / "service-web.yaml"
    edited.write_text("edited by hand\n", encoding="utf-8")
    code, output = render(azconf, repo, out, env)
    assert code == 1 and f"{edited}: was changed since azconf wrote it" in output
    assert render(azconf, repo, out, env, "--force")[0] == 0
    assert edited.read_text(encoding="utf-8") != "edited by hand\n"


def test_temporary_files_of_a_killed_render_are_reported_then_removed(
    azconf: RunAzconf, repo: Path, env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert render(azconf, repo, out, env)[0] == 0
    left = [
        out / "kubernetes" / ".service-web.yaml.abcd1234.tmp",
        out / "tyk" / "apps" / ".azora-web.json.x_9y8z7w.tmp",
    ]
    for path in left:
        path.write_text("half a file", encoding="utf-8")
    mine = out / "kubernetes" / ".notes.txt.abcd1234.tmp"  # no file azconf renders is called notes.txt
    mine.write_text("not azconf's\n", encoding="utf-8")

    code, output = render(azconf, repo, out, env, "--check")
    assert code == 1, output
    for path in left:
        assert f"temporary: {path}" in output
    assert "notes.txt" not in output
    code, output = render(azconf, repo, out, env)
    assert code == 0, output
    assert not any(path.exists() for path in left) and mine.exists()
    assert render(azconf, repo, out, env, "--check")[0] == 0


def test_a_render_killed_while_writing_leaves_a_folder_check_describes_exactly(
    repo: Path, env: dict[str, str], tmp_path: Path
) -> None:
    """Kill renders at many points of a rewrite of every file; after each, --check names exactly the
    files that differ from a complete render, and the next render finishes the job."""
    out = tmp_path / "out"
    base = {**os.environ, **env, "XDG_CACHE_HOME": str(tmp_path / ".cache")}
    argv = [azconf_executable(), "-C", str(repo), "render", "--env", "prod", "--out", str(out)]
    assert subprocess.run(argv, env=base, capture_output=True, check=False).returncode == 0
    services = repo / "config" / "envs" / "prod" / "services.yaml"
    text = services.read_text(encoding="utf-8")
    manifest = repo / "azconf.yaml"
    manifest_text = manifest.read_text(encoding="utf-8")
    for attempt, delay in enumerate((0.15, 0.25, 0.35, 0.5, 0.7)):
        # A new value (a new version for every target) and a label on every Kubernetes object.
        services.write_text(text.replace("replicas: 4", f"replicas: {7 + attempt}", 1), encoding="utf-8")
        owner = f"owner: team-{attempt}"
        manifest.write_text(manifest_text.replace("owner: team-platform", owner, 1), encoding="utf-8")
        child = subprocess.Popen(argv, env=base, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait()
        check = subprocess.run([*argv, "--check"], env=base, capture_output=True, check=False)
        listed = check.stdout.decode("utf-8")
        complete = tmp_path / f"complete-{attempt}"
        subprocess.run([*argv[:-1], str(complete)], env=base, capture_output=True, check=True)
        for folder in sorted(complete.iterdir()):
            for path in sorted(folder.rglob("*")):
                if not path.is_file() or path.name == RECORD_NAME:
                    continue
                mine = out / folder.name / path.relative_to(folder)
                stale = not mine.is_file() or mine.read_bytes() != path.read_bytes()
                named = f"different: {mine}" in listed or f"missing: {mine}" in listed
                assert stale == named, (attempt, str(mine), listed)
        assert "Traceback" not in check.stderr.decode("utf-8")
        assert subprocess.run(argv, env=base, capture_output=True, check=False).returncode == 0
        again = subprocess.run([*argv, "--check"], env=base, capture_output=True, check=False)
        assert again.returncode == 0, again.stdout
        assert not list(out.rglob("*.tmp"))


def test_files_a_killed_render_wrote_are_still_azconf_s_and_check_says_it_was_interrupted(
    azconf: RunAzconf, repo: Path, env: dict[str, str], tmp_path: Path
) -> None:
    # The state a render killed half way leaves: its record lists the files it was writing as
    # pending, and some of them hold the new bytes while the others hold the old.
    out, complete = tmp_path / "out", tmp_path / "complete"
    assert render(azconf, repo, out, env)[0] == 0
    # A label on every object: (nearly) every file changes.
    manifest = repo / "azconf.yaml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace("owner: team-platform", "owner: team-web", 1)
    )
    assert render(azconf, repo, complete, env)[0] == 0
    folder = out / "kubernetes"
    record = json.loads((folder / RECORD_NAME).read_text(encoding="utf-8"))
    new = json.loads((complete / "kubernetes" / RECORD_NAME).read_text(encoding="utf-8"))["files"]
    record["pending"] = new
    (folder / RECORD_NAME).write_text(json.dumps(record), encoding="utf-8")
    half = sorted(new)[: len(new) // 2]
    for name in half:
        (folder / name).write_bytes((complete / "kubernetes" / name).read_bytes())

    code, output = render(azconf, repo, out, env, "--check")
    assert code == 1
    assert f"interrupted: the last render of {folder} did not finish" in output
    stale = [line for line in output.splitlines() if line.startswith(f"different: {folder}/")]
    old = [
        name
        for name in sorted(new)[len(half) :]
        if (folder / name).read_bytes() != (complete / "kubernetes" / name).read_bytes()
    ]
    assert len(old) > len(new) // 3
    assert sorted(stale) == [f"different: {folder}/{name}" for name in old]
    code, output = render(azconf, repo, out, env)  # no --force: every file there is azconf's
    assert code == 0, output
    assert "pending" not in (folder / RECORD_NAME).read_text(encoding="utf-8")
    assert render(azconf, repo, out, env, "--check")[0] == 0
