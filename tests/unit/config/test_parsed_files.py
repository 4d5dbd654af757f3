"""ParsedFiles: a long-running process parses a file again only when its bytes change."""

from __future__ import annotations

from azconf.config.project import ParsedFiles


def test_a_plan_and_the_write_after_it_parse_each_text_once() -> None:
    kept = ParsedFiles()
    on_disk, planned, next_plan = b"flags: {a: true}\n", b"flags: {a: false}\n", b"flags: {b: true}\n"
    before = kept.parse(on_disk, "f.yaml")
    after = kept.parse(planned, "f.yaml")  # the plan's new text, while the file still holds the old
    assert kept.parse(on_disk, "f.yaml") is before  # the write reads the file again...
    assert kept.parse(planned, "f.yaml") is after  # ...and its planned text
    assert after.data == {"flags": {"a": False}} and before.data == {"flags": {"a": True}}
    kept.parse(next_plan, "f.yaml")  # only the last two texts of a file are kept
    assert kept.parse(planned, "f.yaml") is after
    assert kept.parse(on_disk, "f.yaml") is not before
