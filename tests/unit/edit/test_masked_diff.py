"""The plan's text diff hides secret-shaped literals, on both sides of a change."""

from __future__ import annotations

from azconf.edit.masked_diff import masked_diff
from azconf.edit.plan import FileEdit

TOKEN = "ghp_" + "x1Y2z3A4b5C6d7E8f9G0h1I2j3K4l5M6n7O8"


def test_a_secret_added_by_the_edit_is_masked() -> None:
    edit = FileEdit(
        "config/envs/prod/app.yaml",
        "settings:\n  region: eu\n",
        f"settings:\n  region: eu\n  token: {TOKEN}\n",
    )

    diff = masked_diff(edit)

    assert TOKEN not in diff
    assert "+  token: <sensitive value>" in diff
    assert diff.startswith("--- a/config/envs/prod/app.yaml\n+++ b/config/envs/prod/app.yaml\n")


def test_a_secret_removed_by_the_edit_is_masked_and_plain_values_stay_readable() -> None:
    edit = FileEdit("app.yaml", f"db:\n  password: {TOKEN}\n  pool: 10\n", "db:\n  pool: 25\n")

    diff = masked_diff(edit)

    assert TOKEN not in diff
    assert "-  password: <sensitive value>" in diff
    assert "-  pool: 10" in diff and "+  pool: 25" in diff


def test_a_new_file_diffs_against_nothing() -> None:
    diff = masked_diff(FileEdit("flags.yaml", None, "flags: {}\n"))

    assert "+flags: {}" in diff
