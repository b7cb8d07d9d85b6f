"""Benchmark: animation frames rendered in worker processes against one process, in the same run.

    python bench/animate.py                      # 1,000 grid districts, 20 dates
    python bench/animate.py --side 71 --dates 100  # about 5,000 districts, 100 frames

Districts: a square grid; the log moves a front across it, one column of cells a date.
- conflictmap.animate.render(workers=N): every frame is plots.map_figure of its date, in forked workers.
- baseline: the same frames in this process, one after the other (workers=1).
Both must give the same PNG bytes. Prints seconds, seconds per frame and the speed-up, then the time and
size of joining the frames into a GIF (one palette) and, with the video extra, an MP4 (H.264, one thread).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def write_inputs(folder: Path, side: int, dates: int) -> tuple[Path, Path]:
    features, rows = [], ["date,district,controller"]
    for i in range(side):
        for j in range(side):
            x, y, s = 30 + i * 0.01, 50 + j * 0.01, 0.01
            ring = [[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]]
            features.append(
                {
                    "type": "Feature",
                    "properties": {"id": f"c{i}-{j}"},
                    "geometry": {"type": "Polygon", "coordinates": [ring]},
                }
            )
            rows.append(f"2020-01-01,c{i}-{j},{'government' if i < side // 4 else 'rebels'}")
    for k in range(1, dates):
        column = side // 4 + k * (side - side // 4) // dates
        day = dt.date(2020, 1, 1) + dt.timedelta(days=k)
        rows += [f"{day},c{column}-{j},government" for j in range(side)]
    districts, log = folder / "grid.geojson", folder / "log.csv"
    districts.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    log.write_text("\n".join(rows) + "\n")
    return districts, log


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=32)
    parser.add_argument("--dates", type=int, default=20)
    args = parser.parse_args()
    from conflictmap.animate import render
    from conflictmap.dataset import load_dataset
    from conflictmap.project import Inputs

    with tempfile.TemporaryDirectory() as tmp:
        districts, log = write_inputs(Path(tmp), args.side, args.dates)
        ds = load_dataset(Inputs(districts=str(districts), control=str(log)))
        days = ds.dates
        start = time.perf_counter()
        parallel = render(ds, days, workers=os.cpu_count())
        ours = time.perf_counter() - start
        start = time.perf_counter()
        serial = render(ds, days, workers=1)
        baseline = time.perf_counter() - start
        assert parallel == serial
    print(f"{len(ds.districts)} districts, {len(days)} frames")
    print(f"worker processes ({os.cpu_count()}): {ours:.1f} s ({ours / len(days):.2f} s a frame)")
    print(f"one process:          {baseline:.1f} s ({baseline / len(days):.2f} s a frame)")
    print(f"speed-up: {baseline / ours:.2f}x")
    encode(parallel)


def encode(pngs: list[bytes]) -> None:
    """Seconds and bytes of the GIF and (if imageio-ffmpeg is there) the MP4 of these frames."""
    import io

    from PIL import Image

    from conflictmap.animate import _write_gif, _write_mp4

    frames = [Image.open(io.BytesIO(png)).convert("RGB") for png in pngs]
    writers = [("GIF", _write_gif, ".gif")]
    try:
        import imageio_ffmpeg  # noqa: F401

        writers.append(("MP4", _write_mp4, ".mp4"))
    except ImportError:
        print("MP4: imageio-ffmpeg is not installed (pip install 'conflictmap[video]')")
    with tempfile.TemporaryDirectory() as tmp:
        for name, write, suffix in writers:
            path = Path(tmp) / f"a{suffix}"
            start = time.perf_counter()
            write(frames, path, 1.5)
            took = time.perf_counter() - start
            print(f"{name}: {took:.1f} s to join {len(frames)} frames, {path.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
