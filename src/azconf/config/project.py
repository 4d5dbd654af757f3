"""Finding a project and reading its manifest."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from azconf.config.located import LocatedMap
from azconf.config.manifest import MANIFEST_NAME, Manifest
from azconf.config.yaml_io import MAX_FILE_BYTES, Document, parse_yaml, read_yaml_file
from azconf.errors import ProjectNotFound
from azconf.fileread import read_regular
from azconf.problems import Problem

Parse = Callable[[bytes, str], Document]


def parser(kept: ParsedFiles | None) -> Parse:
    """How a file's bytes are parsed: through ``kept`` (a long-running process's parses) if given."""
    return kept.parse if kept is not None else parse_yaml


@dataclass
class ParsedFiles:
    """Files parsed by earlier reads of a project, kept by a long-running process (the flags service).

    Each read still reads the file's bytes fresh; only a file whose bytes are exactly those parsed
    before is not parsed again (parsing is deterministic, and nothing changes a parsed document).
    The last two texts of each file are kept: a planned edit parses the file's new text while the
    file still holds the old one, and the write that follows reads both again.
    """

    kept: dict[str, list[tuple[bytes, Document]]] = field(default_factory=dict)  # path -> (bytes, parse)

    def parse(self, data: bytes, display: str) -> Document:
        """The parse of ``data`` (the file ``display``): the kept one when the bytes are the same."""
        texts = self.kept.setdefault(display, [])
        for kept, document in texts:
            if kept == data:
                return document
        document = parse_yaml(data, display)
        texts[:] = [(data, document), *texts[:1]]
        return document


@dataclass
class Project:
    """A config repository: its root folder and its validated manifest."""

    root: Path
    manifest: Manifest
    manifest_data: LocatedMap = field(default_factory=LocatedMap)
    documents: dict[str, Document] = field(default_factory=dict)  # read-once cache, by display path
    # Edited texts not yet on disk, by relative path: a planned edit is resolved and validated
    # through them before anything is written.
    pending: dict[str, str] = field(default_factory=dict)
    _lines: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _texts: dict[str, bytes] = field(default_factory=dict, repr=False)  # the bytes read() parsed
    parsed: ParsedFiles | None = field(default=None, repr=False)  # parses kept across reads (serve)

    def display(self, path: Path) -> str:
        """``path`` as shown in messages: relative to the project root when inside it."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def read(self, relative: str) -> Document:
        """The parsed file at ``relative`` (read once, however many environments use it)."""
        document = self.documents.get(relative)
        if document is None:
            kept = parser(self.parsed)

            def parse(data: bytes, display: str) -> Document:
                self._texts[relative] = data  # the text its lines are read from (source_line)
                return kept(data, display)

            if relative in self.pending:
                document = parse(self.pending[relative].encode("utf-8"), relative)
            else:
                document = read_yaml_file(self.root / relative, relative, parse)
            self.documents[relative] = document
        return document

    def with_pending(self, texts: dict[str, str]) -> Project:
        """A copy of this project that reads ``texts`` (relative path -> content) instead of the disk.

        Files already parsed and not among ``texts`` are shared, not read and parsed again: a plan is
        resolved several times while it converges, and then validated.
        """
        kept = {name: document for name, document in self.documents.items() if name not in texts}
        pending = {**self.pending, **texts}
        project = Project(
            self.root, self.manifest, self.manifest_data, documents=kept, pending=pending, parsed=self.parsed
        )
        project._texts = {name: data for name, data in self._texts.items() if name in kept}
        return project

    def source_line(self, file: str, line: int) -> str:
        """The text of one line of a project file ('' when it cannot be read).

        A file this project read is the text it parsed (a planned edit's, not the disk's: its lines
        are others), so a location found in its parse names the line it was found on."""
        lines = self._lines.get(file)
        if lines is None:
            try:
                data = self._texts.get(file)
                if data is None:
                    data = read_regular(self.root / file, MAX_FILE_BYTES)
                text = data.decode("utf-8-sig")
            except (OSError, UnicodeDecodeError):
                text = ""
            lines = self._lines[file] = text.splitlines()
        return lines[line - 1] if 0 < line <= len(lines) else ""


def find_project(start: Path) -> Path:
    """The nearest folder at or above ``start`` that holds an ``azconf.yaml``."""
    start = start.resolve()
    for folder in (start, *start.parents):
        manifest = folder / MANIFEST_NAME
        if manifest.is_file():
            return folder
        if manifest.is_symlink() or manifest.exists():  # a device, a FIFO, a folder: never read
            raise ProjectNotFound(
                f"{manifest} is not a regular file",
                hint=f"make {MANIFEST_NAME} a regular file, or pass -C/--project DIR",
            )
    raise ProjectNotFound(
        f"no {MANIFEST_NAME} in {start} or any folder above it",
        hint="run `azconf init` to create a project, or pass -C/--project DIR",
    )


def load_project(root: Path) -> tuple[Project | None, list[Problem]]:
    """Read and validate ``root/azconf.yaml``; the project is None when the manifest is unusable."""
    from azconf.model.pydantic_problems import validation_problems

    document = read_yaml_file(root / MANIFEST_NAME, MANIFEST_NAME)
    if any(
        p.code in ("AZC0101", "AZC0102", "AZC0103", "AZC0104", "AZC0106", "AZC0107")
        for p in document.problems
    ):
        return None, document.problems
    try:
        manifest = Manifest.model_validate(document.data)
    except ValidationError as error:
        problems = validation_problems(error, document.data, (), Manifest, fallback=MANIFEST_NAME)
        return None, document.problems + problems
    project = Project(root=root, manifest=manifest, manifest_data=document.data)
    return project, document.problems
