"""An animated GIF of the control map: one frame per date, each the static map of that date.

Each frame is ``plots.map_figure`` (title with the date, legend with that date's
shares, the baseline outline), so a frame says exactly what ``map --date``
says. Frames are rendered in parallel worker processes (fork: the dataset is
shared, not copied per frame) and joined by Pillow (matplotlib's own imaging
dependency) with one adaptive palette per frame and no dithering: the same
data gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import os

from .dataset import Dataset
from .errors import UsageError
from .io import atomic_path, check_not_input

DPI = 80  # a 10 x 8 inch figure becomes 800 x 640 pixels: legible legend, a few hundred KB a frame at most
_SHARED: dict = {}  # what forked workers read: the dataset and the map options (set before the pool starts)


def frame_dates(ds: Dataset, every: str | None = None, start: dt.date | None = None, end: dt.date | None = None) -> list:
    """Every date of the log, or a fixed step (timeline's --every) from the first date to the last."""
    from .timeline import stepped_dates

    if ds.first_date is None:
        raise UsageError("an animation needs a control log with dates; give --control")
    first, last = start or ds.first_date, end or ds.last_date
    if every:
        return stepped_dates(first, last, every)
    return [d for d in ds.dates if first <= d <= last] or [last]


def animation(ds: Dataset, path, days: list, fps: float = 1.5, baseline: dt.date | None = None,
              members: list[str] | None = None, label: str | None = None, workers: int | None = None) -> int:
    """Write the GIF atomically; returns the number of frames."""
    from PIL import Image

    if not str(path).lower().endswith(".gif"):
        raise UsageError(f"{path}: an animation is written as FILE.gif")
    if not fps > 0:
        raise UsageError(f"--fps {fps} must be more than 0 frames a second")
    check_not_input(path, ds.inputs.paths())
    frames = [Image.open(io.BytesIO(png)).convert("RGB") for png in render(ds, days, baseline, members, label, workers)]
    frames = [f.quantize(colors=255, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE) for f in frames]
    with atomic_path(path) as tmp:
        frames[0].save(tmp, format="GIF", save_all=True, append_images=frames[1:], duration=round(1000 / fps),
                       loop=0, optimize=False, disposal=1)
    return len(frames)


def render(ds: Dataset, days: list, baseline=None, members=None, label=None, workers: int | None = None) -> list[bytes]:
    """PNG bytes of each date's map, in date order; in worker processes when there are several frames."""
    _SHARED.update(ds=ds, baseline=baseline, members=members, label=label)
    workers = min(workers or os.cpu_count() or 1, len(days))
    try:
        if workers <= 1:
            return [_frame(day) for day in days]
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            return list(pool.map(_frame, days))
    finally:
        _SHARED.clear()


def _frame(day) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .plots import literal_text, map_figure

    fig = map_figure(_SHARED["ds"], day, _SHARED["baseline"], _SHARED["members"], _SHARED["label"])
    literal_text(fig)  # names are text, not mathtext
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI, facecolor="white", metadata={"Software": None})
    plt.close(fig)
    return out.getvalue()
