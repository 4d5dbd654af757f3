"""Layer folders: which files make up a layer, and one combined mapping per layer."""

from __future__ import annotations

from dataclasses import dataclass, field

from azconf.config.located import Loc, LocatedMap, format_path
from azconf.config.project import Project
from azconf.problems import Location, Problem

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass
class Layer:
    """One layer folder, its files combined into one mapping."""

    folder: str
    files: list[str]
    data: LocatedMap
    problems: list[Problem] = field(default_factory=list)


def read_layer(project: Project, folder: str) -> Layer:
    """Read every YAML file directly inside ``folder`` (name order) and combine them."""
    path = project.root / folder
    if not path.is_dir() and not any(name.startswith(f"{folder}/") for name in project.pending):
        problem = Problem(
            "AZC0601",
            f'layer folder "{folder}" does not exist',
            _layer_location(project, folder),
            hint=f"create {folder}/ (it may be empty) or fix `layers` in azconf.yaml",
        )
        return Layer(folder, [], LocatedMap(), [problem])
    try:
        on_disk = (
            {p.name for p in path.iterdir() if p.suffix in YAML_SUFFIXES and not p.name.startswith(".")}
            if path.is_dir()
            else set()
        )  # hidden files (editor locks, .#flags.yaml) are not config
        planned = {name.rsplit("/", 1)[1] for name in project.pending if name.rsplit("/", 1)[0] == folder}
        names = sorted(on_disk | planned)
    except OSError as error:
        problem = Problem("AZC0101", f"cannot list folder: {error.strerror}", Location(folder))
        return Layer(folder, [], LocatedMap(), [problem])
    files = [f"{folder}/{name}" for name in names]
    documents = [project.read(file) for file in files]
    problems = [problem for document in documents for problem in document.problems]
    data = _combine([document.data for document in documents], problems)
    return Layer(folder, files, data, problems)


def _layer_location(project: Project, folder: str) -> Location:
    chain = project.manifest_data.origins.get("layers")
    layers = project.manifest_data.get("layers")
    if chain and layers is not None:
        for index, layer in enumerate(layers):
            if folder.startswith(layer.split("{env}")[0]):
                loc = layers.origins[index]
                return Location("azconf.yaml", loc.line, loc.column)
        return Location("azconf.yaml", chain[0].line, chain[0].column)
    return Location("azconf.yaml")


def _combine(parts: list[LocatedMap], problems: list[Problem]) -> LocatedMap:
    """Several files of one layer as one map; an item defined in two files is a problem."""
    if len(parts) == 1:
        return parts[0]
    combined = LocatedMap()
    for part in parts:
        for section, content in part.items():
            if section not in combined:
                combined[section] = content
                combined.origins[section] = part.origins[section]
            elif isinstance(content, LocatedMap) and isinstance(combined[section], LocatedMap):
                combined[section] = _combine_section(combined[section], content, section, problems)
            else:
                _conflict(problems, section, part.origins[section][0], combined.origins[section][0])
    return combined


def _combine_section(
    first: LocatedMap, second: LocatedMap, section: str, problems: list[Problem]
) -> LocatedMap:
    joined = LocatedMap()
    joined.update(first)
    joined.origins = dict(first.origins)
    for key, value in second.items():
        if key in joined:
            _conflict(problems, format_path((section, key)), second.origins[key][0], joined.origins[key][0])
            continue
        joined[key] = value
        joined.origins[key] = second.origins[key]
    return joined


def _conflict(problems: list[Problem], path: str, here: Loc, first: Loc) -> None:
    problems.append(
        Problem(
            "AZC0116",
            f"{path} is also defined in {first.file}:{first.key_line}",
            Location(here.file, here.key_line, here.key_column),
            path=path,
            hint="define each item in one file per layer",
            related=(Location(first.file, first.key_line, first.key_column),),
        )
    )
