"""zone_log.make_log: the overlay as one library call (what `conflictmap overlay` runs), checked against
the command's own output on the four squares."""

import csv
import io

import pytest

from conflictmap.errors import UsageError
from conflictmap.project import Inputs
from conflictmap.zone_log import OverlayRequest, check_request, make_log
from tests.helpers import box_coords, cell_area_km2, write_zones


@pytest.fixture
def zone_folder(tmp_path):
    # russia's zone covers the western column (A, C) on both dates, and the bottom row's B too on the second
    # (the squares are 0.01° each: A B bottom, C D top; tests/helpers.py).
    folder = tmp_path / "zones"
    folder.mkdir()
    write_zones(folder / "2024-01-01.geojson", [({}, box_coords(-0.01, -0.01, 0.01, 0.03))])
    write_zones(
        folder / "2024-02-01.geojson",
        [({}, box_coords(-0.01, -0.01, 0.01, 0.03)), ({}, box_coords(0.01, -0.01, 0.03, 0.01))],
    )
    return folder


def test_one_call_gives_the_commands_log(cli, squares, zone_folder):
    request = OverlayRequest(
        (str(zone_folder),), Inputs(districts=squares["districts"]), rest="ukraine", zone_options={"actor": "russia"}
    )
    made = make_log(request)
    rows = {
        (r["date"].isoformat() if hasattr(r["date"], "isoformat") else str(r["date"]), r["district"]): r["controller"]
        for r in made.log.to_dict("records")
    }
    assert rows[("2024-01-01", "A")] == "russia" and rows[("2024-01-01", "B")] == "ukraine"
    assert rows[("2024-02-01", "B")] == "russia"
    result = cli("overlay", zone_folder, "--actor", "russia", "--rest", "ukraine", "-d", squares["districts"], "-q")
    assert result.exit_code == 0, result.output
    written = {(r["date"], r["district"]): r["controller"] for r in csv.DictReader(io.StringIO(result.stdout))}
    assert written == rows
    # The zones reach past the squares: on 2024-02-01 russia's zone is both boxes, of which A, B and C are
    # districts; the rest is in no district, said in the note (closed-form cell areas).
    zone = cell_area_km2(-0.01, -0.01, 0.01, 0.03) + cell_area_km2(0.01, -0.01, 0.03, 0.01)
    inside = cell_area_km2(0, 0, 0.02, 0.01) + cell_area_km2(0, 0.01, 0.01, 0.02)
    outside = zone - inside
    assert made.note == (
        f"russia's zone in no district: up to {outside:,.1f} km² ({100 * outside / zone:.1f}% of it, "
        "2024-02-01); not in any share"
    )


def test_a_request_is_checked_before_any_data_is_read(squares, tmp_path):
    with pytest.raises(UsageError, match="--rule 'fractoin' is not a rule"):
        check_request(
            OverlayRequest((str(tmp_path / "missing"),), Inputs(districts=squares["districts"]), rule="fractoin")
        )
    with pytest.raises(UsageError, match="overlay needs the districts"):
        check_request(OverlayRequest((str(tmp_path / "missing"),), Inputs()))
