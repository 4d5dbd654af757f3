"""What ``azconf run`` refuses to put in a child's environment, and why.

A config repository arrives in pull requests; ``azconf run`` executes a developer's command with the
variables it sets. Variables that decide *what code runs* (the dynamic loader's ``LD_PRELOAD``, the
search ``PATH``, an interpreter's module path) would let a config change run code on that machine,
so each is refused unless the developer allows it by name (``--allow-env VAR``). A value with a NUL
byte cannot be put in an environment at all, and is refused where it is written.
"""

from __future__ import annotations

from collections.abc import Iterable

from azconf.config.located import LocatedMap, deepest_loc
from azconf.errors import DataError

# Variables that choose the code a process loads: the dynamic loader, command lookup, and the
# start-up hooks of common interpreters and shells.
LOADER_VARIABLES = frozenset(
    {
        "PATH",
        "PYTHONPATH",
        "PYTHONHOME",
        "PYTHONSTARTUP",
        "PYTHONUSERBASE",
        "PERL5LIB",
        "PERL5OPT",
        "PERLLIB",
        "RUBYLIB",
        "RUBYOPT",
        "NODE_OPTIONS",
        "NODE_PATH",
        "JAVA_TOOL_OPTIONS",
        "_JAVA_OPTIONS",
        "JDK_JAVA_OPTIONS",
        "CLASSPATH",
        "GCONV_PATH",
        "BASH_ENV",
        "ENV",
        "SHELLOPTS",
        "PS4",
        "IFS",
        "GIT_EXEC_PATH",
        "GIT_SSH_COMMAND",
    }
)
LOADER_PREFIXES = ("LD_", "DYLD_")  # LD_PRELOAD, LD_LIBRARY_PATH, LD_AUDIT, DYLD_INSERT_LIBRARIES...


def is_loader_variable(name: str) -> bool:
    """Whether ``name`` decides which code a process runs (see :data:`LOADER_VARIABLES`)."""
    return name.upper() in LOADER_VARIABLES or name.upper().startswith(LOADER_PREFIXES)


def check_loader_variables(
    names: Iterable[str], root: LocatedMap, service: str, allowed: Iterable[str]
) -> None:
    """Raise a DataError listing each loader variable ``service`` sets that is not ``allowed``."""
    allow = set(allowed)
    refused = [name for name in names if is_loader_variable(name) and name not in allow]
    if not refused:
        return
    lines = [f"{_where(root, service, name)}: {name}" for name in refused]
    raise DataError(
        f'service "{service}" sets {len(refused)} variable(s) that choose which code runs; nothing '
        "was run:" + "".join(f"\n  {line}" for line in lines),
        hint="a config change could make your command load other code; if you mean it, allow each "
        f"one: azconf run {' '.join(f'--allow-env {name}' for name in refused)} ...",
    )


def check_nul(name: str, value: str, root: LocatedMap, service: str, *, secret: str | None) -> None:
    """Raise a DataError when ``value`` holds a NUL byte, which no environment variable can hold."""
    if "\0" not in value:
        return
    what = f"the value of secret {secret}" if secret else "the value"
    raise DataError(
        f"{_where(root, service, name)}: services.{service}.env.{name}: {what} holds a NUL byte, "
        "which an environment variable cannot hold; nothing was run",
        hint="remove the NUL byte (\\0) from the value" + (" stored for that secret" if secret else ""),
    )


def _where(root: LocatedMap, service: str, name: str) -> str:
    loc = deepest_loc(root, ("services", service, "env", name))
    return f"{loc.file}:{loc.line}:{loc.column}" if loc else "azconf.yaml"
