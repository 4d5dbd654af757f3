"""Fixtures shared by the unit tests."""

from __future__ import annotations

import pytest


@pytest.fixture(params=["fork", "inline"])
def mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run the test with the second core (a forked child) and without it (AZCONF_JOBS=1): the
    behaviour must be the same."""
    if request.param == "inline":
        monkeypatch.setenv("AZCONF_JOBS", "1")
    else:
        monkeypatch.delenv("AZCONF_JOBS", raising=False)
    return str(request.param)
