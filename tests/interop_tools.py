"""What every interop test does when its external tool is missing."""

from __future__ import annotations

import os

import pytest


def missing_tool(message: str) -> None:
    """Skip, or fail when CI is set: there the interop tests may not skip."""
    if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
        pytest.fail(f"{message} (CI is set: the interop tests may not skip)")
    pytest.skip(message)
