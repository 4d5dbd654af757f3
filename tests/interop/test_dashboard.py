"""The dashboard in headless Chromium (Debian's, driven by npm ``playwright-core``) against a live
``azconf serve`` on a copy of examples/azora, as a person uses it: sign in with the keyboard, search,
toggle with its plan, the toggle in the flag's history and in ``azconf audit``, a validation error, a
conflict, a change on disk reaching the open page, a forged write without the CSRF token, a read-only
token; axe-core over every page (no serious or critical violation).

Installed by tests/interop/install-dashboard.sh; skipped without node or Chromium, except under CI.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from interop_tools import missing_tool

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "serve"))
from serve_helpers import READER, WRITER, azconf_executable, copy_example, start_server, write_tokens

HERE = Path(__file__).resolve().parent
NODE_DIR = HERE / "dashboard"
INSTALL = HERE / "install-dashboard.sh"
CHROMIUM = Path("/usr/bin/chromium")

pytestmark = pytest.mark.interop


def azconf(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the azconf command in ``project``."""
    return subprocess.run(
        [azconf_executable(), *args], cwd=project, capture_output=True, text=True, check=False, timeout=120
    )


@pytest.fixture(scope="module")
def seen(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One browser session through every page; what it saw, and the project afterwards."""
    if shutil.which("node") is None or not CHROMIUM.is_file():
        missing_tool("node and /usr/bin/chromium are needed (apt-get install nodejs npm chromium)")
    if not (NODE_DIR / "node_modules" / "axe-core").is_dir():
        subprocess.run(["bash", str(INSTALL)], check=True, timeout=600)
    tmp = tmp_path_factory.mktemp("dashboard")
    project = copy_example(tmp)
    assert azconf(project, "commit", "-m", "baseline").returncode == 0
    azconf(project, "doctor")  # opens the expired-flag alert the alerts page shows
    server = start_server(project, "--tokens", str(write_tokens(tmp)))
    shots = os.environ.get("AZCONF_SCREENSHOTS", "")  # docs/ to refresh the README's screenshots
    try:
        done = subprocess.run(
            ["node", str(NODE_DIR / "dashboard-check.mjs"), server.base, str(project), WRITER, READER, shots],
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
            cwd=NODE_DIR,
        )
    finally:
        log = server.stop()
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    assert result.get("error") is None, (result, log)
    result["audit"] = azconf(project, "audit", "--env", "prod", "--resource", "flags.dark-mode").stdout
    return result


def test_sign_in_gives_an_httponly_strict_cookie(seen: dict[str, Any]) -> None:
    assert seen["cookie"] == [{"name": "azconf_session", "httpOnly": True, "sameSite": "Strict"}]


def test_search_and_keyboard(seen: dict[str, Any]) -> None:
    assert seen["search"] == ["dark-mode"]
    assert seen["tabsToSearch"] < 15  # reached by Tab, and the toggle then by Tab and Enter


def test_toggle_shows_its_plan_then_writes(seen: dict[str, Any]) -> None:
    assert "config/envs/prod/flags.yaml" in seen["planText"]
    assert "+    state: DISABLED" in seen["planText"]
    assert seen["status"].startswith("Recorded prod@2")
    assert "disabled" in seen["toggledCell"]


def test_apply_shows_the_row_from_its_answer_without_reading_the_table(seen: dict[str, Any]) -> None:
    assert seen["applyAnswer"] == {"etags": ["prod"], "rows": ["dark-mode"]}
    assert seen["tableReadsForApply"] == 0 and "disabled" in seen["toggledCell"]
    assert seen["rowsAfterApply"] == ["dark-mode"]  # the search filter stays
    assert seen["focusAfterApply"] == "toggle-prod-dark-mode"  # the keyboard user keeps their place


def test_the_bulk_bar_keeps_the_chosen_environment_and_the_focus(seen: dict[str, Any]) -> None:
    assert seen["bulk"]["env"] == "prod"  # picked before the second flag was ticked
    assert seen["bulk"]["count"].startswith("2 selected")
    assert seen["bulk"]["focus"] == "Select dark-mode"


def test_the_applys_own_event_is_no_news_but_a_disk_edit_is(seen: dict[str, Any]) -> None:
    assert seen["heardTheApply"] is True  # the stream announced the ETag the Apply answered
    # From the Apply until the disk edit is shown: exactly one table read, the disk edit's.
    assert seen["tableReadsAfterApply"] == 1 and seen["refreshesAfterApply"] == 1


def test_the_toggle_is_in_the_history_and_the_audit_log(seen: dict[str, Any]) -> None:
    assert seen["history"].startswith("writer ")
    assert "DISABLED" in seen["history"]
    assert "writer" in seen["audit"] and "flags.dark-mode" in seen["audit"]
    assert "config/base/flags.yaml:5" in seen["sources"] or "config/envs/prod/flags.yaml" in seen["sources"]


def test_evaluate_answers_every_environment(seen: dict[str, Any]) -> None:
    for env in ("staging", "prod"):  # the writer token reads what it may write
        assert env in seen["evaluation"]
    assert "DISABLED" in seen["evaluation"]  # prod, just toggled off


def test_validation_error_is_located_and_blocks_the_write(seen: dict[str, Any]) -> None:
    assert "config/envs/prod/flags.yaml:" in seen["problems"] and "AZC0402" in seen["problems"]
    assert seen["applyDisabled"] is True


def test_conflict_is_explained(seen: dict[str, Any]) -> None:
    assert seen["conflict"].startswith("Conflict:") and "nothing was written" in seen["conflict"]


def test_a_change_on_disk_reaches_the_open_page(seen: dict[str, Any]) -> None:
    assert "enabled off" in seen["beforeDisk"] and "enabled on" in seen["afterDisk"]
    assert seen["reloaded"] == 1  # the same document: no navigation happened


def test_a_forged_write_without_csrf_is_refused(seen: dict[str, Any]) -> None:
    assert seen["forged"] == 403


def test_a_read_only_token_sees_no_controls_and_cannot_write(seen: dict[str, Any]) -> None:
    assert seen["readerToggles"] == 0 and seen["readerControls"] == 0
    assert "read only" in seen["readerWho"]
    assert seen["readerWrite"]["status"] == 403
    assert seen["readerWrite"]["body"]["errorCode"] == "FORBIDDEN"


def test_stale_and_alerts_pages(seen: dict[str, Any]) -> None:
    assert "legacy-login" in seen["stale"] and "expired" in seen["stale"]
    assert "legacy-login" in seen["alerts"]


def test_no_serious_accessibility_violation(seen: dict[str, Any]) -> None:
    assert set(seen["axe"]) == {"signin", "flags", "plan", "flag", "stale", "alerts"}
    assert {page: found for page, found in seen["axe"].items() if found} == {}


def test_no_console_errors(seen: dict[str, Any]) -> None:
    # Chromium logs the expected refusals (401 before sign-in, 403 forged, 409 conflict); no other
    # failed request and no script error may appear.
    expected = ("status of 401", "status of 403", "status of 409")
    assert [m for m in seen["console"] if not any(e in m for e in expected)] == []
