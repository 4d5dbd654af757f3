"""The doctor's stale-flags check reads each flag's last change from the audit log, dotted names too."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from azconf.config.project import load_project
from azconf.health.checks import run_checks
from azconf.history.api import commit_environments
from azconf.scaffold import create_project


def test_a_dotted_flag_unchanged_for_days_is_stale(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AZCONF_DB", raising=False)
    create_project(tmp_path / "t", "t")  # flags dark-mode and new-checkout, both used by web
    flags = tmp_path / "t/config/base/flags.yaml"
    flags.write_text(flags.read_text().replace("flags:\n", "flags:\n  ui.dark-mode: false\n", 1))
    services = tmp_path / "t/config/base/services.yaml"
    services.write_text(services.read_text().replace("flags: [", "flags: [ui.dark-mode, ", 1))
    project, _ = load_project(tmp_path / "t")
    assert project is not None
    commit_environments(project, ["prod"], message="base", actor="tester")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=project.manifest.health.stale_flag_days + 1)
    [stale] = [c for c in run_checks(project, ["prod"], now=later) if c.metric == "stale_flags"]
    assert stale.value == 3, stale.message
    assert stale.message.endswith(": dark-mode, new-checkout, ui.dark-mode")
