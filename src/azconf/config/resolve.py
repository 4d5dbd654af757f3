"""Resolving an environment: its layers read, combined and merged, with every value's provenance."""

from __future__ import annotations

from dataclasses import dataclass, field

from azconf.config.layering import merge
from azconf.config.located import LocatedMap
from azconf.config.project import Project
from azconf.config.sources import Layer, read_layer
from azconf.errors import UsageError
from azconf.problems import Problem, did_you_mean
from azconf.process.gcpause import gc_paused


@dataclass
class Resolution:
    """One environment's resolved document and the problems met while reading its layers."""

    env: str
    data: LocatedMap
    layers: list[Layer]
    problems: list[Problem] = field(default_factory=list)


class Resolver:
    """Resolves environments of one project, reading each file and merging each shared prefix once."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._layers: dict[str, Layer] = {}
        self._merged: dict[tuple[str, ...], LocatedMap] = {(): LocatedMap()}

    def resolve(self, env: str) -> Resolution:
        """The resolved document of ``env``."""
        environments = self.project.manifest.environments
        if env not in environments:
            raise UsageError(
                f'unknown environment "{env}"{did_you_mean(env, environments)}',
                hint=f"environments: {', '.join(environments)}",
            )
        folders = self.project.manifest.layer_folders(env)
        with gc_paused():
            layers = [self._layer(folder) for folder in folders]
            data = self._merge_prefix(tuple(folders))
        problems = [problem for layer in layers for problem in layer.problems]
        return Resolution(env, data, layers, problems)

    def resolve_below(self, env: str) -> LocatedMap:
        """What the layers under ``env``'s own (last) layer resolve to: what its overlay overrides."""
        folders = tuple(self.project.manifest.layer_folders(env)[:-1])
        with gc_paused():
            return self._merge_prefix(folders)

    def with_pending(self, texts: dict[str, str]) -> Resolver:
        """A resolver of this project with ``texts`` (relative path -> content) instead of the disk.

        The layers and merged prefixes that hold none of ``texts`` are kept: an edit of an overlay
        resolves again only that overlay and what is merged over it, not the base below it.
        """
        edited = {name.rsplit("/", 1)[0] for name in texts}
        resolver = Resolver(self.project.with_pending(texts))
        resolver._layers = {folder: layer for folder, layer in self._layers.items() if folder not in edited}
        resolver._merged = {
            prefix: merged for prefix, merged in self._merged.items() if not edited.intersection(prefix)
        }
        return resolver

    def _layer(self, folder: str) -> Layer:
        layer = self._layers.get(folder)
        if layer is None:
            layer = self._layers[folder] = read_layer(self.project, folder)
        return layer

    def _merge_prefix(self, folders: tuple[str, ...]) -> LocatedMap:
        merged = self._merged.get(folders)
        if merged is None:
            below = self._merge_prefix(folders[:-1])
            merged = self._merged[folders] = merge(below, self._layer(folders[-1]).data)
        return merged
