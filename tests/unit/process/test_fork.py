"""Work in a forked child: results, the second step on the parent's word, and errors carried back."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from azconf.errors import DataError, UsageError
from azconf.problems import Location, Problem
from azconf.process.fork import Background, Staged


def test_the_result_comes_back_from_the_child(mode: str) -> None:
    parent = os.getpid()
    pid = Background(os.getpid).result()
    assert (pid != parent) if mode == "fork" else (pid == parent)


def test_the_second_step_runs_only_when_the_parent_says_go(mode: str, tmp_path: Path) -> None:
    marker = tmp_path / "second-ran"

    def second() -> str:
        marker.write_text("yes", encoding="utf-8")
        return "written"

    stopped = Staged(lambda: "built", second)
    assert stopped.first_result() == "built"
    stopped.proceed(False)
    assert not marker.exists()

    going = Staged(lambda: "built", second)
    assert going.first_result() == "built"
    going.proceed(True)
    assert going.result() == "written"
    assert marker.read_text(encoding="utf-8") == "yes"


def test_the_second_step_sees_what_the_first_left_in_the_child(mode: str) -> None:
    kept: list[int] = []
    staged = Staged(lambda: kept.append(os.getpid()) or len(kept), lambda: list(kept))
    assert staged.first_result() == 1
    staged.proceed(True)
    assert len(staged.result()) == 1


def test_an_expected_error_comes_back_as_itself(mode: str) -> None:
    problem = Problem("AZC0001", "bad", Location("a.yaml", 1, 2))

    def fail() -> None:
        raise DataError("cannot do it", hint="do this instead", problems=[problem])

    with pytest.raises(DataError) as raised:
        Background(fail).result()
    assert (raised.value.message, raised.value.hint, raised.value.problems) == (
        "cannot do it",
        "do this instead",
        [problem],
    )

    def refuse() -> None:
        raise UsageError("no")

    staged = Staged(lambda: 1, refuse)
    staged.proceed(True)
    with pytest.raises(UsageError, match="no"):
        staged.result()


def test_a_bug_in_the_child_is_a_runtime_error_with_its_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AZCONF_JOBS", raising=False)

    def broken() -> None:
        raise KeyError("missing")

    with pytest.raises(RuntimeError, match="KeyError: 'missing'"):
        Background(broken).result()


def test_a_child_that_dies_is_reported_not_waited_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AZCONF_JOBS", raising=False)
    with pytest.raises(RuntimeError, match="the worker process died"):
        Background(lambda: os._exit(7)).result()


def test_an_abandoned_child_is_stopped_in_its_first_step_and_never_takes_the_second(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AZCONF_JOBS", raising=False)  # a child to stop (inline, nothing runs behind)
    started, marker = tmp_path / "started", tmp_path / "second-ran"

    def first() -> str:
        started.write_text(str(os.getpid()), encoding="utf-8")
        time.sleep(30)  # still at work when the parent gives up
        return "built"

    def second() -> None:
        marker.write_text("yes", encoding="utf-8")

    staged = Staged(first, second)
    while not started.exists() or not started.read_text(encoding="utf-8"):
        time.sleep(0.01)
    child = int(started.read_text(encoding="utf-8"))
    staged.abandon()
    with pytest.raises(ProcessLookupError):
        os.kill(child, 0)  # gone, and reaped
    assert not marker.exists()


def test_a_child_is_gone_once_its_last_result_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AZCONF_JOBS", raising=False)
    staged = Staged(lambda: None, os.getpid)
    staged.proceed(True)
    child = staged.result()
    with pytest.raises(ProcessLookupError):
        os.kill(child, 0)  # gone, and reaped: no zombie either
