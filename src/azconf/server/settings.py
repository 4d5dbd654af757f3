"""What ``azconf serve`` was asked to do: plain values, parsed once by the command."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_PORT = 8013
DEFAULT_MAX_BODY = 64 * 1024  # a flag change is a few hundred bytes; a bulk context a few KiB


@dataclass(frozen=True)
class ServeSettings:
    """Every option of the service."""

    project_root: Path
    envs: tuple[str, ...]
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    refs: tuple[str, ...] = ()  # --from prod@latest: serve recorded versions (follow "@latest")
    tokens_file: Path | None = None
    cors_origins: tuple[str, ...] = ()
    max_body: int = DEFAULT_MAX_BODY
    rate: float = 100.0  # requests per second per token (per client address without tokens)
    burst: int = 200
    access_log: bool = False  # one JSON line per request on stderr
    db: Path | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def from_history(self) -> bool:
        """Whether recorded versions are served (then writes are refused)."""
        return bool(self.refs)
