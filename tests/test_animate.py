"""conflictmap animate: one GIF frame per date, each the static map of that date; the same bytes twice."""

import contextlib
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from conflictmap.animate import render
from conflictmap.dataset import load_dataset
from conflictmap.project import Inputs


def colours(frame) -> set:
    rgb = np.asarray(frame.convert("RGB")).reshape(-1, 3)
    return {"#%02x%02x%02x" % tuple(p) for p in np.unique(rgb, axis=0)}


def test_one_frame_per_date_of_the_log(cli, squares_args, tmp_path):
    out = tmp_path / "a.gif"
    result = cli("animate", *squares_args, "-o", out, "--fps", "2")
    assert result.exit_code == 0, result.output
    gif = Image.open(out)
    assert gif.n_frames == 3  # SQUARES_LOG has rows on 2020-01-01, 2020-02-01 and 2020-03-01
    assert gif.info["duration"] == 500
    frames = []
    for k in range(gif.n_frames):
        gif.seek(k)
        frames.append(gif.copy())
    assert len({f.tobytes() for f in frames}) == 3  # each date draws differently


def test_frames_are_the_maps_of_their_dates(squares):
    """A frame is map --date: the palette colours of the controllers present on that date (see plots.actor_colours)."""
    from conflictmap.plots import actor_colours

    ds = load_dataset(Inputs(districts=squares["districts"], control=squares["control"]))
    first, last = (Image.open(io.BytesIO(png)) for png in render(ds, [ds.dates[0], ds.dates[-1]], workers=1))
    palette = {a: c.lower() for a, c in actor_colours(ds, ["government", "rebels", "kurdish forces"]).items()}
    # 2020-01-01: A and B rebels, C and D government; 2020-03-01: nobody is rebel-held any more (the legend
    # still lists rebels with 0, so the map is looked at alone: the left 60% of the frame, the legend is right).
    first, last = (frame.crop((0, 0, frame.width * 6 // 10, frame.height)) for frame in (first, last))
    assert palette["rebels"] in colours(first) and palette["government"] in colours(first)
    assert palette["rebels"] not in colours(last)


def test_same_bytes_twice_and_bad_requests(cli, squares_args, tmp_path):
    a, b = tmp_path / "a.gif", tmp_path / "b.gif"
    assert cli("animate", *squares_args, "-o", a).exit_code == 0
    assert cli("animate", *squares_args, "-o", b).exit_code == 0
    assert a.read_bytes() == b.read_bytes()
    assert cli("animate", *squares_args, "-o", tmp_path / "a.webm").exit_code == 2
    assert cli("animate", *squares_args, "-o", tmp_path / "c.gif", "--fps", "0").exit_code == 2


# -- MP4 (the video extra: imageio-ffmpeg)


def read_mp4(path):
    """(metadata, frames as H x W x 3 arrays) decoded by the ffmpeg that imageio-ffmpeg ships."""
    imageio_ffmpeg = pytest.importorskip(
        "imageio_ffmpeg", reason="the video extra is not installed: pip install 'conflictmap[video]'"
    )
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    width, height = meta["size"]
    return meta, [np.frombuffer(raw, np.uint8).reshape(height, width, 3) for raw in reader]


def test_mp4_frames_size_duration_and_same_bytes_twice(cli, squares, squares_args, tmp_path):
    pytest.importorskip("imageio_ffmpeg", reason="the video extra is not installed: pip install 'conflictmap[video]'")
    from conflictmap.plots import actor_colours

    out = tmp_path / "a.mp4"
    result = cli("animate", *squares_args, "-o", out, "--fps", "2")
    assert result.exit_code == 0, result.output
    meta, frames = read_mp4(out)
    assert len(frames) == 3  # SQUARES_LOG has three dates
    assert meta["fps"] == 2 and meta["duration"] == pytest.approx(1.5)  # 3 frames at 2 a second
    ds = load_dataset(Inputs(districts=squares["districts"], control=squares["control"]))
    png = Image.open(io.BytesIO(render(ds, [ds.dates[0]], workers=1)[0]))
    w, h = png.size  # the GIF's frame size, padded to a multiple of 16 (never scaled)
    assert meta["size"] == (-(-w // 16) * 16, -(-h // 16) * 16)
    # Not blank, and the maps of their dates: rebels' colour on the first date, none of it on the last
    # (H.264 is lossy: a colour counts when 500 pixels are within 12 of it on every channel).
    rebels = np.array([int(actor_colours(ds, ["rebels"])["rebels"][k : k + 2], 16) for k in (1, 3, 5)])

    def pixels_near(frame, rgb):
        return int((np.abs(frame.astype(int) - rgb).max(axis=2) <= 12).sum())

    maps = [frame[:, : frame.shape[1] * 6 // 10] for frame in frames]  # the map alone: the legend lists rebels at 0
    assert pixels_near(maps[0], rebels) > 500 and pixels_near(maps[-1], rebels) < 50
    assert (frames[0] < 200).any(axis=2).mean() > 0.05  # ink on the white page
    again = tmp_path / "b.mp4"
    assert cli("animate", *squares_args, "-o", again, "--fps", "2").exit_code == 0
    assert again.read_bytes() == out.read_bytes()


def test_mp4_without_the_extra_is_one_line_naming_it(cli, squares_args, tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)  # as if not installed: import raises ImportError
    out = tmp_path / "a.mp4"
    result = cli("animate", *squares_args, "-o", out)
    assert result.exit_code == 2  # a usage error, as --scheduler without dask: this install cannot do the request
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "pip install 'conflictmap[video]'" in result.stderr and "Traceback" not in result.output
    assert not out.exists()


def test_width_sets_the_frame_size(cli, squares_args, tmp_path):
    out = tmp_path / "a.gif"
    assert cli("animate", *squares_args, "--width", "500", "-o", out).exit_code == 0
    assert Image.open(out).size[0] == 500  # the map figure is 10 inches wide: 50 dots an inch
    result = cli("animate", *squares_args, "--width", "100", "-o", tmp_path / "b.gif")
    assert result.exit_code == 2 and "--width 100" in result.stderr


@pytest.fixture
def ukraine_log(cli, shared_data, tmp_path):
    """Three DeepState snapshots overlaid on the oblasts."""
    import shutil

    zones = tmp_path / "zones"
    zones.mkdir()
    for name in (
        "deepstatemap_data_20240708.geojson",
        "deepstatemap_data_20250102.geojson",
        "deepstatemap_data_20260822.geojson",
    ):
        shutil.copy(shared_data / "ukraine" / "zones-deepstate" / name, zones / name)
    oblasts = shared_data / "ukraine" / "adm1-oblasts.geojson"
    log = tmp_path / "log.csv"
    made = cli("-q", "overlay", zones, "--actor", "russia", "--rest", "ukraine", "-d", oblasts, "-o", log)
    assert made.exit_code == 0, made.output
    return ["-d", oblasts, "-c", log]


def test_gif_of_the_ukraine_overlay(cli, ukraine_log, tmp_path):
    gif = tmp_path / "ua.gif"
    assert cli("animate", *ukraine_log, "-o", gif).exit_code == 0
    image = Image.open(gif)
    assert image.n_frames == 3 and image.size[0] == 800
    frames = []
    for k in range(3):
        image.seek(k)
        frames.append(np.asarray(image.convert("RGB")))
    assert all((f < 200).any(axis=2).mean() > 0.1 for f in frames)  # the country drawn on each


def test_mp4_of_the_ukraine_overlay(cli, ukraine_log, tmp_path):
    pytest.importorskip("imageio_ffmpeg", reason="the video extra is not installed: pip install 'conflictmap[video]'")
    mp4 = tmp_path / "ua.mp4"
    assert cli("animate", *ukraine_log, "-o", mp4).exit_code == 0
    meta, video = read_mp4(mp4)
    assert len(video) == 3 and meta["size"][0] == 800  # 800 is a multiple of 16: no padding across
    assert all((f < 200).any(axis=2).mean() > 0.1 for f in video)


def test_frames_take_the_maps_view_options(cli, squares_args, tmp_path):
    # --bbox on the bottom row (A, B: lat 0..0.01 of the squares' 0..0.02) zooms every frame as map --bbox does:
    # the rebels' green of 2020-01-01 (A and B) fills more of the frame than in the whole map.
    whole, zoomed = tmp_path / "whole.gif", tmp_path / "zoomed.gif"
    assert cli("animate", *squares_args, "-o", whole).exit_code == 0
    result = cli("animate", *squares_args, "-o", zoomed, "--bbox", "0,0,0.02,0.01", "--no-inset", "--labels", "2")
    assert result.exit_code == 0, result.output
    first = [Image.open(path).convert("RGB") for path in (whole, zoomed)]
    share = []
    for frame in first:
        rgb = np.asarray(frame).reshape(-1, 3).astype(int)
        greenish = (rgb[:, 1] > rgb[:, 0] + 40) & (rgb[:, 1] > rgb[:, 2] + 20)  # the rebels' conventional green
        share.append(greenish.mean())
    assert Image.open(zoomed).n_frames == 3
    assert share[1] > 1.3 * share[0]


def test_a_bad_view_is_refused_before_any_frame(cli, squares_args, tmp_path):
    result = cli("animate", *squares_args, "-o", tmp_path / "a.gif", "--bbox", "1,2,3")
    assert result.exit_code == 2
    assert "--bbox" in result.stderr and not (tmp_path / "a.gif").exists()


# -- killed by a supervisor (timeout, systemd and cron send SIGTERM, then SIGKILL)

PROJECT = Path(__file__).resolve().parents[1]


def children(pid: int) -> list[int]:
    """The live child processes of `pid`, read from /proc (a zombie has ended: only its exit status is left)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            state, ppid = stat.read_text().rsplit(")", 1)[1].split()[:2]
            if int(ppid) == pid and state != "Z":
                found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the process tree from /proc")
@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one CPU: animate draws its frames without workers")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_a_killed_animate_leaves_no_worker_and_no_file(squares_args, tmp_path, sig):
    """--every 1d over SQUARES_LOG's 2020-01-01..2020-03-01 is 61 frames, one worker a CPU: still drawing when killed."""
    command = [sys.executable, "-m", "conflictmap", "animate", *map(str, squares_args), "-o", "a.gif", "--every", "1d"]
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    run = subprocess.Popen(command, cwd=tmp_path, env=env, stderr=subprocess.DEVNULL)
    workers = []
    try:
        deadline = time.monotonic() + 60
        while len(workers := children(run.pid)) < os.cpu_count() and run.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(workers) == os.cpu_count(), "animate ended or stalled before its frame workers started"
        time.sleep(0.3)  # the workers are drawing frames
        run.send_signal(sig)
        assert run.wait(10) == -sig  # it ends as that signal ends a process (exit status 143 or 137 in a shell)
        deadline = time.monotonic() + 5
        while any(map(alive, workers)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(map(alive, workers)), f"workers {workers} outlived their parent"
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".a.gif") or p.name == "a.gif"] == []
    finally:  # nothing of this test left running, whatever failed
        run.kill()
        run.wait()
        for pid in filter(alive, workers):
            os.kill(pid, signal.SIGKILL)


WRITE_THEN_SIGTERM = """
import io, os, signal, sys, time
from types import SimpleNamespace
from PIL import Image
import conflictmap.animate as animate

png = io.BytesIO()
Image.new("RGB", (8, 8), "white").save(png, format="PNG")
animate.render = lambda *args, **kwargs: [png.getvalue()]


def write_half_then_sigterm(frames, path, fps):
    with open(path, "wb") as out:
        out.write(b"GIF89a half a file")
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(10)


animate._write_gif = write_half_then_sigterm
ds = SimpleNamespace(inputs=SimpleNamespace(paths=lambda: []))
animate.animation(ds, sys.argv[1], [None])
"""


@pytest.mark.skipif(sys.platform == "win32", reason="no SIGTERM to send oneself")
def test_sigterm_while_writing_removes_the_temporary_file(tmp_path):
    """SIGTERM half-way through writing the GIF: no a.gif and no temporary file, and the process ends by SIGTERM."""
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    done = subprocess.run([sys.executable, "-c", WRITE_THEN_SIGTERM, "a.gif"], cwd=tmp_path, env=env, timeout=30)
    assert done.returncode == -signal.SIGTERM
    assert list(tmp_path.iterdir()) == []
