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


# -- text tables: what a file is when it is not text, and the forms of text read as they are

TABLE = "date,district,controller\n2020-01-01,A,rebels\n"
ROWS = [{"date": "2020-01-01", "district": "A", "controller": "rebels", "_where": "t.csv line 2"}]


@pytest.mark.parametrize("kind", ["gzip", "bz2", "lzma"])
def test_compressed_tables_are_read_as_they_are(tmp_path, kind):
    import bz2
    import gzip
    import lzma

    path = tmp_path / "t.csv"
    path.write_bytes({"gzip": gzip, "bz2": bz2, "lzma": lzma}[kind].compress(TABLE.encode()))
    assert cio.read_records(path) == [{**ROWS[0], "_where": f"{path} line 2"}]


def test_a_cut_off_gzip_file_says_so(tmp_path):
    import gzip

    path = tmp_path / "t.csv.gz"
    path.write_bytes(gzip.compress(TABLE.encode() * 100)[:40])
    with pytest.raises(InputError, match=r"t.csv.gz: gzip-compressed, but cut off or damaged \(.*\); fetch the file"):
        cio.read_records(path)


@pytest.mark.parametrize(
    "head, what",
    [
        (b"%PDF-1.7\n", "a PDF document"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), r"an Excel 97-2003 workbook \(.xls\)"),
        (b"7z\xbc\xaf'\x1c\x00\x04", "a 7-Zip archive"),
        (b"SQLite format 3\x00" + bytes(52) + b"GPKG" + bytes(30), "a GeoPackage, not a text table; give it the .gpkg"),
    ],
)
def test_binary_files_are_named(head, what):
    with pytest.raises(InputError, match=f"^t.csv: {what}"):
        cio.decode_text(head, "t.csv")


@pytest.mark.parametrize("encoding", ["utf-32", "utf-32-be", "utf-32-le"])
def test_utf32_with_its_bom_is_read(encoding):
    data = TABLE.encode(encoding)
    if encoding != "utf-32":  # Python writes the BOM only for 'utf-32' (in the machine's order)
        data = ("\ufeff" + TABLE).encode(encoding)
    assert cio.decode_text(data, "t.csv") == TABLE


def test_an_html_page_is_not_a_table(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("\n  <!doctype html><title>Sign in</title>")
    with pytest.raises(InputError, match="t.csv: an HTML or XML page, not a control log"):
        cio.read_records(path, role="control log")
    assert cio.read_columns(path) is None  # the row reader says it


def test_excel_sep_line_names_the_delimiter_and_lines_keep_their_numbers(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("sep=;\n" + TABLE.replace(",", ";"))
    assert cio.read_records(path) == [{**ROWS[0], "_where": f"{path} line 3"}]


def test_a_value_longer_than_csv_limit_is_read_and_the_limit_restored(tmp_path):
    path = tmp_path / "t.csv"
    import csv

    path.write_text("date,district,controller,note\n2020-01-01,A,rebels," + "x" * 200_000 + "\n")
    before = csv.field_size_limit()
    assert len(cio.read_records(path)[0]["note"]) == 200_000 > before
    assert csv.field_size_limit() == before
