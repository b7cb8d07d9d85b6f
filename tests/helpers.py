"""What the tests share: hand-checkable fixtures (four squares, zone boxes), their figures computed
independently (closed-form areas), and file writers. Fixtures that use them are in conftest.py."""

from __future__ import annotations

import json
import math
import random
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import shapely

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = ROOT.parent / "shared" / "data"

# WGS84 constants for the independent (closed-form) area of a lon/lat cell.
A_WGS84 = 6378137.0
F_WGS84 = 1 / 298.257223563


def cell_area_km2(lon0, lat0, lon1, lat1) -> float:
    """Area of a lon/lat cell on the WGS84 ellipsoid, from the authalic q(φ) formula.

    Independent of pyproj: A = b²·Δλ·(q(φ1) − q(φ0)) / 2 with
    q(φ) = sinφ/(1 − e²sin²φ) + ln((1 + e sinφ)/(1 − e sinφ)) / (2e).
    Edges along parallels; for the small cells near the equator used here the
    difference from geodesic edges is far below the 1e-6 tolerance of the tests.
    """
    e2 = F_WGS84 * (2 - F_WGS84)
    e = math.sqrt(e2)
    b2 = A_WGS84**2 * (1 - e2)

    def q(lat):
        s = math.sin(math.radians(lat))
        return s / (1 - e2 * s * s) + math.log((1 + e * s) / (1 - e * s)) / (2 * e)

    return b2 * math.radians(lon1 - lon0) * (q(lat1) - q(lat0)) / 2 / 1e6


def square(lon0, lat0, size):
    ring = [[lon0, lat0], [lon0 + size, lat0], [lon0 + size, lat0 + size], [lon0, lat0 + size], [lon0, lat0]]
    return {"type": "Polygon", "coordinates": [ring]}


# Four 0.01° squares in a 2x2 block at the equator:  C D  (row 0.01..0.02)
#                                                     A B  (row 0.00..0.01)
SQUARES = {
    "A": (0.00, 0.00),
    "B": (0.01, 0.00),
    "C": (0.00, 0.01),
    "D": (0.01, 0.01),
}
SIZE = 0.01
POPULATION = {"A": 1000, "B": 2000, "C": 3000, "D": 4000}
NAMES = {"A": "Alpha", "B": "Beta", "C": "Gamma", "D": "Delta"}

# The log, by hand:
#   2020-01-01  A rebels, B rebels, C government, D government
#   2020-02-01  A contested; B split government 0.5 / kurdish forces 0.5
#   2020-03-01  A government
SQUARES_LOG = """date,district,controller,share,source
2020-01-01,A,rebels,,s1
2020-01-01,B,rebels,,s1
2020-01-01,C,government,,s1
2020-01-01,D,government,,s1
2020-02-01,Alpha,contested,,s2
2020-02-01,B,government,0.5,s2
2020-02-01,B,kurdish forces,0.5,s2
2020-03-01,A,government,,s3
"""


def squares_geojson(with_population=True) -> dict:
    features = []
    for key, (lon, lat) in SQUARES.items():
        props = {"id": key, "name": NAMES[key]}
        if with_population:
            props["population"] = POPULATION[key]
        features.append({"type": "Feature", "properties": props, "geometry": square(lon, lat, SIZE)})
    return {"type": "FeatureCollection", "features": features}


# The squares with other names (Arabic with its short vowels, a Kurdish name for C, none for D) and a log
# with a confidence per row: what status and export must carry through unchanged.
OTHER_NAMES = {
    "name_ar": {"A": "الأَعْجام", "B": "بستان الباشا، الجنوبي", "C": "الشيخ مقصود", "D": ""},
    "name_ku": {"A": "", "B": "", "C": "Şêx Meqsûd", "D": ""},
}
# On 2020-02-15 (by hand): A claimed (contested), B confirmed (government 0.5) and claimed (kurdish forces 0.5),
# C confirmed, D no label.
CONFIDENCE_LOG = """date,district,controller,share,source,confidence
2020-01-01,A,rebels,,s1,inferred
2020-01-01,B,rebels,,s1,inferred
2020-01-01,C,government,,s1,confirmed
2020-01-01,D,government,,s1,
2020-02-01,Alpha,contested,,s2,claimed
2020-02-01,B,government,0.5,s2,confirmed
2020-02-01,B,kurdish forces,0.5,s2,claimed
2020-03-01,A,government,,s3,confirmed
"""


def other_names_args(folder) -> list[str]:
    """Inputs of the squares with OTHER_NAMES (name_ku named by --alt-name-field) and CONFIDENCE_LOG."""
    data = squares_geojson()
    for feature in data["features"]:
        key = feature["properties"]["id"]
        feature["properties"].update({field: names[key] for field, names in OTHER_NAMES.items()})
    districts, log = Path(folder) / "named.geojson", Path(folder) / "confidence.csv"
    districts.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    log.write_text(CONFIDENCE_LOG, encoding="utf-8")
    return ["-d", str(districts), "-c", str(log), "--alt-name-field", "name_ar,name_ku"]


def squares_area(key: str) -> float:
    lon, lat = SQUARES[key]
    return cell_area_km2(lon, lat, lon + SIZE, lat + SIZE)


def box_coords(x0, y0, x1, y1):
    return [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]


def write_zones(path, features, wrap=None):
    """features: (properties, coordinates of a Polygon) pairs."""
    fc = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": props, "geometry": {"type": "Polygon", "coordinates": coords}}
            for props, coords in features
        ],
    }
    path.write_text(json.dumps({wrap: fc} if wrap else fc))
    return path


def voronoi_districts(n=300, seed=3):
    """Irregular districts: Voronoi cells of random points, cut to a 2°x2° box near 48°N."""
    rng = np.random.default_rng(seed)
    points = shapely.multipoints(np.column_stack([30 + 2 * rng.random(n), 47 + 2 * rng.random(n)]))
    cells = shapely.get_parts(shapely.voronoi_polygons(points))
    return shapely.intersection(cells, shapely.box(30, 47, 32, 49))


def jagged_zone(seed=5, vertices=2000):
    """A star-shaped zone with a ragged edge, a hole and a separate island."""
    rng = np.random.default_rng(seed)
    angles = np.linspace(0, 2 * np.pi, vertices, endpoint=False)
    r = 0.7 * (1 + 0.2 * np.sin(9 * angles) + 0.05 * rng.uniform(-1, 1, vertices))
    shell = np.column_stack([31 + r * np.cos(angles), 48 + r * np.sin(angles)])
    hole = shapely.Point(31.1, 48.1).buffer(0.15, 16).exterior.coords
    island = shapely.Point(31.85, 47.2).buffer(0.1, 16)
    return shapely.MultiPolygon([shapely.Polygon(shell, [hole]), island])


def shuffled(tmp_path, districts, control, seed):
    """Copies of the inputs with the log rows and the district features in a random order."""
    rng = random.Random(seed)
    data = json.loads(open(districts, encoding="utf-8").read())
    rng.shuffle(data["features"])
    header, *rows = open(control, encoding="utf-8").read().splitlines()
    rng.shuffle(rows)
    d, c = tmp_path / f"d{seed}.geojson", tmp_path / f"c{seed}.csv"
    d.write_text(json.dumps(data), encoding="utf-8")
    c.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return ["--districts", str(d), "--control", str(c)]


# --- files of bad input (tests/bad_inputs/, see its README) ---

BAD = Path(__file__).resolve().parent / "bad_inputs"


# --- pages in headless chromium (the HTML report, the interactive map) ---

REMOTE = re.compile(r"""\b(?:src|href|srcset|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
]
# Console messages (script errors, blocked fetches, CSP violations) are logged as INFO:CONSOLE lines.
PAGE_ERRORS = re.compile(r"CONSOLE|Uncaught|net::ERR_|Failed to load resource|Refused to", re.IGNORECASE)


def chromium(page, tmp_path, *args):
    if not CHROMIUM:
        pytest.skip("chromium is not installed (apt-get install -y chromium); it is needed to check the HTML report")
    profile = tmp_path / "chromium-profile"
    command = [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args, page.resolve().as_uri()]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


PATHS = re.compile(r'<path[^>]*data-id="([^"]*)"[^>]*data-controller="([^"]*)"[^>]*data-label="([^"]*)"')
LEGEND = re.compile(r'data-actor="([^"]*)" data-districts="([^"]*)"')


def base(day, *members, label=None):
    """A Baseline of `members` on `day` (label: the first member unless given)."""
    from conflictmap.baseline import Baseline

    return Baseline(day, tuple(members), label or members[0])


# --- front lines on the squares: arc lengths by closed form, squares with streets between them ---

E2 = F_WGS84 * (2 - F_WGS84)


def parallel_arc_km(lat: float, dlon: float) -> float:
    """Length along the parallel at `lat` over `dlon` degrees (prime-vertical radius N·cosφ)."""
    s = math.sin(math.radians(lat))
    n = A_WGS84 / math.sqrt(1 - E2 * s * s)
    return n * math.cos(math.radians(lat)) * math.radians(dlon) / 1e3


def meridian_arc_km(lat0: float, lat1: float, steps: int = 200) -> float:
    """∫ M(φ) dφ with M = a(1-e²)/(1-e² sin²φ)^1.5, by Simpson's rule."""

    def m(phi):
        return A_WGS84 * (1 - E2) / (1 - E2 * math.sin(phi) ** 2) ** 1.5

    a, b = math.radians(lat0), math.radians(lat1)
    h = (b - a) / steps
    total = m(a) + m(b) + sum((4 if k % 2 else 2) * m(a + k * h) for k in range(1, steps))
    return total * h / 3 / 1e3


TOP_OF_BOTTOM_ROW = parallel_arc_km(SIZE, SIZE)  # the edge A|C (or B|D): lat 0.01°, 0.01° long
MIDDLE_COLUMN = meridian_arc_km(0, SIZE)  # the edge A|B: lon 0.01°, lat 0..0.01°


def inset_squares(inset: float) -> dict:
    """The four squares shrunk by `inset` degrees on every side: a street-like gap of 2*inset between them."""
    data = squares_geojson()
    for f in data["features"]:
        ring = np.array(f["geometry"]["coordinates"][0])
        lo = ring.min(axis=0) + inset
        hi = ring.max(axis=0) - inset
        f["geometry"]["coordinates"] = [
            [[lo[0], lo[1]], [hi[0], lo[1]], [hi[0], hi[1]], [lo[0], hi[1]], [lo[0], lo[1]]]
        ]
    return data


GAPPED_LOG = "date,district,controller\n2020-01-01,A,rebels\n2020-01-01,B,rebels\n2020-01-01,C,government\n2020-01-01,D,government\n"


# The keys of the report's JSON model, in its fixed order (report.report_model).
REPORT_KEYS = ["title", "date", "in_force", "since", "days_since", "headline", "sentences", "totals", "shares", "baseline",
               "changes", "gains_losses", "moved", "fractional", "display", "inputs", "method", "generated_by",
               "generated_at"]  # fmt: skip


def ukraine_overlay(cli, shared_data, tmp_path) -> tuple:
    """The oblasts overlaid with DeepState's 2024-07-08 snapshot (russia, the rest ukraine): (log path, folder)."""
    ukraine = shared_data / "ukraine"
    log = tmp_path / "log.csv"
    zones = ukraine / "zones-deepstate" / "deepstatemap_data_20240708.geojson"
    made = cli("-q", "overlay", zones, "--actor", "russia", "--rest", "ukraine", "-d", ukraine / "adm1-oblasts.geojson",
               "-o", log)  # fmt: skip
    assert made.exit_code == 0, made.output
    return log, ukraine


# Names with control characters: a tab and a line break, a bidi override (U+202E ... U+202C), and dollars.
ODD_NAMES = {
    "A": "new\nline\tand tab",
    "B": "\u202eRLO reversed\u202c name",
    "C": "$\\alpha$ math $5 and $6",
    "D": "Delta",
}


def odd_names_inputs(tmp_path) -> tuple:
    """(districts, log) paths: the four SQUARES named ODD_NAMES (name_ar: the name + ' عربي'), A..D held by x or y."""
    features = [
        {
            "type": "Feature",
            "properties": {"id": k, "name": ODD_NAMES[k], "name_ar": ODD_NAMES[k] + " عربي"},
            "geometry": square(*SQUARES[k], SIZE),
        }
        for k in SQUARES
    ]
    districts = tmp_path / "odd.geojson"
    districts.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    log = tmp_path / "odd.csv"
    log.write_text("date,district,controller\n2020-01-01,A,x\n2020-01-01,B,y\n2020-02-01,A,y\n2020-02-01,C,x\n")
    return districts, log
