"""Run one function in a forked child process while the parent goes on: a second core for validation.

Validation is CPU-bound Python, so threads would not help. After the files are parsed, the checks of
values (JSON Schemas, plaintext secrets) and the checks of the model (types, references) are
independent; a forked child sees the parsed data without copying it and sends back only its problems.
Set ``AZCONF_JOBS=1`` (or run where ``fork`` does not exist) to do everything in one process.
"""

from __future__ import annotations

import os
import pickle
import traceback
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Background(Generic[T]):
    """The pending result of ``work``, computed in a child process when possible."""

    def __init__(self, work: Callable[[], T]) -> None:
        self._pid = 0
        self._reader = -1
        self._value: T | None = None
        if not hasattr(os, "fork") or os.environ.get("AZCONF_JOBS") == "1":
            self._value = work()
            return
        self._reader, writer = os.pipe()
        self._pid = os.fork()
        if self._pid == 0:  # the child: compute, send, and leave without running any cleanup
            os.close(self._reader)
            _send(writer, work)
        os.close(writer)

    def result(self) -> T:
        """Wait for the child and return what ``work`` returned (re-raising in the parent on failure)."""
        if not self._pid:
            return self._value  # type: ignore[return-value]
        with os.fdopen(self._reader, "rb") as pipe:
            payload = pipe.read()
        os.waitpid(self._pid, 0)
        self._pid = 0
        message: tuple[str, Any] = pickle.loads(payload) if payload else ("error", "the worker died")
        status, value = message
        if status != "ok":
            raise RuntimeError(f"background worker failed:\n{value}")
        result: T = value
        self._value = result
        return result


def _send(writer: int, work: Callable[[], object]) -> None:
    try:
        payload = pickle.dumps(("ok", work()), protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException:  # everything goes back to the parent, which reports it
        payload = pickle.dumps(("error", traceback.format_exc()))
    with os.fdopen(writer, "wb") as pipe:
        pipe.write(payload)
    os._exit(0)
