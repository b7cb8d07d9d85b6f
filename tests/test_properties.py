"""Properties of the figures, over random districts and logs (hypothesis).

- shares sum to 100% (within 1e-9) for every date, measure and baseline;
- the order of log rows and district features changes nothing;
- of what A held on D0, A holds 100% on D0 (split districts too);
- area shares do not move when the districts are reprojected (UTM);
- timeline equals share repeated on each date.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from conflictmap.dataset import load_dataset
from conflictmap.figures import MEASURES, held_weights, shares, status
from conflictmap.project import Inputs
from tests.helpers import square, base

ACTORS = ["government", "rebels", "kurdish forces", "contested", "unknown"]
DATES = [dt.date(2020, 1, 1) + dt.timedelta(days=d) for d in (0, 10, 31, 45)]
PCT = ["districts_pct", "area_pct", "population_pct"]


@st.composite
def districts(draw):
    """A row of 1..6 squares somewhere on Earth (|lat| <= 70), some with no population."""
    n = draw(st.integers(1, 6))
    lon = draw(st.floats(-170, 160))
    lat = draw(st.floats(-70, 70))
    size = draw(st.sampled_from([0.001, 0.01, 0.1, 0.5]))
    pops = draw(st.lists(st.integers(0, 10**6), min_size=n, max_size=n))
    features = [
        {
            "type": "Feature",
            "properties": {"id": f"d{i}", "name": f"District {i}", "population": pops[i]},
            "geometry": square(lon + i * size, lat, size),
        }
        for i in range(n)
    ]
    return {"type": "FeatureCollection", "features": features}


@st.composite
def holding(draw):
    """The rows of one district on one date: a single controller, or a split (shares summing to <= 1)."""
    if draw(st.booleans()):
        return [(draw(st.sampled_from(ACTORS)), "")]
    holders = draw(st.lists(st.sampled_from(ACTORS), min_size=2, max_size=3, unique=True))
    weights = draw(st.lists(st.integers(1, 5), min_size=len(holders), max_size=len(holders)))
    covered = draw(st.sampled_from([1.0, 0.75, 0.5]))  # the rest of the district is unknown
    return [(a, repr(covered * w / sum(weights))) for a, w in zip(holders, weights)]


@st.composite
def datasets(draw):
    """(districts GeoJSON, log rows): each district gets a holding on some of the dates."""
    geo = draw(districts())
    rows = []
    for feature in geo["features"]:
        for day in draw(st.lists(st.sampled_from(DATES), max_size=4, unique=True)):
            rows += [(day.isoformat(), feature["properties"]["id"], actor, share) for actor, share in draw(holding())]
    return geo, rows


def load(geo, rows, folder: Path, tag="x"):
    districts_path = folder / f"d{tag}.geojson"
    districts_path.write_text(json.dumps(geo))
    log_path = folder / f"c{tag}.csv"
    log_path.write_text("date,district,controller,share\n" + "".join(f"{d},{k},{a},{s}\n" for d, k, a, s in rows))
    return load_dataset(Inputs(districts=str(districts_path), control=str(log_path) if rows else None))


def query_dates():
    return [dt.date(2019, 12, 31), *DATES, dt.date(2020, 3, 1)]


def check_sums(table: pd.DataFrame, totals: dict):
    for pct, measure in zip(PCT, MEASURES):
        expected = 100.0 if totals[measure] > 0 else 0.0  # no people at all: every percent is 0
        assert abs(table[pct].sum() - expected) <= 1e-9, (pct, table)


@given(datasets(), st.sampled_from(query_dates()))
def test_shares_sum_to_100_for_every_date_measure_and_baseline(data, day):
    geo, rows = data
    with tempfile.TemporaryDirectory() as tmp:
        ds = load(geo, rows, Path(tmp))
    per = {
        "districts": np.ones(len(ds.districts)),
        "area_km2": ds.districts["area_km2"].to_numpy(),
        "population": ds.districts["population"].to_numpy(),
    }
    for any_day in query_dates():
        check_sums(shares(ds, any_day), {m: v.sum() for m, v in per.items()})
    for base_day in DATES:
        for actor in ACTORS:
            weights = held_weights(ds, base_day, [actor])
            if weights.any():
                table = shares(ds, day, baseline=base(base_day, actor))
                check_sums(table, {m: (weights * v).sum() for m, v in per.items()})


@given(datasets(), st.randoms(use_true_random=False), st.sampled_from(query_dates()))
def test_order_of_rows_and_features_changes_nothing(data, rng, day):
    geo, rows = data
    mixed_geo = {**geo, "features": rng.sample(geo["features"], len(geo["features"]))}
    mixed_rows = rng.sample(rows, len(rows))
    with tempfile.TemporaryDirectory() as tmp:
        ds = load(geo, rows, Path(tmp), "a")
        mixed = load(mixed_geo, mixed_rows, Path(tmp), "b")
    pd.testing.assert_frame_equal(shares(ds, day), shares(mixed, day), check_exact=True)
    pd.testing.assert_frame_equal(status(ds, day), status(mixed, day), check_exact=True)
    for actor in sorted({r[2] for r in rows}):
        if held_weights(ds, DATES[0], [actor]).any():
            pd.testing.assert_frame_equal(
                shares(ds, day, baseline=base(DATES[0], actor)),
                shares(mixed, day, baseline=base(DATES[0], actor)),
                check_exact=True,
            )


@given(datasets())
def test_baseline_on_its_own_date_is_all_the_baseline_actor(data):
    geo, rows = data
    with tempfile.TemporaryDirectory() as tmp:
        ds = load(geo, rows, Path(tmp))
    for day in query_dates():
        for actor in ACTORS:
            if not held_weights(ds, day, [actor]).any():
                continue
            table = shares(ds, day, baseline=base(day, actor)).set_index("actor")
            assert table.loc[actor, "districts_pct"] == pytest.approx(100, abs=1e-9)
            assert table.loc[actor, "area_pct"] == pytest.approx(100, abs=1e-9)
            others = table.drop(index=actor)
            assert (others[["districts_pct", "area_pct"]].abs() <= 1e-9).all().all()


def test_baseline_on_its_own_date_with_a_split_district(squares):
    # SQUARES_LOG: on 2020-02-01 B is split government 0.5 / kurdish forces 0.5. Of what the kurdish
    # forces held on 2020-02-01 (half of B), on that same day they hold all of it: 100%.
    ds = load_dataset(Inputs(districts=squares["districts"], control=squares["control"]))
    table = shares(ds, dt.date(2020, 2, 1), baseline=base(dt.date(2020, 2, 1), "kurdish forces"))
    assert table.set_index("actor").loc["kurdish forces", "districts_pct"] == pytest.approx(100)


def utm_epsg(lon: float, lat: float) -> int:
    zone = int((lon + 180) // 6) + 1
    return (32600 if lat >= 0 else 32700) + zone


@given(datasets())
def test_area_shares_do_not_change_when_reprojected(data):
    import geopandas as gpd

    geo, rows = data
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ds = load(geo, rows, folder)
        frame = gpd.GeoDataFrame.from_features(geo["features"], crs=4326)
        first = geo["features"][0]["geometry"]["coordinates"][0][0]
        projected = folder / "utm.gpkg"
        frame.to_crs(utm_epsg(*first)).to_file(projected)
        log = str(folder / "cx.csv") if rows else None
        utm = load_dataset(Inputs(districts=str(projected), control=log))
    assert "326" in utm.source_crs or "327" in utm.source_crs
    for day in query_dates():
        a = shares(ds, day).set_index("actor")
        b = shares(utm, day).set_index("actor")
        # The same vertices, measured geodesically either way: only the UTM round trip's rounding differs.
        np.testing.assert_allclose(b.loc[a.index, "area_pct"], a["area_pct"], rtol=1e-7, atol=1e-9)
        np.testing.assert_allclose(b.loc[a.index, "area_km2"], a["area_km2"], rtol=1e-7, atol=1e-12)


@given(datasets())
def test_timeline_equals_share_on_each_date(data):
    from conflictmap.timeline import timeline

    geo, rows = data
    assume(rows)
    with tempfile.TemporaryDirectory() as tmp:
        ds = load(geo, rows, Path(tmp))
    table = timeline(ds)
    for day, group in table.groupby("date"):
        expected = shares(ds, day).set_index("actor")
        got = group.set_index("actor").loc[expected.index]
        for column in ("districts", "area_km2", "population", *PCT):
            np.testing.assert_allclose(
                got[column].to_numpy(float), expected[column].to_numpy(float), rtol=1e-12, atol=1e-9
            )
