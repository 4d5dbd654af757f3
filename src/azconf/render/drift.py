"""Drift of a rendered folder: files changed or removed by hand since azconf wrote them.

Cheaper and stricter than ``render --check``, which also reports config changes not yet rendered:
this compares each file with the digest azconf recorded when it wrote it (``.azconf-rendered.json``).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from azconf.config.project import Project

RECORD_NAME = ".azconf-rendered.json"


def configured_folders(project: Project, env: str) -> dict[str, Path]:
    """Each target's output folder for ``env`` from ``render.<target>.out`` (targets configured only)."""
    from azconf.render.pipeline import configured_folder

    return {name: configured_folder(project, env, name) for name in project.manifest.render}


def recorded_drift(folder: Path) -> list[str] | None:
    """Files of ``folder``'s record that are missing or changed (sorted); None without a record."""
    try:
        record = json.loads((folder / RECORD_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files = record.get("files") if isinstance(record, dict) else None
    if not isinstance(files, dict):
        return None
    return sorted(name for name, digest in files.items() if _plain(name) and _digest(folder / name) != digest)


def _plain(name: object) -> bool:
    """Only names inside the folder are read (a record may come from a pull request)."""
    return isinstance(name, str) and not name.startswith("/") and ".." not in name.split("/")


def _digest(path: Path) -> str | None:
    try:
        return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
