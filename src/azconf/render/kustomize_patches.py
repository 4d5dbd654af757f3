"""The kubernetes target's escape hatch: Kustomize patches listed in ``render.kubernetes.patches``.

A patch is a file of the project (a strategic-merge patch, or a JSON 6902 patch with a ``target``);
it is copied into the output folder as ``patches/<file name>`` and listed under ``patches`` in
``kustomization.yaml``, so ``kubectl apply -k`` applies the rendered objects with it. Kustomize only
reads files inside the kustomization's folder, which is why the patch is copied rather than referred
to. Per environment, list them under ``render.environments.<env>.kubernetes.patches``.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints

from azconf.fileread import read_regular

PATCH_FOLDER = "patches"
MAX_PATCH_BYTES = 1024 * 1024


class KustomizePatch(BaseModel):
    """One entry of ``render.kubernetes.patches``: a file of the project, and optionally its target."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    path: Annotated[str, StringConstraints(min_length=1)]
    # Kustomize's patch target selector: group, version, kind, name, namespace, labelSelector,
    # annotationSelector (a JSON 6902 patch needs one; a strategic-merge patch names its object).
    target: dict[str, str] | None = None


def patch_files(
    root: Path | None, patches: list[KustomizePatch], violations: list[str]
) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """The patch files to write (relative path -> text) and their ``patches`` entries for the
    kustomization; each problem (a missing file, a path outside the project) goes to ``violations``."""
    files: dict[str, str] = {}
    entries: list[dict[str, Any]] = []
    for index, patch in enumerate(patches):
        where = f"render.kubernetes.patches[{index}].path"
        text = _read(root, patch.path, where, violations)
        if text is None:
            continue
        name = f"{PATCH_FOLDER}/{PurePosixPath(patch.path).name}"
        if name in files:
            violations.append(f"{where}: another patch is also called {PurePosixPath(name).name}; rename one")
            continue
        files[name] = text if text.endswith("\n") else text + "\n"
        entry: dict[str, Any] = {"path": name}
        if patch.target:
            entry["target"] = dict(sorted(patch.target.items()))
        entries.append(entry)
    return files, entries


def _read(root: Path | None, relative: str, where: str, violations: list[str]) -> str | None:
    parts = PurePosixPath(relative).parts
    if root is None or relative.startswith("/") or ".." in parts or not parts:
        violations.append(f"{where}: {relative} must be a file inside the project")
        return None
    try:
        return read_regular(root / relative, MAX_PATCH_BYTES).decode("utf-8")
    except FileNotFoundError:
        violations.append(f"{where}: {relative} does not exist")
    except (OSError, UnicodeDecodeError) as error:
        violations.append(f"{where}: {relative} cannot be read ({getattr(error, 'strerror', None) or error})")
    return None
