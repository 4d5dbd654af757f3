"""What a render target is: a name, its options model, and a pure function from context to files."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict

from azconf.model.sections import Environment


class TargetOptions(BaseModel):
    """Base of each target's options, read from ``render.<target>`` in azconf.yaml."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    out: str = "deploy/{env}/{target}"  # the output folder, relative to the project root


T = TypeVar("T")


class Reuse:
    """What targets derive from one typed item, kept for the other environments of the same run.

    An item that no overlay touches is the very same typed object in every environment (see
    :func:`azconf.model.build._typed_item`), so a pure function of it, of inputs that compare equal
    and of the run's options gives the same result in each: :meth:`item` computes it once. One per
    run (and per process that builds); treat what it returns as read-only, since several
    environments' files share it.
    """

    def __init__(self) -> None:
        self._results: dict[tuple[Hashable, ...], tuple[object, Any]] = {}

    def item(self, make: Callable[..., T], item: object, *inputs: Hashable) -> T:
        """``make(item, *inputs)``, computed once per function, ``item`` (by identity) and ``inputs``.

        ``make`` is a module-level function (a new lambda each call would never be found again)
        that depends on nothing but its arguments and the run's options; ``inputs`` compare by
        value. An exception from ``make`` is not kept: the next environment raises it again.
        """
        key = (make, id(item), *inputs)
        found = self._results.get(key)
        if found is None:
            # The item is kept with its result: its id cannot go to another object meanwhile.
            found = self._results[key] = (item, make(item, *inputs))
        result: T = found[1]
        return result


@dataclass(frozen=True)
class RenderContext:
    """Everything a target may read. Targets never touch the file system or the clock."""

    project: str  # the project name from azconf.yaml
    env: str
    model: Environment  # the typed, valid environment
    data: dict[str, Any]  # the same environment as resolved data (read-only)
    version: str  # what every file names as its source, e.g. "prod@12 sha256:ab12…" or "prod sha256:…"
    content_hash: str  # sha256:<hex> of the snapshot
    options: Any  # the target's options model instance
    environments: tuple[str, ...] = field(default=())  # all environments, in promotion order
    root: Path | None = None  # the project folder, to find files that options name (a Terraform module)
    # Every target's options for this environment, by target name: the kubernetes target renders
    # the Tyk gateway from the tyk target's. Empty: each target's defaults.
    peer_options: dict[str, Any] = field(default_factory=dict)
    # What several targets derive from the same environment (the flag document), computed once: one
    # dict per environment, shared by the contexts of its targets. Treat what is in it as read-only.
    shared: dict[str, Any] = field(default_factory=dict)
    # Results per typed item, for every environment and target of the run (see Reuse).
    reuse: Reuse = field(default_factory=Reuse)


class RenderError(Exception):
    """The environment cannot be rendered for this target (a rule of the consuming tool is broken).

    Raised by targets with every violation found, never with the first one only.
    """

    def __init__(self, target: str, violations: list[str]) -> None:
        super().__init__(f"{target}: " + "; ".join(violations))
        self.target = target
        self.violations = violations


class Target(Protocol):
    """A render target: deterministic files from one environment (the smallest is :mod:`flagd`)."""

    name: str
    options_model: type[TargetOptions]

    def render(self, context: RenderContext) -> dict[str, str]:
        """Relative path -> file content (text ending in a newline); the same input, the same bytes.

        Raises :class:`RenderError` with every rule of the consuming tool that the environment breaks.
        """
        ...
