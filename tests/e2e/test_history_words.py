"""The user's own words in history: messages are kept as written, except a pasted secret."""

from __future__ import annotations

from pathlib import Path

from azconf_e2e import RunAzconf

TOKEN = "ghp_" + "R4nd0mT0kenV4lue1234567890abcdefABCD"


def test_a_token_pasted_into_a_message_is_masked_in_the_log_and_the_database(
    azconf: RunAzconf, tmp_path: Path
) -> None:
    assert azconf("init", tmp_path / "p").returncode == 0
    project = tmp_path / "p"

    run = azconf(
        "-C", project, "set", "prod", "services.web.replicas", "4", "--yes", "-m", f"bump, token {TOKEN}"
    )

    assert run.returncode == 0, run.stderr
    assert TOKEN not in run.stdout + run.stderr
    shown = azconf("-C", project, "log", "--env", "prod", "--format", "json")
    message = shown.json()["versions"][0]["message"]
    assert message.startswith("bump, token ") and TOKEN not in message
    database = b"".join(p.read_bytes() for p in (project / ".azconf").glob("history.db*"))
    assert TOKEN.encode() not in database


def test_a_backport_is_noted_on_its_audit_entries_whatever_its_message(
    azconf: RunAzconf, tmp_path: Path
) -> None:
    assert azconf("init", tmp_path / "p").returncode == 0
    project = tmp_path / "p"
    assert (
        azconf(
            "-C", project, "set", "prod", "services.web.image", "ghcr.io/example/web:1.0.1", "--yes"
        ).returncode
        == 0
    )

    run = azconf(
        "-C",
        project,
        "promote",
        "prod",
        "staging",
        "services.web.image",
        "--skip-chain",
        "--yes",
        "-m",
        "hotfix",
    )

    assert run.returncode == 0, run.stderr
    entries = azconf("-C", project, "audit", "--env", "staging", "--format", "json").json()["entries"]
    promoted = [e for e in entries if e["action"] == "promote"]
    assert promoted and all(
        e["note"] == "chain skipped: prod -> staging is a backport (dev -> staging -> prod)" for e in promoted
    )
    versions = azconf("-C", project, "log", "--env", "staging", "--format", "json").json()["versions"]
    assert versions[0]["message"] == "hotfix"


def test_one_step_up_the_chain_carries_no_note(azconf: RunAzconf, tmp_path: Path) -> None:
    assert azconf("init", tmp_path / "p").returncode == 0
    project = tmp_path / "p"
    azconf("-C", project, "set", "dev", "services.web.image", "ghcr.io/example/web:1.1.0", "--yes")

    run = azconf("-C", project, "promote", "dev", "staging", "services.web.image", "--skip-chain", "--yes")

    assert run.returncode == 0, run.stderr
    entries = azconf("-C", project, "audit", "--env", "staging", "--format", "json").json()["entries"]
    assert [e["note"] for e in entries if e["action"] == "promote"] == [None]
