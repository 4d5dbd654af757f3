"""Files written by Windows editors (CRLF line ends, a UTF-8 byte-order mark) keep both after an edit,
and only the edited line changes."""

from __future__ import annotations

from azconf.edit.yaml_text import BOM, YamlText

SOURCE = "services:\n  web:\n    replicas: 3  # capacity\n    port: 8080\n"


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    return [(b, a) for b, a in zip(before.splitlines(), after.splitlines(), strict=True) if b != a]


def test_crlf_line_ends_are_kept_and_only_the_edited_line_changes() -> None:
    source = SOURCE.replace("\n", "\r\n")
    edited = YamlText(source, "services.yaml")
    edited.set(("services", "web", "replicas"), 5)

    text = edited.text()

    assert text.count("\r\n") == text.count("\n") == 4
    assert changed_lines(source, text) == [("    replicas: 3  # capacity", "    replicas: 5  # capacity")]


def test_a_byte_order_mark_is_kept() -> None:
    edited = YamlText(BOM + SOURCE, "services.yaml")
    edited.set(("services", "web", "port"), 9090)

    text = edited.text()

    assert text.startswith(BOM) and not text.startswith(BOM + BOM)
    assert text[len(BOM) :] == SOURCE.replace("port: 8080", "port: 9090")


def test_a_file_with_mixed_line_ends_is_edited_without_crlf_handling() -> None:
    source = "a: 1\r\nb: 2\n"
    edited = YamlText(source, "mixed.yaml")
    edited.set(("b",), 3)

    assert edited.text() == "a: 1\r\nb: 3\n"
