"""Who records a change and from where: the actor, the host, the user agent and the git commit."""

from __future__ import annotations

import datetime as dt
import getpass
import os
import platform
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

from azconf import __version__

GIT_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class Who:
    """The facts every record of one command shares."""

    actor: str
    host: str
    user_agent: str
    git_commit: str | None


def who(root: Path, actor: str | None = None) -> Who:
    """The actor (see :func:`resolve_actor`), this host, azconf's user agent and ``root``'s git HEAD."""
    return Who(resolve_actor(root, actor), host(), user_agent(), git_commit(root))


def resolve_actor(root: Path, explicit: str | None = None) -> str:
    """``--actor``, else ``AZCONF_ACTOR``, else git's ``user.email``, else the OS user."""
    for candidate in (explicit, os.environ.get("AZCONF_ACTOR")):
        if candidate and candidate.strip():
            return candidate.strip()
    return _git(root, "config", "user.email") or _os_user()


def host() -> str:
    """This machine's host name (the original audit_log kept the client's address)."""
    return socket.gethostname() or "unknown"


def user_agent() -> str:
    """The tool and its version, as the original audit_log's user agent: ``azconf/0.1.0 (...)``."""
    return f"azconf/{__version__} (Python {platform.python_version()}; {platform.system()})"


def git_commit(root: Path) -> str | None:
    """The commit checked out in the git repository holding ``root``, if there is one."""
    return _git(root, "rev-parse", "--verify", "--quiet", "HEAD")


def now() -> str:
    """The current UTC time as ISO 8601 with microseconds (fixed width, so strings sort as times)."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _git(root: Path, *args: str) -> str | None:
    # History must work without git, outside a repository and with a hung git: all give None.
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    output = done.stdout.strip()
    return output if done.returncode == 0 and output else None


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # a uid without a passwd entry, as in some containers
        return f"uid:{os.getuid()}" if hasattr(os, "getuid") else "unknown"
