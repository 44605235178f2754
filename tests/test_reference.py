"""Facts about the committed reference table of English children's services authorities."""

import re
import subprocess
import sys

import pytest

from ladobench.core.reference import REFERENCE_CSV, load_reference, regions

DERIVE = REFERENCE_CSV.parent / "derive.py"
BANDS = {"Extremely close", "Very close", "Close", "Somewhat close", "Not close"}


@pytest.fixture(scope="module")
def table():
    return load_reference()


def test_one_row_per_current_authority(table):
    # 153 = 63 unitaries + 36 metropolitan districts + 33 London boroughs incl. City of London
    # + 21 counties, after the 2023 Cumbria, North Yorkshire and Somerset reorganisations.
    assert len(table) == 153
    assert table["ons_code"].str[:3].value_counts().to_dict() == {"E06": 63, "E08": 36, "E09": 33, "E10": 21}
    assert table["ons_code"].is_unique and table["dfe_number"].is_unique
    for slug in ["city-of-london", "isles-of-scilly", "cumberland", "westmorland-and-furness",
                 "north-northamptonshire", "west-northamptonshire", "north-yorkshire", "somerset"]:
        assert slug in table.index
    for abolished in ["cumbria", "northamptonshire"]:
        assert abolished not in table.index


def test_kent(table):
    kent = table.loc["kent"]
    assert (kent["name"], kent["ons_code"], kent["dfe_number"]) == ("Kent", "E10000016", 886)
    assert (kent["region_code"], kent["region_name"]) == ("E12000008", "South East")
    assert kent["population_0_17"] == 355390
    # DfE May 2025 group for LA 886, closest first.
    assert kent["neighbour_list"] == ("essex", "east-sussex", "devon", "bexley", "suffolk",
                                      "norfolk", "nottinghamshire", "west-sussex", "bedford", "somerset")
    assert kent["neighbour_bands"] == ";".join(["Very close"] * 10)


def test_gloucestershire(table):
    glos = table.loc["gloucestershire"]
    assert (glos["ons_code"], glos["dfe_number"]) == ("E10000013", 916)
    assert (glos["region_code"], glos["region_name"]) == ("E12000009", "South West")
    assert glos["population_0_17"] == 133163
    assert glos["neighbour_list"][:3] == ("warwickshire", "west-sussex", "hampshire")
    assert glos["neighbour_bands"].split(";")[0] == "Extremely close"


def test_children_add_up_to_england(table):
    assert table["population_0_17"].dtype == "int64"
    assert table["population_0_17"].sum() == 12_183_016


def test_every_authority_has_ten_real_neighbours(table):
    for slug, row in table.iterrows():
        neighbours = row["neighbour_list"]
        assert len(neighbours) == 10 and len(set(neighbours)) == 10, slug
        assert slug not in neighbours, slug
        assert set(neighbours) <= set(table.index), slug
        bands = row["neighbour_bands"].split(";")
        assert len(bands) == 10 and set(bands) <= BANDS, slug


def test_slugs_are_unique_and_well_formed(table):
    assert table.index.is_unique
    assert all(re.fullmatch(r"[a-z][a-z0-9-]*", slug) for slug in table.index)
    # Names that ONS and DfE spell differently still get their usual slug.
    for slug in ["bristol", "kingston-upon-hull", "herefordshire", "st-helens", "county-durham", "bedford",
                 "windsor-and-maidenhead", "bath-and-north-east-somerset", "bournemouth-christchurch-and-poole"]:
        assert slug in table.index


def test_nine_regions():
    assert regions() == {
        "E12000001": "North East", "E12000002": "North West", "E12000003": "Yorkshire and the Humber",
        "E12000004": "East Midlands", "E12000005": "West Midlands", "E12000006": "East of England",
        "E12000007": "London", "E12000008": "South East", "E12000009": "South West",
    }


def test_derive_reproduces_committed_table(tmp_path):
    out = tmp_path / "authorities.csv"
    subprocess.run([sys.executable, str(DERIVE), "--out", str(out)], check=True, capture_output=True)
    assert out.read_bytes() == REFERENCE_CSV.read_bytes()
