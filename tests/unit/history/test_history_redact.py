"""Sensitive values are replaced by a hash marker before anything is stored."""

from __future__ import annotations

import hashlib

from azconf.history.items import split
from azconf.history.redact import marker, redact_items, redact_snapshot

TOKEN = "ghp_" + "a1B2c3D4e5F6g7H8i9J0" * 2
PASSWORD = "correct-horse-battery-staple"

SNAPSHOT = {
    "services": {
        "web": {
            "image": "web:1",
            "env": {"DB_PASSWORD": PASSWORD, "LOG_LEVEL": "info", "KEY": {"secret": "db-password"}},
            "settings": {"tokens": [TOKEN, "public"]},
        }
    },
    "settings": {"admin_password": PASSWORD},
    "flags": {"a": True},
}


def test_flagged_strings_become_markers() -> None:
    redacted = redact_snapshot(SNAPSHOT)
    web = redacted["services"]["web"]
    digest = hashlib.sha256(PASSWORD.encode()).hexdigest()[:12]
    assert web["env"]["DB_PASSWORD"] == f"<redacted sha256:{digest}>" == marker(PASSWORD)
    assert web["env"]["LOG_LEVEL"] == "info"
    assert web["env"]["KEY"] == {"secret": "db-password"}  # a reference, not a value
    assert web["settings"]["tokens"] == [marker(TOKEN), "public"]
    assert redacted["settings"]["admin_password"] == marker(PASSWORD)  # a top-level settings key
    assert PASSWORD not in repr(redacted) and TOKEN not in repr(redacted)


def test_the_input_is_not_changed_and_clean_parts_are_shared() -> None:
    redacted = redact_snapshot(SNAPSHOT)
    assert SNAPSHOT["settings"]["admin_password"] == PASSWORD
    assert redacted["flags"] is SNAPSHOT["flags"]


def test_redaction_is_idempotent() -> None:
    once = redact_snapshot(SNAPSHOT)
    assert redact_snapshot(once) == once


def test_a_changed_secret_changes_the_marker() -> None:
    other = {"settings": {"admin_password": PASSWORD + "!"}}
    assert redact_snapshot(other)["settings"] != redact_snapshot(SNAPSHOT)["settings"]


def test_items_already_stored_are_not_scanned_again() -> None:
    items = split(SNAPSHOT)
    kept = redact_items(items, stored=lambda item: item.path == "settings.admin_password")
    by_path = {item.path: item for item in kept}
    assert by_path["settings.admin_password"].value == PASSWORD  # trusted as stored
    assert by_path["services.web"].value["env"]["DB_PASSWORD"] == marker(PASSWORD)
    assert by_path["flags.a"] is next(item for item in items if item.path == "flags.a")
