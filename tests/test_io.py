"""conflictmap.io: atomic writes that fail with a clear line (full disk, no permission), before any work where possible."""

from __future__ import annotations

import errno
import os

import pytest

from conflictmap import io as cio
from conflictmap.errors import InputError, UsageError


def test_a_full_disk_names_the_output_and_leaves_nothing(tmp_path):
    out = tmp_path / "report.html"
    out.write_text("yesterday's report")
    with pytest.raises(InputError) as info:
        with cio.atomic_path(out) as tmp:
            tmp.write_text("half of it")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # what a write on a full disk raises
    assert str(info.value).startswith(f"{out}: cannot write the output: no space left on device")
    assert "Errno" not in str(info.value)
    assert out.read_text() == "yesterday's report" and [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_a_gdal_failure_on_a_full_disk_is_called_a_full_disk(tmp_path, monkeypatch):
    # GDAL's GeoPackage writer on a full disk fails with 'no such table: gpkg_contents', not ENOSPC.
    monkeypatch.setattr(cio.shutil, "disk_usage", lambda folder: type("U", (), {"free": 0})())
    out = tmp_path / "out.gpkg"
    with pytest.raises(InputError, match="no space left on device"):
        with cio.atomic_path(out) as tmp:
            (tmp.parent / (tmp.name + "-journal")).write_text("j")
            raise RuntimeError("no such table: gpkg_contents")
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_folder_is_a_usage_error_before_any_work(tmp_path, monkeypatch):
    # The suite may run as root, for whom every folder is writable: os.access stands for the kernel's answer.
    monkeypatch.setattr(cio.os, "access", lambda path, mode: False)
    with pytest.raises(UsageError, match=f"-o {tmp_path / 'x.md'}: folder {tmp_path} is not writable"):
        cio.check_writable(tmp_path / "x.md")


def test_temporary_names_are_recognisable(tmp_path):
    with cio.atomic_path(tmp_path / "report.html") as tmp:
        assert tmp.name.startswith(".report.html.conflictmap-partial-") and tmp.suffix == ".html"
        tmp.write_text("x")


def test_devices_and_pipes_are_outputs_written_as_streams(tmp_path):
    import os
    import stat
    import threading

    from conflictmap.io import is_stream_output, write_bytes_atomic

    # /dev/stdout can lead to a regular file (`> out.csv`): a temporary renamed over it would replace the link
    # (as root, /dev/null and /dev/full themselves), so every path there is written as a stream.
    assert is_stream_output("/dev/stdout") and is_stream_output("/dev/null") and is_stream_output("/proc/self/fd/1")
    assert not is_stream_output(tmp_path / "x.csv")
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    got = {}
    reader = threading.Thread(target=lambda: got.update(data=fifo.read_bytes()))
    reader.start()
    write_bytes_atomic(fifo, "a,b\nالأعجام,1\n".encode())
    reader.join(timeout=30)
    assert got["data"] == "a,b\nالأعجام,1\n".encode() and stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["pipe.csv"]  # no temporary beside it
