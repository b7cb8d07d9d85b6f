"""Benchmark: whole commands against their floor, both measured in this run (issue 13's table).

    python bench/floor.py                        # every row, 1k/10k/50k districts, 3 interleaved rounds
    python bench/floor.py --rows share sample    # only some rows
    python bench/floor.py --sizes 1000 10000 --rounds 5
    python bench/floor.py --dense-rows 10000000  # the dense log at 10M rows (10k districts x 1000 dates)

Every figure is a whole process (python start, imports, reading, work,
output to /dev/null) in CPU seconds (user + system, from wait4), and its peak
resident memory. The command and its floor run alternately, `--rounds` times
each, and the least CPU time of each is kept (the machine is shared: the
least is the run least disturbed by others). Rows:

- share: `conflictmap share --date` on N districts (GPKG; GeoJSON too at
  the largest size) + a 1000-date change log of 70k rows; floor: a python
  that imports geopandas and pyogrio and reads the districts file.
- dense: `share --date` on 1k districts x 1000 dates (a row for every
  district on every date, 1M rows); floor: the same python reading the
  districts and the log with pyarrow.csv.
- overlay: `conflictmap overlay` of 3 dated zones on 10k districts,
  writing the log: per date russia's 100k-vertex zone and wagner's 8 pockets
  touching its front (so the zone-overlap check runs); against a geopandas
  script (gpd.overlay per date, shares from equal-area areas, the log
  written with pandas), timed once (it takes minutes).
- zones: `conflictmap zones area --clip` on the 26 DeepStateMap snapshots
  in ../shared/data (skipped when absent); against a plain shapely + pyproj
  script (each zone ∩ the boundary, pyproj.Geod area).
- sample: `conflictmap share` on the bundled sample; floor: `import geopandas`.

Like an install (pip compiles a wheel's modules to .pyc), the conflictmap
tree that runs is compiled first (`compileall`): with PYTHONDONTWRITEBYTECODE
set, as on this machine, every run would otherwise compile conflictmap's
modules from source, a cost no installed copy pays (geopandas in the floor is
compiled by its install).

Synthetic districts are the ragged grid of bench/overlay.py (~97 vertices a
cell over 6° x 6° at 45°N); data are written once into --data (a temporary
folder by default).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
SHARED = HERE.parent.parent / "shared" / "data" / "ukraine"
ACTORS = ["government", "rebels", "kurdish forces"]
START = dt.date(2020, 1, 1)


BEFORE: Path | None = None  # --before: also run conflictmap from this source tree (an older commit), interleaved
OURS: Path | None = None  # --ours: run conflictmap from this source tree instead of the installed one


def conflictmap(tree: Path | None = None) -> list[str]:
    if tree:
        # A tree from before the command line moved under the package runs as `-m cli`.
        module = "conflictmap" if (tree / "conflictmap" / "__main__.py").exists() else "cli"
        return ["env", f"PYTHONPATH={tree}", sys.executable, "-m", module]
    script = Path(sys.executable).with_name("conflictmap")
    return [str(script)] if script.exists() else [sys.executable, "-m", "conflictmap"]


def compile_trees() -> None:
    """.pyc for every module of the trees that run, as an install writes them (see the docstring); in a
    child, so that this process stays small."""
    trees = [OURS or installed_tree(), BEFORE]
    folders = [str(t / p) for t in trees if t for p in ("conflictmap", "cli") if (t / p / "__init__.py").exists()]
    subprocess.run([sys.executable, "-m", "compileall", "-q", *folders], check=True, stdout=subprocess.DEVNULL)


def installed_tree() -> Path:
    """The folder holding the installed conflictmap package (and cli/, in an editable install)."""
    where = subprocess.run(
        [sys.executable, "-c", "import conflictmap; print(conflictmap.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tempfile.gettempdir(),
    )
    return Path(where.stdout.strip()).parent.parent


def commands(args: list[str], floor: list[str]) -> dict[str, list[str]]:
    """ours, the floor, and with --before the same command from the older tree."""
    pairs = {"ours": conflictmap(OURS) + args, "floor": floor}
    if BEFORE:
        pairs["before"] = conflictmap(BEFORE) + args
    return pairs


def python(code: str) -> list[str]:
    return [sys.executable, "-c", textwrap.dedent(code)]


def measure(cmd: list[str], folder: Path) -> tuple[float, float]:
    """(CPU seconds, peak MiB) of one whole process; its output goes nowhere."""
    with open(folder / "stderr.txt", "wb") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, cwd=folder)
        _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"failed ({status}): {' '.join(cmd)}\n{(folder / 'stderr.txt').read_text()[-2000:]}")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def interleaved(pairs: dict[str, list[str]], rounds: int, folder: Path, floor_rounds: int | None = None):
    """Least CPU time and largest peak of each command, the commands run in turn `rounds` times
    (the floor `floor_rounds` times, when it is a slow script)."""
    seen: dict[str, list] = {k: [] for k in pairs}
    for r in range(rounds):
        for key, cmd in pairs.items():
            if key != "floor" or r < (floor_rounds or rounds):
                seen[key].append(measure(cmd, folder))
    return {k: (min(c for c, _ in v), max(m for _, m in v)) for k, v in seen.items()}


# ---------------------------------------------------------------- data
#
# Written by a child process (--make): this process stays small, as every child's peak memory counts
# the memory of the process it was forked from (Linux keeps the larger of the two across exec).


def made(path: Path, kind: str, *args) -> Path:
    if not path.exists():
        subprocess.run([sys.executable, __file__, "--make", kind, str(path), *map(str, args)], check=True)
    return path


def make(kind: str, path: Path, *args: str) -> None:
    {"districts": write_districts, "log": write_change_log, "dense": write_dense_log, "zones": write_zones}[kind](
        path, *map(int, args)
    )


def districts_file(folder: Path, n: int, suffix: str) -> Path:
    return made(folder / f"districts_{n}{suffix}", "districts", n)


def change_log(folder: Path, n: int, rows: int = 70_000, dates: int = 1000) -> Path:
    return made(folder / f"log_{n}_{rows}.csv", "log", n, rows, dates)


def dense_log(folder: Path, n: int, dates: int = 1000) -> Path:
    return made(folder / f"dense_{n}x{dates}.csv", "dense", n, dates)


def zone_files(folder: Path, dates: int = 3, vertices: int = 100_000) -> Path:
    return made(folder / "zones", "zones", dates, vertices)


def write_districts(path: Path, n: int) -> None:
    import geopandas as gpd

    from overlay import ragged_cells

    cells = ragged_cells(n)
    frame = gpd.GeoDataFrame(
        {"id": [f"d{i}" for i in range(len(cells))], "name": [f"District {i}" for i in range(len(cells))]},
        geometry=cells,
        crs=4326,
    )
    frame.to_file(path, driver="GPKG" if path.suffix == ".gpkg" else "GeoJSON")


def write_change_log(path: Path, n: int, rows: int, dates: int) -> None:
    from log import write_log

    write_log(path, n, rows, dates)


def write_dense_log(path: Path, n: int, dates: int) -> None:
    """A row for every district on every date."""
    import numpy as np

    rng = np.random.default_rng(1)
    actors = np.array(ACTORS)
    with open(path, "w") as out:
        out.write("date,district,controller,share,source\n")
        for day in range(dates):
            date = (START + dt.timedelta(days=day)).isoformat()
            who = actors[rng.integers(0, 3, n)]
            out.write("".join(f"{date},d{i},{w},,https://example.org/{day % 97}\n" for i, w in enumerate(who)))


def write_zones(zones: Path, dates: int, vertices: int) -> None:
    """Per date: russia's zone (bench/overlay.zone) and wagner's: 8 blobs on russia's front, cut to touch it."""
    import geopandas as gpd
    import numpy as np
    import shapely

    from overlay import EXTENT, zone

    zones.mkdir()
    for k in range(dates):
        day = (START + dt.timedelta(days=30 * k)).isoformat()
        held = zone(vertices, shift=0.02 * k, seed=k)
        line = shapely.get_exterior_ring(max(shapely.get_parts(held), key=lambda p: p.area))
        spots = [line.interpolate(f, normalized=True) for f in np.linspace(0.05, 0.45, 8)]
        blobs = shapely.difference(shapely.union_all([p.buffer(0.05 * EXTENT / 6, 64) for p in spots]), held)
        frame = gpd.GeoDataFrame({"actor": ["russia", "wagner"]}, geometry=[held, blobs], crs=4326)
        frame.to_file(zones / f"zones_{day}.geojson", driver="GeoJSON")


# ---------------------------------------------------------------- rows


def read_floor(path: Path, log: Path | None = None) -> list[str]:
    extra = f"import pyarrow.csv; pyarrow.csv.read_csv({str(log)!r})" if log else ""
    return python(f"""
        import geopandas, pyogrio
        pyogrio.read_dataframe({str(path)!r})
        {extra}
    """)


def share_row(folder: Path, n: int, suffix: str, log: Path, label: str, rounds: int) -> list:
    path = districts_file(folder, n, suffix)
    args = ["share", "-d", str(path), "-c", str(log), "--date", "2021-06-01", "-f", "json"]
    got = interleaved(commands(args, read_floor(path, log if label == "dense" else None)), rounds, folder)
    rows = sum(1 for _ in open(log)) - 1
    return [label, f"{n:,} districts ({suffix[1:]}), {rows:,}-row log", got]


def overlay_row(folder: Path, rounds: int) -> list:
    path = districts_file(folder, 10_000, ".gpkg")
    zones = zone_files(folder)
    args = ["overlay", str(zones), "--actor-field", "actor", "-d", str(path), "-o", str(folder / "ours.csv")]
    script = python(f"""
        import glob, re
        import geopandas as gpd, pandas as pd
        districts = gpd.read_file({str(path)!r})
        laea = "+proj=laea +lat_0=48 +lon_0=33 +ellps=WGS84"
        whole = districts.to_crs(laea).area.to_numpy()
        frames = []
        for name in sorted(glob.glob({str(zones)!r} + "/*.geojson")):
            zone = gpd.read_file(name)
            pieces = gpd.overlay(districts.reset_index(), zone, how="intersection", keep_geom_type=True)
            share = pieces.to_crs(laea).area.to_numpy() / whole[pieces["index"].to_numpy()]
            frames.append(pd.DataFrame({{"date": re.search(r"\\d{{4}}-\\d\\d-\\d\\d", name).group(),
                                        "district": pieces["id"], "controller": pieces["actor"], "share": share}}))
        pd.concat(frames).to_csv({str(folder / "theirs.csv")!r}, index=False)
    """)
    got = interleaved(commands(args, script), rounds, folder, floor_rounds=1)
    return ["overlay", "10,000 districts x 3 dates of 100k-vertex zones", got]


def zones_row(folder: Path, rounds: int) -> list | None:
    zones, boundary = SHARED / "zones-deepstate", SHARED / "national-boundary.geojson"
    if not zones.is_dir():
        return None
    args = ["zones", "area", str(zones), "--actor", "russia", "--clip", str(boundary), "-f", "csv"]
    script = python(f"""
        import glob
        import shapely
        from pyproj import Geod
        geod = Geod(ellps="WGS84")
        read = lambda name: shapely.union_all(shapely.get_parts(shapely.from_geojson(open(name).read())))
        boundary = read({str(boundary)!r})
        for name in sorted(glob.glob({str(zones)!r} + "/*.geojson")):
            area = abs(geod.geometry_area_perimeter(shapely.intersection(read(name), boundary))[0]) / 1e6
            print(name, area)
    """)
    got = interleaved(commands(args, script), rounds, folder)
    return ["zones", f"{len(list(zones.glob('*.geojson')))} DeepStateMap snapshots, --clip national boundary", got]


def sample_row(folder: Path, rounds: int) -> list:
    got = interleaved(commands(["share", "-f", "json"], python("import geopandas")), rounds, folder)
    return ["sample", "bundled Aleppo sample", got]


GOALS = {
    "share": "<= 1.5x (10k), <= 2x (50k)",
    "dense": "<= 3x",
    "overlay": ">= 30x faster",
    "zones": "<= 0.7x",
    "sample": "<= 1.2x",
}


def ratio(label: str, ours: float, floor: float) -> str:
    return f"{floor / ours:.1f}x faster" if label == "overlay" else f"{ours / floor:.2f}x"


def show(row) -> None:
    label, what, got = row
    (ours, ours_mem), (floor, floor_mem) = got["ours"], got["floor"]
    print(
        f"{label:<8} {what:<52} {ours:>7.2f} {floor:>7.2f} {ratio(label, ours, floor):>13}  {GOALS[label]:<26} "
        f"{ours_mem:>7.0f} {floor_mem:>7.0f} {ours_mem / floor_mem:>5.2f}x",
        flush=True,
    )
    if "before" in got:
        (before, before_mem) = got["before"]
        print(
            f"{'':<8} {'  before (--before tree), same run':<52} {before:>7.2f} {floor:>7.2f} "
            f"{ratio(label, before, floor):>13}  {'':<26} {before_mem:>7.0f} {floor_mem:>7.0f} "
            f"{before_mem / floor_mem:>5.2f}x",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", nargs="*", default=["share", "dense", "overlay", "zones", "sample"])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1_000, 10_000, 50_000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--dense-rows", type=int, default=1_000_000, help="1M: 1k districts x 1000 dates; 10M: 10k x 1000"
    )
    parser.add_argument("--data", type=Path, help="keep the generated data here (default: a temporary folder)")
    parser.add_argument(
        "--before",
        type=Path,
        help="also run conflictmap from this source tree (e.g. git archive of "
        "an older commit), interleaved with the others: before/after in one run",
    )
    parser.add_argument("--ours", type=Path, help="run conflictmap from this source tree, not the installed one")
    parser.add_argument("--make", nargs="+", help=argparse.SUPPRESS)  # a child writing one data file
    args = parser.parse_args()
    if args.make:
        return make(args.make[0], Path(args.make[1]), *args.make[2:])
    global BEFORE, OURS
    BEFORE = args.before.resolve() if args.before else None
    OURS = args.ours.resolve() if args.ours else None
    compile_trees()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.data or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        print(
            f"{'row':<8} {'what':<52} {'CPU s':>7} {'floor':>7} {'ratio':>13}  {'goal':<26} "
            f"{'MiB':>7} {'floor':>7} {'peak':>6}"
        )
        if "share" in args.rows:
            for n in args.sizes:
                log = change_log(folder, n)
                show(share_row(folder, n, ".gpkg", log, "share", args.rounds))
                if n == max(args.sizes):
                    show(share_row(folder, n, ".geojson", log, "share", args.rounds))
        if "dense" in args.rows:
            n = max(1000, args.dense_rows // 1000)
            show(share_row(folder, n, ".gpkg", dense_log(folder, n), "dense", args.rounds))
        if "overlay" in args.rows:
            show(overlay_row(folder, args.rounds))
        if "zones" in args.rows and (row := zones_row(folder, args.rounds)):
            show(row)
        if "sample" in args.rows:
            show(sample_row(folder, args.rounds))


if __name__ == "__main__":
    main()
