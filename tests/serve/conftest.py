"""Fixtures of the serve tests: a project copy and servers that are always stopped."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from serve_helpers import Server, copy_example, start_server


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the example project."""
    return copy_example(tmp_path)


@pytest.fixture
def serve(project: Path) -> Iterator[Callable[..., Server]]:
    """``serve(*args)``: start ``azconf serve`` in the project; stopped (and checked) after the test."""
    started: list[Server] = []

    def start(*args: str, **kwargs: object) -> Server:
        server = start_server(project, *args, **kwargs)  # type: ignore[arg-type]
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
