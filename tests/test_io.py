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


# -- the encoding of a table that is not UTF-8 (review B, finding 7)

KOI_LOG = "date,district,controller\n2024-01-01,Bakhmut,Україна\n2024-01-01,Izium,Україна\n2024-01-01,Saky,Росія\n"


@pytest.mark.parametrize(
    "text, encoding",
    [
        (KOI_LOG, "koi8_u"),  # the reviewer's koi2.csv: was cp1256 (Arabic)
        (KOI_LOG + "2024-01-02,Ізюмський район,росія\n", "koi8_u"),  # with І: was koi8_r, which gives ╤зюмський
        (KOI_LOG, "cp1251"),
        ("date,district,controller\n2024-01-01,Хмельницкий,Россия\n", "cp1251"),  # Russian
    ],
)
def test_cyrillic_bytes_are_read_as_cyrillic(text, encoding):
    assert cio.guess_encoding(text.encode(encoding)) == encoding


def test_a_russian_koi8_file_is_named_koi8_u_and_said_to_read_the_same_as_koi8_r():
    data = "date,district,controller\n2024-01-01,Бахмут,Россия\n".encode("koi8_r")  # no і, ї, є, ґ
    assert data.decode("koi8_r") == data.decode("koi8_u")
    with pytest.raises(InputError) as info:
        cio.decode_text(data, "log.csv")
    assert "koi8-u (Cyrillic; koi8-r reads it the same): read it with --encoding koi8-u" in str(info.value)


@pytest.mark.parametrize(
    "text, why",
    [
        ("Укра╖на", "'╖' among its letters"),  # KOI8-U read as koi8-r
        ("ُثزء§خء", "'§' among its letters"),  # KOI8-U read as cp1256
        ("Ð£ÐºÑ€Ð°Ñ—Ð½Ð°", "'£' among its letters"),  # UTF-8 read as cp1252
        ("Kharkіv oblast", "Cyrillic and Latin letters in one word"),  # a Cyrillic і in a Latin name
    ],
)
def test_garbled_words(text, why):
    assert cio.garbled_word(text)[1] == why


@pytest.mark.parametrize(
    "text",
    [
        "Україна",
        "Sheikh Sa’eed",
        "ash-Shuhada’",
        "Ṭarīq ʿAlī",
        "الحيدرية",
        "東京都",
        "Łódź",
        "ДНР-DPR",
        "€100",
        "YPG/SDF",
    ],
)
def test_real_labels_are_not_garbled(text):
    assert cio.garbled_word(text) is None


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
