"""The one error boundary: expected errors become a message and an exit code; bugs, exit 3 and a log."""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path

from azconf.errors import EXIT_INTERNAL, AzconfError


def run_with_boundary(run: Callable[[], object]) -> int:
    """Call ``run`` and turn whatever it raises into an exit code."""
    try:
        run()
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    except AzconfError as error:
        if error.problems:
            from azconf.report.text import format_problem

            for problem in error.problems:
                sys.stderr.write(format_problem(problem) + "\n")
        print_error(error.message, error.hint)
        return error.exit_code
    except KeyboardInterrupt:
        print_error("interrupted")
        return 130
    except Exception:  # the boundary: anything else is a bug, reported once with a log to attach
        log = _write_crash_log()
        print_error(
            f"internal error ({sys.exc_info()[0].__name__}); this is a bug in azconf",  # type: ignore[union-attr]
            f"details are in {log}; please attach it to a bug report",
        )
        return EXIT_INTERNAL
    return 0


def print_error(message: str, hint: str | None = None) -> None:
    """``azconf: error: message`` on stderr, and the hint on the next line."""
    sys.stderr.write(f"azconf: error: {message}\n")
    if hint:
        sys.stderr.write(f"  hint: {hint}\n")


def _write_crash_log() -> Path:
    folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "azconf"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        folder = Path(tempfile.gettempdir())
    log = folder / "crash.log"
    # 0600: a traceback quotes local values, and the fallback folder is shared by every user.
    descriptor = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    os.fchmod(descriptor, 0o600)  # an older log may have been created with a looser mode
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(f"azconf {' '.join(sys.argv[1:])}\n\n")
        traceback.print_exc(file=handle)
    return log
