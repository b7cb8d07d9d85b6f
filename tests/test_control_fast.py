"""The column-wise log reader gives what the row-by-row reader gives: the same frame, the same messages.

The row reader (parse_rows + settle + from_problems) is the definition; load_control
takes the column-wise path when it can. Compared on every control log of the
bad-input corpus, the bundled sample, and random logs with splits, shares and duplicates.
"""

import json
import random
from pathlib import Path

import pandas as pd
import pytest

from conflictmap.control import (
    fast_log,
    from_problems,
    future_problem,
    load_control,
    parse_rows,
    read_log_records,
    settle,
)
from conflictmap.errors import Checks, InputError
from conflictmap import io as cio
from conflictmap.io import label
from conflictmap.matching import DistrictIndex
from conflictmap.actors import load_actors
from conflictmap.project import sample_dir
from tests.helpers import NAMES, SQUARES

BAD = Path(__file__).resolve().parent / "bad_inputs"
SQUARE_INDEX = (list(SQUARES), [NAMES[k] for k in SQUARES])


@pytest.fixture(params=["pyarrow.csv", "pandas"], autouse=True)
def table_reader(request, monkeypatch):
    """Every comparison runs twice: io.read_columns with pyarrow.csv (unquoted text), and with pandas' C reader only."""
    if request.param == "pandas":
        monkeypatch.setattr(cio, "_arrow_columns", lambda *args: None)
    return request.param


def by_rows(path, ids, names, actors=None):
    """The row-by-row reading: (frame, messages) or the error message."""
    problems = []
    checks = Checks(problems)
    try:
        rows = parse_rows(read_log_records(path), label(path), DistrictIndex(ids, names), load_actors(actors), checks)
        problems += from_problems(rows)
        frame = settle(rows, checks)
        problems += [future] if (future := future_problem(frame)) else []
        return frame, [str(p) for p in problems]
    except InputError as exc:
        return str(exc)


def by_load(path, ids, names, actors=None):
    try:
        frame, problems = load_control(path, DistrictIndex(ids, names), load_actors(actors))
        return frame, [str(p) for p in problems]
    except InputError as exc:
        return str(exc)


def same(a, b):
    assert type(a) is type(b), (a, b)
    if isinstance(a, str):
        assert a == b
    else:
        pd.testing.assert_frame_equal(a[0], b[0])
        assert a[1] == b[1]


@pytest.mark.parametrize(
    "name", sorted(p.name for p in BAD.glob("c_*") if p.suffix in (".csv", ".json", ".ndjson", ".gz"))
)
def test_bad_input_logs(name):
    actors = BAD / "c_actors.toml" if name in ("c_unknown_actor.csv", "c_aliases.csv") else None
    same(by_load(BAD / name, *SQUARE_INDEX, actors), by_rows(BAD / name, *SQUARE_INDEX, actors))


def test_the_bundled_sample_takes_the_fast_path_and_agrees():
    folder = sample_dir()
    districts = json.loads((folder / "districts.geojson").read_text(encoding="utf-8"))["features"]
    ids = [f["properties"]["id"] for f in districts]
    names = [f["properties"]["name"] for f in districts]
    log, actors = folder / "control.csv", folder / "actors.toml"
    assert fast_log(log, DistrictIndex(ids, names), load_actors(actors), Checks()) is not None
    same(by_load(log, ids, names, actors), by_rows(log, ids, names, actors))


@pytest.mark.parametrize("seed", range(6))
def test_random_logs(tmp_path, seed):
    rng = random.Random(seed)
    ids = [f"d{i}" for i in range(30)]
    names = [f"District {i}" for i in range(30)]
    lines = ["date,district,controller,share,source"]
    used = set()
    for _ in range(300):
        day = f"2020-{rng.randint(1, 3):02d}-{rng.randint(1, 28):02d}"
        i = rng.randrange(len(ids))
        if (day, i) in used:  # one group per district and day (a clash is an error, tested by the corpus)
            continue
        used.add((day, i))
        place = ids[i] if rng.random() < 0.7 else names[i].upper()
        kind = rng.random()
        if kind < 0.1:  # a split, sometimes with a remainder
            lines += [f"{day},{place},government,0.5,s", f"{day},{place},rebels,{rng.choice(['0.5', '0.3'])},s"]
        elif kind < 0.15:  # a row given twice
            lines += [f"{day},{place},rebels,,s"] * 2
        elif kind < 0.2:
            lines.append(f"{day},{place},contested,{rng.choice(['1', '0.7', '100%'])},s")
        else:
            lines.append(
                f'{day},{place},{rng.choice(["government", "rebels", "Rebels ", "unknown"])},,"s, {rng.randint(1, 9)}"'
            )
    path = tmp_path / "log.csv"
    path.write_text("\n".join(lines) + "\n")
    assert fast_log(path, DistrictIndex(ids, names), load_actors(None), Checks()) is not None  # the path under test
    same(by_load(path, ids, names), by_rows(path, ids, names))


def test_an_unquoted_log_is_read_by_pyarrow(tmp_path, table_reader, monkeypatch):
    path = tmp_path / "log.csv"
    path.write_text(
        "date,district,controller,share\n2020-01-01,A,rebels,\n2020-01-01,B,government,0.5\n"
        "2020-01-01,B,rebels,0.5\n\n2020-02-01, A ,government,\n"
    )
    used = []
    real = cio._arrow_columns
    monkeypatch.setattr(
        cio, "_arrow_columns", lambda *a: used.append(1) or (real(*a) if table_reader != "pandas" else None)
    )
    same(by_load(path, *SQUARE_INDEX), by_rows(path, *SQUARE_INDEX))
    assert used  # asked; with pyarrow installed it read the table (a split, a blank line, padded names)
    if table_reader != "pandas":
        assert real(path.read_text(), ",", 4) is not None


def test_filled_lines_as_before_without_copying_the_text():
    # io._filled_lines searches the text in place now (no copy of a 1 GB log): the same lines as the previous code.
    import numpy as np

    def previous(text):
        count = text.count("\n") + (not text.endswith("\n"))
        body = text.removesuffix("\n")
        if not (body.startswith(("\n", " ", "\t")) or "\n\n" in body or "\n " in body or "\n\t" in body):
            return np.arange(1, count + 1, dtype=np.int64)
        return np.asarray([i + 1 for i, line in enumerate(text.split("\n")) if line.strip()], dtype=np.int64)

    rng = random.Random(3)
    for _ in range(3000):
        text = "".join(rng.choice(["a", ",", "\n", " ", "\t", "\n\n"]) for _ in range(rng.randrange(0, 12)))
        assert list(cio._filled_lines(text)) == list(previous(text)), repr(text)
