"""An animation of the control map (GIF or MP4): one frame per date, each the static map of that date.

Each frame is ``plots.map_figure`` (title with the date, legend with that date's
shares, the baseline outline), so a frame says exactly what ``map --date``
says. Frames are rendered in parallel worker processes (fork: the dataset is
shared, not copied per frame).

GIF: joined by Pillow (matplotlib's own imaging dependency) with one adaptive
palette for the whole animation and no dithering: the same data gives the same bytes.

MP4: H.264 through imageio-ffmpeg (the optional extra ``conflictmap[video]``,
whose wheel carries its own ffmpeg binary). Frames are padded with white to a
multiple of 16 pixels (never scaled: text stays sharp), encoded on one thread
with ffmpeg's bit-exact flags, so the same data gives the same bytes with the
same ffmpeg.

A supervisor's kill (``timeout``, systemd, cron send SIGTERM, then SIGKILL) must
not leave the workers behind: each worker ends when its parent does (Linux:
PR_SET_PDEATHSIG; elsewhere a thread that watches the parent), and SIGTERM
unwinds the parent like an error (pool cancelled, temporary file removed)
before it ends the process as SIGTERM would have.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import signal
import sys
import threading
import time

from pathlib import Path

from .baseline import Baseline
from .dataset import Dataset
from .errors import UsageError
from .io import atomic_path, check_not_input

__all__ = ["animation", "animation_format", "frame_dates", "render"]

DPI = 80  # a 10 x 8 inch figure becomes 800 x 640 pixels: legible legend, a few hundred KB a frame at most
WIDTH = 800  # pixels: the map figure is 10 inches wide
MIN_WIDTH, MAX_WIDTH = 400, 4000  # under 400 the legend cannot be read; over 4000 a frame is a poster
_SHARED: dict = {}  # what forked workers read: the dataset and the map options (set before the pool starts)


def frame_dates(
    ds: Dataset, every: str | None = None, start: dt.date | None = None, end: dt.date | None = None
) -> list:
    """Every date of the log, or a fixed step (timeline's --every) from the first date to the last."""
    from .timeline import stepped_dates

    if ds.first_date is None:
        raise UsageError("an animation needs a control log with dates; give --control")
    first, last = start or ds.first_date, end or ds.last_date
    if every:
        return stepped_dates(first, last, every)
    return [d for d in ds.dates if first <= d <= last] or [last]


ANIMATION_SUFFIXES = (".gif", ".mp4")
VIDEO_EXTRA = "pip install 'conflictmap[video]'"
MACRO_BLOCK = 16  # H.264 codes 16 x 16 blocks: a frame of other sizes is padded (players choke on odd sizes)


def animation_format(path) -> str:
    """'gif' or 'mp4' from the file name; for MP4, the ffmpeg of the video extra must be there.

    Called before any work (the CLI calls it before loading the data): a missing extra
    fails at once, not after the frames are drawn.
    """
    suffix = Path(str(path)).suffix.lower()
    if suffix not in ANIMATION_SUFFIXES:
        raise UsageError(f"{path}: an animation is written as FILE.gif or FILE.mp4")
    if suffix == ".mp4":
        ffmpeg_exe()
    return suffix[1:]


def ffmpeg_exe() -> str:
    """The ffmpeg binary that imageio-ffmpeg ships, or a UsageError naming the extra to install."""
    try:
        import imageio_ffmpeg
    except ImportError:
        raise UsageError(
            f"writing MP4 needs the video extra (imageio-ffmpeg, with its own ffmpeg): {VIDEO_EXTRA}; or write FILE.gif"
        ) from None
    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError as exc:  # a platform its wheels do not cover, and no ffmpeg on the PATH
        raise UsageError(
            f"writing MP4: imageio-ffmpeg found no ffmpeg ({' '.join(str(exc).split())[:200]}); "
            "set IMAGEIO_FFMPEG_EXE to an ffmpeg binary, or write FILE.gif"
        ) from None


def animation(
    ds: Dataset,
    path,
    days: list,
    fps: float = 1.5,
    baseline: Baseline | None = None,
    workers: int | None = None,
    width: int = WIDTH,
    **view,
) -> int:
    """Write the GIF or MP4 atomically (format from the suffix), frames `width` pixels wide; returns the number of frames.

    `view` holds map_figure's keyword options for every frame: labels, bbox, inset, basemap.
    """
    from PIL import Image

    fmt = animation_format(path)
    if not fps > 0:
        raise UsageError(f"--fps {fps} must be more than 0 frames a second")
    if not MIN_WIDTH <= width <= MAX_WIDTH:
        raise UsageError(
            f"--width {width}: give {MIN_WIDTH} to {MAX_WIDTH} pixels (under {MIN_WIDTH} the legend cannot be read)"
        )
    check_not_input(path, ds.inputs.paths())
    with _sigterm_unwinds():
        pngs = render(ds, days, baseline, workers, dpi=width / 10, **view)
        frames = [Image.open(io.BytesIO(png)).convert("RGB") for png in pngs]
        with atomic_path(path) as tmp:
            (_write_mp4 if fmt == "mp4" else _write_gif)(frames, tmp, fps)
    return len(frames)


class _Terminated(BaseException):
    """SIGTERM arrived; a BaseException so that no `except Exception` takes it for a failure to report."""


def _raise_terminated(signum, frame):
    raise _Terminated


@contextlib.contextmanager
def _sigterm_unwinds():
    """SIGTERM raises inside the block (the pool is cancelled, atomic_path removes its temporary file), then
    ends the process by SIGTERM as before (exit status 143 for the supervisor). A SIGTERM that the caller set
    to be ignored or handled, or a block outside the main thread (where no handler can be set), is left alone."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGTERM) != signal.SIG_DFL:
        yield
        return
    signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    except _Terminated:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)
        raise  # not reached: the default action of SIGTERM ends the process
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


PALETTE_FRAMES = 16  # frames (evenly spaced) that the GIF's one palette is made from


def _write_gif(frames: list, path, fps: float) -> None:
    """One palette for all frames (median cut over up to PALETTE_FRAMES of them, no dithering): Pillow then
    stores each frame as the rectangle that changed since the one before, half the bytes of a palette per frame."""
    from PIL import Image

    w, h = frames[0].size
    step = max(1, -(-len(frames) // PALETTE_FRAMES))
    sample = frames[::step]
    strip = Image.new("RGB", (w, h * len(sample)))
    for k, frame in enumerate(sample):
        strip.paste(frame, (0, h * k))
    palette = strip.quantize(colors=255, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    frames = [f.quantize(palette=palette, dither=Image.Dither.NONE) for f in frames]
    frames[0].save(
        path,
        format="GIF",
        save_all=True,
        append_images=frames[1:],
        duration=round(1000 / fps),
        loop=0,
        optimize=False,
        disposal=1,
    )


def _write_mp4(frames: list, path, fps: float) -> None:
    """H.264 in MP4, yuv420p (what every browser and phone plays), at `fps` frames a second."""
    import imageio_ffmpeg

    frames = [_padded(f) for f in frames]
    size = frames[0].size
    # Bit-exact muxing (no encoder version string, no creation time) and one encoding thread: the same bytes twice.
    # -tune stillimage and crf 18: flat map colours and small text stay clean.
    options = [
        "-preset",
        "medium",
        "-tune",
        "stillimage",
        "-crf",
        "18",
        "-threads",
        "1",
        "-fflags",
        "+bitexact",
        "-flags:v",
        "+bitexact",
        "-map_metadata",
        "-1",
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
    ]
    writer = imageio_ffmpeg.write_frames(
        str(path),
        size,
        fps=fps,
        codec="libx264",
        quality=None,
        macro_block_size=1,
        output_params=options,
        ffmpeg_log_level="error",
    )
    writer.send(None)  # start ffmpeg
    try:
        for frame in frames:
            writer.send(frame.tobytes())
    finally:
        writer.close()


def _padded(frame):
    """The frame centred on white, grown to a multiple of MACRO_BLOCK pixels each way."""
    from PIL import Image

    w, h = frame.size
    size = (-(-w // MACRO_BLOCK) * MACRO_BLOCK, -(-h // MACRO_BLOCK) * MACRO_BLOCK)
    if size == frame.size:
        return frame
    out = Image.new("RGB", size, "white")
    out.paste(frame, ((size[0] - w) // 2, (size[1] - h) // 2))
    return out


def render(
    ds: Dataset, days: list, baseline: Baseline | None = None, workers: int | None = None, dpi: float = DPI, **view
) -> list[bytes]:
    """PNG bytes of each date's map (map_figure with the `view` options), in date order; in worker processes
    when there are several frames."""
    _SHARED.update(ds=ds, baseline=baseline, dpi=dpi, view=view)
    workers = min(workers or os.cpu_count() or 1, len(days))
    try:
        if workers <= 1:
            return [_frame(day) for day in days]
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(
            workers, multiprocessing.get_context("fork"), initializer=_die_with_parent, initargs=(os.getpid(),)
        )
        try:
            pngs = list(pool.map(_frame, days))
        except BaseException:  # a failed frame or SIGTERM: the frames not started are not drawn
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown()
        return pngs
    finally:
        _SHARED.clear()


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _die_with_parent(parent: int) -> None:
    """Worker initializer: end when the parent process ends, however it ends (SIGKILL included).

    A forked worker waits on a pipe whose writing end its sibling workers also hold, so it never sees the
    parent go: the kernel is asked to send it SIGTERM then (Linux), or a thread checks the parent every second.
    """
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's _raise_terminated, inherited through fork
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) == 0:
            if os.getppid() != parent:  # the parent died before prctl
                os._exit(1)
            return
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)


def _frame(day) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .plots import literal_text, map_figure

    fig = map_figure(_SHARED["ds"], day, _SHARED["baseline"], **_SHARED["view"])
    literal_text(fig)  # names are text, not mathtext
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=_SHARED["dpi"], facecolor="white", metadata={"Software": None})
    plt.close(fig)
    return out.getvalue()
