"""Benchmark: reading a control log, column-wise against the row-by-row reader and a plain pandas read.

    python bench/log.py                       # 10k districts, 70k rows; 1k districts x 1000 dates (1M rows)
    python bench/log.py --rows 70000          # only the first

- conflictmap.control.load_control: the column-wise path (pandas' C reader, each
  distinct district, date and actor checked once, plain single-row groups settled
  with array operations).
- the row-by-row reader (parse_rows + settle), the definition of every message,
  which load_control falls back to when anything is unusual.
- the floor: pandas.read_csv of the same file as strings, nothing checked.
Both readers must give the same frame. Prints seconds, µs per row and the ratios.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def write_log(path: Path, districts: int, rows: int, dates: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    lines, used = ["date,district,controller,share,source"], set()
    for k in range(rows):
        day, i = k * dates // rows, rng.randrange(districts)
        if (day, i) in used:
            continue
        used.add((day, i))
        date = dt.date(2020, 1, 1) + dt.timedelta(days=day)
        lines.append(
            f"{date},d{i},{rng.choice(('government', 'rebels', 'kurdish forces'))},,https://example.org/{k % 97}"
        )
    path.write_text("\n".join(lines) + "\n")


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def run(districts: int, rows: int, dates: int, folder: Path) -> None:
    import pandas as pd

    from conflictmap.control import load_control, parse_rows, read_log_records, settle
    from conflictmap.errors import Checks
    from conflictmap.matching import DistrictIndex
    from conflictmap.actors import Actors

    path = folder / f"log_{districts}_{rows}.csv"
    write_log(path, districts, rows, dates)
    ids = [f"d{i}" for i in range(districts)]
    names = [f"District {i}" for i in range(districts)]
    _, floor = timed(lambda: pd.read_csv(path, dtype=str, keep_default_na=False))
    (fast, _), ours = timed(lambda: load_control(path, DistrictIndex(ids, names), Actors()))
    slow, by_rows = timed(
        lambda: settle(parse_rows(read_log_records(path), str(path), DistrictIndex(ids, names), Actors(), Checks()))
    )
    pd.testing.assert_frame_equal(fast, slow)
    n = len(fast)
    print(f"{districts} districts, {n} rows over {dates} dates")
    print(
        f"  column-wise load_control: {ours:.2f} s ({ours / n * 1e6:.1f} µs/row), {ours / floor:.1f}x the pandas read"
    )
    print(
        f"  row-by-row reader:        {by_rows:.2f} s ({by_rows / n * 1e6:.1f} µs/row), {by_rows / ours:.1f}x the column-wise"
    )
    print(f"  floor, pandas.read_csv:   {floor:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="*", default=[70_000, 1_000_000])
    args = parser.parse_args()
    import pandas  # noqa: F401  (imported once, outside the timings)

    with tempfile.TemporaryDirectory() as tmp:
        for rows in args.rows:
            districts, dates = (10_000, 1000) if rows <= 100_000 else (1000, 1000)
            run(districts, rows, dates, Path(tmp))


if __name__ == "__main__":
    main()
