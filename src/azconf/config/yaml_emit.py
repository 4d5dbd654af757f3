"""A direct YAML emitter for plain data: what ``show`` prints and ``render`` writes.

PyYAML's representer builds an event and a node per value, in Python, before libyaml writes a byte; a
render of a large environment spent most of its time there. This module writes block-style YAML
straight from dicts, lists and scalars, with the same choices libyaml makes (indentation, quoting,
escapes), so the output is byte for byte what ``yaml.dump(..., width=-1)`` gives with azconf's dumper,
with three deliberate differences that make the output easier to read and diff:

- long lines are never folded (a folded string re-wraps when one word of it changes);
- a string with line breaks is a literal block (``|``) where the text allows it, not a single-quoted
  scalar with doubled line breaks;
- a key of 129 to 1,024 characters stays a simple ``key: value`` (libyaml stops at 128; the YAML spec
  allows 1,024); a longer or multi-line key uses the explicit ``? key`` form.

Every string that some parser could read as another type (``"on"``, ``"0755"``, ``"1e5"``) is
double-quoted, as everywhere in azconf; so is a string that YAML 1.1 reads as a timestamp.
``tests/unit/config/test_yaml_emit.py`` checks both claims against libyaml on generated data.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any

import orjson

from azconf.config.yaml_io import reads_as_another_type

_INDENT = 2
_MAX_SIMPLE_KEY = 1024  # the YAML spec's limit on an implicit key

# A string that is certainly a plain scalar in block context: it starts with a letter, a digit, "_"
# or "/", and holds no character that could start a comment, an indicator or a quoted form. The rest
# take the full analysis below; this covers names, images, paths and URLs cheaply.
_SURELY_PLAIN = re.compile(r"[A-Za-z0-9_/][-A-Za-z0-9_./@+=~()%;&*!$^]*(?::[-A-Za-z0-9_./@+=~()%;&*!$^]+)*")
# YAML 1.1 timestamps (PyYAML's resolver): a plain one would read back as a date, not as this string.
_TIMESTAMP = re.compile(
    r"[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
    r"|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9]"
    r"(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?"
)
# Scalars PyYAML's resolver gives a tag of their own: the merge key and the "value" key.
_PYYAML_SPECIAL = frozenset(["<<", "="])

# Outside YAML's printable set as libyaml applies it: a BOM, and everything beyond U+FFFF, is escaped.
_NOT_PRINTABLE = re.compile("[^\x20-\x7e\n\x85\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd]")
_BREAKS = "\n\x85\u2028\u2029"
_WHITESPACE = "\0 \t\r\n\x85\u2028\u2029"
# Inside a plain scalar, ": " starts a value and " #" a comment (also before a line end or the end).
_COLON_THEN_SPACE = re.compile(":(?:[\0 \t\r\n\x85\u2028\u2029]|\\Z)")
_SPACE_THEN_HASH = re.compile("[\0 \t\r\n\x85\u2028\u2029]#")
_ESCAPES = {
    "\0": "0",
    "\x07": "a",
    "\x08": "b",
    "\t": "t",
    "\n": "n",
    "\x0b": "v",
    "\x0c": "f",
    "\r": "r",
    "\x1b": "e",
    '"': '"',
    "\\": "\\",
    "\x85": "N",
    "\u2028": "L",
    "\u2029": "P",
}


def emit_yaml(value: Any) -> str:
    """``value`` (dicts, lists, str, int, float, bool, None) as a block-style YAML document.

    Keys keep their order. Raises ``TypeError`` for any other type: azconf's data holds no other.
    """
    out: list[str] = []
    if isinstance(value, dict) and value:
        _mapping(value, 0, out, inline=False)
    elif isinstance(value, list) and value:
        _sequence(value, 0, out, inline=False)
    else:  # a lone scalar: one line (a literal block's indentation is relative to a parent)
        out.append(_scalar(value))
        out.append("\n")
    return "".join(out)


# Dates and dataclasses make orjson raise, as the emitter does, instead of spelling them like strings.
_SPELL_EXACTLY = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


class EntryTexts:
    """Mapping entries written as YAML once, by content, however often they repeat.

    The Kubernetes objects of one environment share their labels and annotations, and the next
    environment repeats most of their specs. An entry's text depends only on its key, its
    indentation and its value, and orjson's spelling of a value (insertion order kept) differs for
    any two values written differently (``1``, ``1.0``, ``true`` and ``"1"`` included): that
    spelling is the key. Values orjson cannot spell (a key that is not a string, a 65-bit integer)
    and those it spells ``null`` (where a NaN would hide) are written every time.
    """

    def __init__(self) -> None:
        self._texts: dict[tuple[str, int, bytes], str] = {}

    def entry(self, key: str, value: Any, indent: int) -> str:
        """The lines of the mapping entry ``key: value`` at ``indent``, as :func:`emit_yaml` writes them."""
        if type(value) is str and type(key) is str:  # the common scalar: as _mapping writes it
            key_text, line = _key_colon(key), _one_line(value)
            if key_text is not None and line is not None:
                return " " * indent + key_text + line
        if not isinstance(value, dict | list) or not value:
            return _entry(key, value, indent)  # one short line: cheaper to write than to look up
        try:
            spelled = orjson.dumps(value, option=_SPELL_EXACTLY)
        except TypeError:
            return _entry(key, value, indent)
        if b"null" in spelled:
            return _entry(key, value, indent)
        found = self._texts.get((key, indent, spelled))
        if found is None:
            found = self._texts[(key, indent, spelled)] = _entry(key, value, indent)
        return found


def _entry(key: str, value: Any, indent: int) -> str:
    out: list[str] = []
    _mapping({key: value}, indent, out, inline=False)
    return "".join(out)


def _mapping(mapping: dict[Any, Any], indent: int, out: list[str], *, inline: bool) -> None:
    """Write ``mapping``'s entries at ``indent``; ``inline``: the first one goes on the current line."""
    pad = " " * indent
    append = out.append
    for key, value in mapping.items():
        if inline:
            inline = False
        else:
            append(pad)
        key_text = _key_colon(key) if type(key) is str else _scalar(key) + ":"
        if key_text is None:  # too long or multi-line for a simple key: "? key", then ":" below it
            key_text = f"? {_double_quoted(key)}\n{pad}:"
        append(key_text)
        if type(value) is str and (line := _one_line(value)) is not None:  # the common case
            append(line)
        else:
            _after_colon(value, indent, out)


def _after_colon(value: Any, indent: int, out: list[str]) -> None:
    """Write a mapping value after its key's colon."""
    if isinstance(value, dict):
        if value:
            out.append("\n")
            _mapping(value, indent + _INDENT, out, inline=False)
        else:
            out.append(" {}\n")
    elif isinstance(value, list):
        if value:
            out.append("\n")
            _sequence(value, indent, out, inline=False)  # libyaml's style: "key:\n- item"
        else:
            out.append(" []\n")
    else:
        out.append(" ")
        _scalar_line(value, indent + _INDENT, out)


def _sequence(sequence: list[Any], indent: int, out: list[str], *, inline: bool) -> None:
    """Write ``sequence``'s items at ``indent``; ``inline``: the first one goes on the current line."""
    pad = " " * indent
    for item in sequence:
        if inline:
            inline = False
        else:
            out.append(pad)
        out.append("- ")
        if isinstance(item, dict) and item:
            _mapping(item, indent + _INDENT, out, inline=True)
        elif isinstance(item, list) and item:
            _sequence(item, indent + _INDENT, out, inline=True)
        else:
            _scalar_line(item, indent + _INDENT, out)


def _scalar_line(value: Any, indent: int, out: list[str]) -> None:
    """Write a scalar (or an empty collection) and end the line; a literal block spans several."""
    if isinstance(value, str) and _has_break(value):
        block = _literal_block(value, indent)
        if block is not None:
            out.append(block)
            return
    out.append(_scalar(value))
    out.append("\n")


@lru_cache(maxsize=65536)
def _one_line(text: str) -> str | None:
    """`` text\n`` for a string value that fits on its line; None when it holds a line break."""
    return None if _has_break(text) else f" {_string(text)}\n"


@lru_cache(maxsize=65536)
def _key_colon(key: str) -> str | None:
    """``key:``; None for a key too long or multi-line for that (it needs the explicit ``? key``)."""
    if len(key) > _MAX_SIMPLE_KEY or _has_break(key):
        return None
    return _string(key) + ":"


def _scalar(value: Any) -> str:
    """A scalar's text on one line: a string quoted as needed, or a number, boolean or null."""
    if isinstance(value, str):
        return _string(value)
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, dict) and not value:
        return "{}"
    if isinstance(value, list) and not value:
        return "[]"
    raise TypeError(f"cannot write a {type(value).__name__} as YAML")


def _float(value: float) -> str:
    """PyYAML's spelling of a float (``.inf``, ``.nan``, ``1.0e+16``)."""
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value).lower()
    return text.replace("e", ".0e", 1) if "." not in text and "e" in text else text


@lru_cache(maxsize=65536)
def _string(text: str) -> str:
    """``text`` as a one-line scalar: plain when that reads back as this string, else quoted."""
    if reads_as_another_type(text):
        return _double_quoted(text)
    special = text in _PYYAML_SPECIAL or _TIMESTAMP.fullmatch(text) is not None
    if not special and _SURELY_PLAIN.fullmatch(text):
        return text
    plain, single = _allowed_styles(text)
    if plain and not special:
        return text
    return _single_quoted(text) if single else _double_quoted(text)


def _has_break(text: str) -> bool:
    return "\n" in text or "\x85" in text or "\u2028" in text or "\u2029" in text


def _printable(char: str) -> bool:
    """YAML's printable set as libyaml applies it: no BOM, and nothing beyond U+FFFF (escaped)."""
    return _NOT_PRINTABLE.match(char) is None


def _allowed_styles(text: str) -> tuple[bool, bool]:
    """Whether ``text`` may be written plain, and whether single-quoted (libyaml's scalar analysis).

    ``text`` is not empty: the empty string reads as null, so it is always double-quoted.
    """
    first, second = text[0], text[1:2]
    indicators = (
        text.startswith(("---", "..."))
        or first in "#,[]{}&*!|>'\"%@`"
        or (first in "?:-" and (not second or second in _WHITESPACE))
        or _COLON_THEN_SPACE.search(text, 1) is not None
        or _SPACE_THEN_HASH.search(text) is not None
    )
    breaks = _has_break(text)
    special = _NOT_PRINTABLE.search(text) is not None
    edges = first in " " + _BREAKS or text[-1] in " " + _BREAKS
    plain = not (indicators or breaks or special or edges)
    # A line break inside single quotes is folded into a space when read: only double quotes keep it.
    single = not (special or breaks)
    return plain, single


def _single_quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _double_quoted(text: str) -> str:
    """``text`` in double quotes, escaping what libyaml escapes (and nothing else)."""
    parts = ['"']
    for char in text:
        if char in _ESCAPES:
            parts.append("\\" + _ESCAPES[char])
        elif _printable(char) and char != "\n":
            parts.append(char)
        elif char <= "\xff":
            parts.append(f"\\x{ord(char):02X}")
        elif char <= "\uffff":
            parts.append(f"\\u{ord(char):04X}")
        else:
            parts.append(f"\\U{ord(char):08X}")
    parts.append('"')
    return "".join(parts)


def _literal_block(text: str, indent: int) -> str | None:
    """``text`` as a literal block scalar (``|``) indented by ``indent``, or None if it cannot be one.

    A literal block keeps every character but cannot hold non-printable ones, trailing spaces at the
    end of the text, or a space or tab right before a line break (they would be invisible).
    """
    if _NOT_PRINTABLE.search(text) or "\x85" in text or "\u2028" in text or "\u2029" in text:
        return None
    if text.endswith(" ") or " \n" in text or "\t\n" in text:
        return None
    header = "|"
    if text[0] in " \n":
        header += str(_INDENT)  # the first line cannot tell the indentation: say it
    if not text.endswith("\n"):
        header += "-"
    elif text.endswith("\n\n") or text == "\n":
        header += "+"
    pad = " " * indent
    body = text[:-1] if text.endswith("\n") else text
    lines = [pad + line if line else "" for line in body.split("\n")]
    return header + "\n" + "\n".join(lines) + "\n"
