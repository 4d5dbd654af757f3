"""``azconf.fileread``: regular files only, never more than the limit."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from azconf.fileread import FileTooLarge, NotRegularFile, read_regular


def test_a_regular_file_and_a_link_to_one_are_read(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(b"hello")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    assert read_regular(tmp_path / "a", 5) == read_regular(tmp_path / "b", 5) == b"hello"


def test_more_than_the_limit_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(b"x" * 11)
    with pytest.raises(FileTooLarge):
        read_regular(tmp_path / "a", 10)


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_devices_are_refused_without_reading(device: str) -> None:
    with pytest.raises(NotRegularFile, match="not a regular file"):
        read_regular(device, 10)


def test_a_fifo_nobody_writes_to_is_refused_at_once(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(NotRegularFile):
        read_regular(tmp_path / "fifo", 10)


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(NotRegularFile, match="a folder"):
        read_regular(tmp_path, 10)
