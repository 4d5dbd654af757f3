"""A Terraform module's variable declarations, checking values against them, and writing them.

Terraform only *warns* about a value for an undeclared variable, and converts a value to the declared
type silently, so a misspelt variable or a string where a number is due goes unnoticed until someone
reads a plan closely. :func:`check_module` reports each of those, together with what Terraform itself
would reject (a required variable with no value, a value of the wrong shape). ``validation`` blocks
are left to Terraform: they are expressions that only Terraform evaluates.

The declarations are read with python-hcl2 (imported here only, when a module is named).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from azconf.fileread import read_regular
from azconf.problems import did_you_mean
from azconf.render.base import RenderError
from azconf.render.terraform_types import (
    ANY,
    TfType,
    TypeSyntaxError,
    check,
    format_type,
    hcl_attributes,
    parse_type,
)

TARGET = "terraform"
MAX_MODULE_FILE_BYTES = 8 * 1024 * 1024
_DECLARES = re.compile(r"^\s*variable\s", re.MULTILINE)


@dataclass(frozen=True)
class Declaration:
    """One ``variable`` block."""

    name: str
    type: TfType  # ``any`` when the block has no type
    required: bool  # no ``default`` (``default = null`` makes a variable optional)
    nullable: bool
    sensitive: bool
    where: str  # "terraform/variables.tf:12"


def parse_declarations(text: str, file: str) -> list[Declaration]:
    """The variables declared in the HCL ``text`` of ``file``.

    Raises :class:`ValueError` (or :class:`TypeSyntaxError`) when the text or a type is unreadable.
    """
    import hcl2
    from lark.exceptions import LarkError  # python-hcl2's parser raises lark's errors as they are

    options = hcl2.SerializationOptions(with_comments=False, explicit_blocks=False, strip_string_quotes=True)
    try:
        document = hcl2.loads(text, serialization_options=options)
    except LarkError as error:
        raise ValueError(str(error).splitlines()[0]) from None
    found: list[Declaration] = []
    for block in document.get("variable", []):
        for name, body in block.items():
            where = f"{file}:{_line_of(text, name)}"
            try:
                declared = parse_type(body["type"]) if "type" in body else ANY
            except TypeSyntaxError as error:
                raise TypeSyntaxError(f'{where}: variable "{name}": cannot read its type: {error}') from None
            found.append(
                Declaration(
                    name=name,
                    type=declared,
                    required="default" not in body,
                    nullable=body.get("nullable", True) is not False,
                    sensitive=body.get("sensitive", False) is True,
                    where=where,
                )
            )
    return found


def _line_of(text: str, name: str) -> int:
    """The line of ``variable "name"`` (python-hcl2 8 does not report positions)."""
    match = re.search(rf'^[ \t]*variable\s+"?{re.escape(name)}"?\s*\{{', text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def read_module(folder: Path, label: str) -> dict[str, Declaration]:
    """The variables declared by the ``*.tf`` files of ``folder`` (shown in messages as ``label``)."""
    if not folder.is_dir():
        raise RenderError(TARGET, [f"the module folder {label} does not exist"])
    declarations: dict[str, Declaration] = {}
    problems: list[str] = []
    for path in sorted(folder.glob("*.tf")):
        try:
            text = read_regular(path, MAX_MODULE_FILE_BYTES).decode("utf-8")
        except (OSError, UnicodeDecodeError) as error:
            problems.append(f"{label}/{path.name}: cannot read: {getattr(error, 'strerror', None) or error}")
            continue
        if not _DECLARES.search(text):
            continue  # only files that declare variables are parsed: less HCL to trip over
        try:
            found = parse_declarations(text, f"{label}/{path.name}")
        except TypeSyntaxError as error:
            problems.append(str(error))  # it names the file and line already
            continue
        except ValueError as error:
            problems.append(f"{label}/{path.name}: not valid HCL: {error}")
            continue
        declarations.update((declaration.name, declaration) for declaration in found)
    if not declarations and not problems:
        problems.append(f"the module {label} declares no variables")
    if problems:
        raise RenderError(TARGET, problems)
    return declarations


def check_module(values: dict[str, Any], declarations: dict[str, Declaration]) -> list[str]:
    """Every way ``values`` do not fit ``declarations`` exactly (empty when they do)."""
    violations: list[str] = []
    for name in sorted(values):
        declaration = declarations.get(name)
        if declaration is None:
            violations.append(
                f'variable "{name}" is not declared by the module: Terraform would only warn and '
                f"ignore its value{did_you_mean(name, declarations)}"
            )
        elif values[name] is None and not declaration.nullable:
            violations.append(f'{declaration.where}: variable "{name}" may not be null')
        else:
            violations += [
                f"{declaration.where}: {problem}"
                for problem in check(values[name], declaration.type, name, sensitive=declaration.sensitive)
            ]
    for name, declaration in sorted(declarations.items()):
        if declaration.required and name not in values:
            violations.append(
                f'{declaration.where}: variable "{name}" has no default, and azconf renders no value for it'
            )
    return violations


def variables_tf(
    types: dict[str, TfType], descriptions: dict[str, str], sensitive: set[str], header: str
) -> str:
    """A ``variables.tf`` declaring ``types``, laid out as ``terraform fmt`` would."""
    blocks = [f"# Generated by azconf from {header}.\n# `azconf render` rewrites this file: do not edit it."]
    for name in sorted(types):
        pairs = [
            ("description", [_hcl_string(descriptions.get(name, ""))]),
            ("type", format_type(types[name], 2).split("\n")),
        ]
        if name in sensitive:
            pairs.append(("sensitive", ["true"]))
        body = "\n".join(hcl_attributes(pairs, 2))
        blocks.append(f'variable "{name}" {{\n{body}\n}}')
    return "\n\n".join(blocks) + "\n"


def _hcl_string(text: str) -> str:
    # JSON string escapes are HCL's; HCL also reads ${ and %{ as template sequences.
    return json.dumps(text, ensure_ascii=False).replace("${", "$${").replace("%{", "%%{")
