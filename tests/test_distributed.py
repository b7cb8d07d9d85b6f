"""Per-date overlays on Dask: the same results as the single-process run."""

import numpy as np
import pytest
import shapely

from conflictmap.distributed import chunks, parse_scheduler, run_dates
from conflictmap.errors import UsageError
from tests.helpers import jagged_zone, voronoi_districts


def test_parse_scheduler():
    assert parse_scheduler("local:2") == ("local", 2)
    assert parse_scheduler("local")[0] == "local"
    assert parse_scheduler("tcp://10.0.0.5:8786") == ("address", "tcp://10.0.0.5:8786")
    for bad in ("local:x", "local:0", ""):
        with pytest.raises(UsageError):
            parse_scheduler(bad)


def test_chunks_cover_every_date_once():
    parts = chunks(10, 4)
    assert [i for p in parts for i in p] == list(range(10))
    assert chunks(2, 8) == [range(0, 1), range(1, 2)]


def test_two_worker_local_cluster_matches_single_process():
    pytest.importorskip("distributed", reason="dask.distributed not installed (pip install 'conflictmap[dask]')")
    districts = voronoi_districts(n=200)
    # Five dates: the zone moved east a little each time, a second actor on two of them.
    dates = []
    for k in range(5):
        zones = {0: shapely.affinity.translate(jagged_zone(), xoff=0.05 * k)}
        if k % 2:
            zones[1] = shapely.box(30.0, 47.0, 30.3, 47.3)
        dates.append(zones)
    for rule in ("fraction", "centroid"):
        alone = run_dates(districts, dates, rule)
        on_dask = run_dates(districts, dates, rule, scheduler="local:2")
        assert len(on_dask) == len(alone) == 5
        for a, b in zip(alone, on_dask):
            assert np.array_equal(a, b)  # identical, not merely close
    assert any(a.shape[1] == 2 and a[:, 1].any() for a in alone)


def test_unreachable_scheduler_is_a_clear_error(monkeypatch):
    pytest.importorskip("distributed")
    from conflictmap import distributed
    from conflictmap.errors import InputError

    monkeypatch.setattr(distributed, "CONNECT_TIMEOUT", "1s")

    with pytest.raises(InputError, match="cannot reach the Dask scheduler"):
        run_dates(voronoi_districts(n=20), [{0: jagged_zone()}], "fraction", scheduler="tcp://127.0.0.1:9")
