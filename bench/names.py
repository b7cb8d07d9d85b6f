"""Benchmark: district lookups by name, against a plain dictionary lookup measured in the same run.

    python bench/names.py                  # 5,000 districts, 200,000 log cells
    python bench/names.py --districts 500 --cells 20000

Districts get transliterated Arabic-style names ("al-Haydariyeh 17"); log cells name
them as a record would: 80% by the exact name in another case, 15% by a looser
spelling (article dropped, vowels changed: "Haydariya 17"), 5% by id.

- conflictmap.matching.DistrictIndex.find_all: exact tier, then the looser tier
  (both keys cached per distinct text), as every command reads a log.
- baseline: a dict from lower-cased name to position, which finds only the exact
  cells (no accents, scripts or transliterations): the floor for any lookup.
Prints both times per cell and their ratio, and the index build time.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from conflictmap.matching import DistrictIndex  # noqa: E402

STEMS = [
    "Haydariyeh",
    "Sheikh Kheder",
    "Bustan al-Qaser",
    "Karm aj-Jabal",
    "Jouret Awwad",
    "Ma'asaraniyeh",
    "Sha'ar",
    "Marjeh",
    "Fardos",
    "Sukkari",
    "Ansari",
    "Zebdiyeh",
    "Salheen",
    "Kallaseh",
    "Myassar",
]
LOOSE = {
    "Haydariyeh": "Haydariya",
    "Sheikh Kheder": "Sheikh Khodr",
    "Bustan al-Qaser": "Bustan Qasr",
    "Karm aj-Jabal": "Karam Jabal",
    "Jouret Awwad": "Juret Awad",
    "Ma'asaraniyeh": "Masaraniya",
    "Sha'ar": "Shaar",
    "Marjeh": "Marja",
    "Fardos": "Fardous",
    "Sukkari": "Sukari",
    "Ansari": "Ansary",
    "Zebdiyeh": "Zabdiya",
    "Salheen": "Salhin",
    "Kallaseh": "Kalasa",
    "Myassar": "Maysar",
}


def names(n: int) -> list[str]:
    return [f"al-{STEMS[i % len(STEMS)]} {i // len(STEMS)}" for i in range(n)]


def cells(districts: list[str], n: int, rng: random.Random) -> list[str]:
    out = []
    for _ in range(n):
        i = rng.randrange(len(districts))
        roll = rng.random()
        stem, number = STEMS[i % len(STEMS)], i // len(STEMS)
        if roll < 0.8:
            out.append(districts[i].upper())
        elif roll < 0.95:
            out.append(f"{LOOSE[stem]} {number}")
        else:
            out.append(f"d{i}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--districts", type=int, default=5000)
    parser.add_argument("--cells", type=int, default=200_000)
    args = parser.parse_args()
    rng = random.Random(1)
    district_names = names(args.districts)
    ids = [f"d{i}" for i in range(args.districts)]
    log = cells(district_names, args.cells, rng)

    start = time.perf_counter()
    index = DistrictIndex(ids, district_names)
    built = time.perf_counter() - start

    start = time.perf_counter()
    found = [index.find_all(text, "bench") for text in log]
    ours = time.perf_counter() - start

    plain = {n.lower(): i for i, n in enumerate(district_names)}
    start = time.perf_counter()
    floor = [plain.get(text.lower()) for text in log]
    baseline = time.perf_counter() - start

    wrong = sum(
        f[0] != int(t.removeprefix("d")) if t.startswith("d") and t[1:].isdigit() else False for f, t in zip(found, log)
    )
    exact = sum(f is not None for f in floor)
    print(f"{args.districts} districts, {args.cells} cells ({exact} exact by lower case, the rest looser or ids)")
    print(f"index build: {built * 1e3:.1f} ms")
    print(f"DistrictIndex.find_all: {ours / args.cells * 1e6:.2f} µs/cell, finds {len(found)} of {args.cells}")
    print(f"baseline dict lookup:   {baseline / args.cells * 1e6:.2f} µs/cell, finds {exact} of {args.cells}")
    print(f"ratio: {ours / baseline:.1f}x the floor; ids looked up wrongly: {wrong}")


if __name__ == "__main__":
    main()
