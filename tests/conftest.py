"""Options shared by the whole test suite."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

# Property tests: a quick default for a developer's loop, the thorough profile in CI (where CI is
# set, as every CI service sets it). A test that sets max_examples itself is an expensive one.
settings.register_profile("default", max_examples=60, deadline=None)
settings.register_profile("ci", max_examples=400, deadline=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite the golden files under tests/golden/ from the current output, then pass",
    )
