"""The progress reports of the core, and the terminal line that shows them."""

from __future__ import annotations

import io

from azconf import progress
from azconf.cli.progress import ERASE, ProgressLine, wanted


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_reports_reach_the_innermost_listener_only_while_it_listens() -> None:
    outer: list[tuple[str, int | None, int | None]] = []
    inner: list[tuple[str, int | None, int | None]] = []
    progress.report("nobody listens")
    with progress.listening(lambda *step: outer.append(step)):
        progress.report("a", 0, 2)
        with progress.listening(lambda *step: inner.append(step)):
            progress.report("b")
        progress.report("c", 1, 2)
    progress.report("gone")
    assert outer == [("a", 0, 2), ("c", 1, 2)] and inner == [("b", None, None)]


def test_silence_drops_every_listener() -> None:
    heard: list[object] = []
    with progress.listening(lambda *step: heard.append(step)):
        progress.silence()  # what a forked child does first
        progress.report("from the child")
    assert heard == []


def test_the_line_is_drawn_in_place_and_erased() -> None:
    screen = Terminal()
    line = ProgressLine(screen, "render", delay=0)
    line("building prod/tyk", 1, 4)
    line("writing files")
    line.close()
    frames = screen.getvalue().split(ERASE)
    assert frames[0] == "" and frames[-1] == ""
    assert frames[1].startswith("render: building prod/tyk (1/4) ") and frames[1].endswith("s")
    assert frames[2].startswith("render: writing files ")


def test_nothing_is_drawn_before_the_delay_nor_erased() -> None:
    screen = Terminal()
    line = ProgressLine(screen, "render", delay=3600)
    line("building prod/tyk", 1, 4)
    line.close()
    assert screen.getvalue() == ""


def test_wanted_only_on_a_terminal_without_no_color_dumb_or_ci() -> None:
    assert wanted(Terminal(), {"TERM": "xterm"})
    assert wanted(Terminal(), {"TERM": "xterm", "CI": "false"})
    assert not wanted(io.StringIO(), {"TERM": "xterm"})
    for off in ({"NO_COLOR": "1"}, {"TERM": "dumb"}, {"CI": "true"}, {"CI": "1"}):
        assert not wanted(Terminal(), {"TERM": "xterm", **off}), off
