"""Run work in a forked child process while the parent goes on: a second core for CPU-bound Python.

Threads would not help (the work is Python). A forked child sees the parent's data without copying
it and sends back only its result, pickled through a pipe. Two shapes:

- :class:`Background`: one function; the parent collects its result (validation's value checks).
- :class:`Staged`: two steps; the parent reads the first step's result, then says whether the child
  takes the second, which may use what the first left in the child's memory (render builds files
  in the child, and writes them only once every environment built cleanly).

An :class:`~azconf.errors.AzconfError` raised in the child is raised again in the parent as the same
class with the same message, hint and problems; anything else is a bug, raised as ``RuntimeError``
with the child's traceback. Set ``AZCONF_JOBS=1`` (or run where ``fork`` does not exist) to do
everything in one process.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
import traceback
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from azconf.errors import AzconfError

T = TypeVar("T")
U = TypeVar("U")


def can_fork() -> bool:
    """Whether work goes to a child process (``fork`` exists and ``AZCONF_JOBS`` is not 1)."""
    return hasattr(os, "fork") and os.environ.get("AZCONF_JOBS") != "1"


class Background(Generic[T]):
    """The pending result of ``work``, computed in a child process when possible."""

    def __init__(self, work: Callable[[], T], *, fork: bool = True) -> None:
        self._staged: Staged[T, None] = Staged(work, fork=fork)

    def result(self) -> T:
        """Wait for the child and return what ``work`` returned (re-raising in the parent on failure)."""
        value = self._staged.first_result()
        self._staged.proceed(False)
        return value


class Staged(Generic[T, U]):
    """``first`` runs in a child at once; ``second``, if given, runs there only if the parent says so.

    Without ``second`` the child leaves as soon as ``first`` is done.
    """

    def __init__(
        self, first: Callable[[], T], second: Callable[[], U] | None = None, *, fork: bool = True
    ) -> None:
        self._pid = 0
        self._first: T | None = None
        self._second = second
        self._received = False
        if not (fork and can_fork()):  # fork=False: the caller knows the work is too small to fork for
            self._first, self._received = first(), True
            return
        results, child_results = os.pipe()
        child_orders, self._orders = os.pipe()
        parent = os.getpid()
        self._pid = os.fork()
        if self._pid == 0:  # the child: never returns, and runs none of the parent's cleanup
            _die_with(parent)
            os.close(results)
            os.close(self._orders)
            _serve(child_results, child_orders, first, second)
        os.close(child_results)
        os.close(child_orders)
        self._reader = os.fdopen(results, "rb")

    def first_result(self) -> T:
        """Wait for the first step's result."""
        if not self._received:
            try:
                self._first = _unwrap(_receive(self._reader))
            except BaseException:
                self._reap()  # the parent stops here: the child must not wait for an order
                raise
            self._received = True
        return self._first  # type: ignore[return-value]

    def proceed(self, go: bool) -> None:
        """Tell the child to take the second step (``go``) or to leave."""
        self.first_result()
        if self._pid > 0:
            if self._second is not None:
                os.write(self._orders, b"y" if go else b"n")
            self._close_orders()
            if not go:
                self._reap()

    def result(self) -> U:
        """The second step's result, after :meth:`proceed` said ``go``; the child is gone after."""
        assert self._second is not None, "no second step"
        if self._pid == 0:
            return self._second()
        try:
            return _unwrap(_receive(self._reader))  # type: ignore[no-any-return]
        finally:
            self._reap()

    def abandon(self) -> None:
        """Stop the child wherever it is, and wait for it to be gone (the first step's result is lost).

        Only for a first step that changes nothing outside the child's memory.
        """
        if self._pid > 0:
            os.kill(self._pid, signal.SIGKILL)
            self._reap()

    def _close_orders(self) -> None:
        if self._orders >= 0:
            os.close(self._orders)  # a child still waiting for an order reads "no" and leaves
            self._orders = -1

    def _reap(self) -> None:
        """Wait for the child to be gone."""
        self._close_orders()
        self._reader.close()
        os.waitpid(self._pid, 0)
        self._pid = -1


_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _die_with(parent: int) -> None:
    """Make this (forked) process die when ``parent`` does, however it dies.

    A child killed parent leaves behind would go on at 100% CPU for its whole task, then wait for
    an order nobody sends. Linux kills it with the parent (``PR_SET_PDEATHSIG``); elsewhere its
    pipes tell it: a write to, or a read from, a pipe the parent no longer holds ends it.
    """
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the line above: nobody will ever read us
        os._exit(0)


def _serve(
    results: int, orders: int, first: Callable[[], object], second: Callable[[], object] | None
) -> None:
    from azconf import progress

    progress.silence()  # the parent owns the terminal's progress line
    try:
        with os.fdopen(results, "wb") as pipe:
            _send(pipe, first)
            # No order (the parent is gone, or there is no second step) is a "no".
            if second is not None and os.read(orders, 1) == b"y":
                _send(pipe, second)
    finally:  # whatever happens (a pipe the parent closed), never unwind into the parent's code
        os._exit(0)


def _send(pipe: Any, work: Callable[[], object]) -> None:
    try:
        message: tuple[Any, ...] = ("ok", work())
    except AzconfError as error:  # expected: raised again, as itself, in the parent
        message = ("expected", type(error), error.message, error.hint, error.problems)
    except BaseException:  # everything else goes back to the parent, which reports it as a bug
        message = ("error", traceback.format_exc())
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    pipe.write(len(payload).to_bytes(8, "big") + payload)
    pipe.flush()


def _receive(pipe: Any) -> tuple[Any, ...]:
    size = pipe.read(8)
    if len(size) < 8:
        return ("error", "the worker process died")
    message: tuple[Any, ...] = pickle.loads(pipe.read(int.from_bytes(size, "big")))
    return message


def _unwrap(message: tuple[Any, ...]) -> Any:
    status = message[0]
    if status == "ok":
        return message[1]
    if status == "expected":
        _, kind, text, hint, problems = message
        raise kind(text, hint=hint, problems=problems)
    raise RuntimeError(f"background worker failed:\n{message[1]}")
