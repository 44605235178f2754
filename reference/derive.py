"""Derive reference/authorities.csv and reference/populations.csv from the published ONS and DfE files in reference/raw/,
so the tables can be rebuilt when they are republished.

populations.csv holds every mid-year estimate found in raw/ (files named ons-mid-YYYY-population-by-single-year-of-age.csv,
in the layout of ONS's "mye24tablesew": Code, Name, Geography and one column per single year of age); a rate uses the
estimate for the middle of its period when there is one. To add mid-2023, save ONS's mid-2023 table in that layout as
raw/ons-mid-2023-population-by-single-year-of-age.csv and rerun this script. authorities.csv keeps the newest estimate."""

import argparse
import re
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
RAW = HERE / "raw"
ONS_CSV = RAW / "ons-mid-2024-population-by-single-year-of-age.csv"
NEIGHBOURS_XLSX = RAW / "dfe-statistical-neighbours-may-2025.xlsx"
CODE_LIST_XLSX = RAW / "dfe-la-code-list.xlsx"
OUT = HERE / "authorities.csv"
POPULATIONS_OUT = HERE / "populations.csv"
ONS_YEARS = re.compile(r"^ons-mid-(\d{4})-population-by-single-year-of-age\.csv$")

# Upper-tier codes are the children's services authorities: unitary authorities,
# metropolitan districts, London boroughs (incl. City of London) and counties.
UPPER_TIER = ("E06", "E08", "E09", "E10")
AGES_0_17 = [str(age) for age in range(18)]
NEIGHBOURS_PER_LA = 10
COLUMNS = [
    "slug", "name", "ons_code", "dfe_number", "region_code", "region_name",
    "population_0_17", "neighbours", "neighbour_bands",
]


def load():
    ons = pd.read_csv(ONS_CSV, encoding="utf-8-sig", dtype={"Code": str, "Name": str, "Geography": str})
    # The first two sheet rows are spreadsheet column letters and numbers, not data.
    neighbours = pd.read_excel(NEIGHBOURS_XLSX, header=2)
    code_list = pd.read_excel(CODE_LIST_XLSX)
    return ons, neighbours, code_list


def readable_name(ons_name):
    # ONS writes "Bristol, City of" and "Herefordshire, County of"; nobody says that.
    return re.sub(r", (City|County) of$", "", ons_name.strip())


def match_key(name):
    """Reduce an ONS or DfE name to the words both publishers agree on."""
    key = readable_name(name).lower().replace("&", "and").replace(".", "")
    # DfE says "Durham" and "Bedford Borough" where ONS says "County Durham" and "Bedford".
    key = re.sub(r"^county | borough$", "", key)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", key).split())


def slugify(name):
    return re.sub(r"[^a-z0-9]+", "-", name.lower().replace("&", "and").replace(".", "").replace("'", "")).strip("-")


def ons_authorities(ons):
    """Upper-tier English areas with their region, taken from the region row each follows."""
    region_code = region_name = None
    rows = []
    for row in ons.itertuples(index=False):
        if row.Geography == "Region":
            region_code, region_name = row.Code, row.Name
        elif row.Geography == "Country":
            region_code = region_name = None
        elif row.Code.startswith(UPPER_TIER):
            rows.append({"ons_code": row.Code, "ons_name": row.Name,
                         "ons_region_code": region_code, "ons_region_name": region_name})
    areas = pd.DataFrame(rows)
    areas["population_0_17"] = ons.set_index("Code").loc[areas.ons_code, AGES_0_17].sum(axis=1).to_numpy()
    assert areas.ons_region_code.notna().all(), "an English area came before any region row"
    return areas


def england_0_17(ons):
    return int(ons.loc[ons.Code == "E92000001", AGES_0_17].sum(axis=1).iloc[0])


def dfe_neighbours(neighbours):
    """Current DfE groups: 10 (number, band) pairs per LA, closest first."""
    # Groups for abolished LAs (Cumbria, Northamptonshire, pre-2019 Dorset...) follow a
    # blank row and an "Old SNs:" heading; they are not authorities any more.
    blank = neighbours["LA num"].isna()
    current = neighbours[neighbours.index < blank.idxmax()] if blank.any() else neighbours
    rows = []
    for _, row in current.iterrows():
        pairs = []
        for rank in range(1, NEIGHBOURS_PER_LA + 1):
            at = current.columns.get_loc(f"SN{rank}")
            # Each SNk column is followed by its closeness band (all headed "SNP").
            pairs.append((int(row.iloc[at]), str(row.iloc[at + 1]).strip()))
        rows.append({"dfe_number": int(row["LA num"]), "dfe_name": str(row["LA Name"]).strip(),
                     "dfe_region": str(row["GOReg"]).strip(), "pairs": pairs})
    return pd.DataFrame(rows)


def process(ons, neighbours, code_list):
    areas = ons_authorities(ons)
    groups = dfe_neighbours(neighbours)
    areas["key"] = areas.ons_name.map(match_key)
    groups["key"] = groups.dfe_name.map(match_key)
    missing_dfe = sorted(set(areas.key) - set(groups.key))
    missing_ons = sorted(set(groups.key) - set(areas.key))
    assert not missing_dfe and not missing_ons, f"unmatched names: ONS only {missing_dfe}, DfE only {missing_ons}"
    assert areas.key.is_unique and groups.key.is_unique, "two authorities share a match key"
    table = areas.merge(groups, on="key", validate="one_to_one")

    # DfE's LA code list must agree with the neighbour file about who each number is.
    listed = code_list.dropna(subset=["Type"]).set_index("LA Number")["LA Name"].map(match_key)
    wrong = [n for n, k in zip(table.dfe_number, table.key) if listed.get(n) != k]
    assert not wrong, f"DfE numbers named differently in the code list: {wrong}"

    # DfE splits London into Inner and Outer and says "East of England" where ONS says "EAST".
    table["region_name"] = table.dfe_region.str.replace(r"^London \((Inner|Outer)\)$", "London", regex=True)
    clash = table[table.region_name.map(match_key).str.replace(" of england", "")
                  != table.ons_region_name.map(match_key)]
    assert clash.empty, f"ONS and DfE disagree on regions: {clash[['ons_name', 'ons_region_name', 'dfe_region']].values.tolist()}"
    per_code = table.groupby("ons_region_code").region_name.nunique()
    assert (per_code == 1).all() and len(per_code) == 9, "expected nine regions, one name each"

    table["name"] = table.ons_name.map(readable_name)
    table["slug"] = table.name.map(slugify)
    table["region_code"] = table.ons_region_code
    assert table.slug.is_unique, "slug collision"
    slug_of = dict(zip(table.dfe_number, table.slug))
    strays = sorted({n for pairs in table.pairs for n, _ in pairs} - set(slug_of))
    assert not strays, f"DfE neighbours that are not current authorities: {strays}"
    table["neighbours"] = table.pairs.map(lambda pairs: ";".join(slug_of[n] for n, _ in pairs))
    table["neighbour_bands"] = table.pairs.map(lambda pairs: ";".join(band for _, band in pairs))
    table["population_0_17"] = table.population_0_17.astype("int64")
    return table[COLUMNS].sort_values("slug").reset_index(drop=True)


def save(table, out):
    out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(out, index=False, lineterminator="\n", encoding="utf-8", float_format="%.6f")


def populations(table, raw=RAW):
    """slug, ons_code, mid_year, population_0_17 for every mid-year file in raw/ (ordered by slug, then year)."""
    parts = []
    for path in sorted(raw.iterdir()):
        m = ONS_YEARS.match(path.name)
        if not m:
            continue
        ons = pd.read_csv(path, encoding="utf-8-sig", dtype={"Code": str, "Name": str, "Geography": str})
        by_code = ons.set_index("Code")[AGES_0_17].sum(axis=1)
        found = table[table.ons_code.isin(by_code.index)]
        parts.append(pd.DataFrame({"slug": found.slug, "ons_code": found.ons_code, "mid_year": int(m.group(1)),
                                   "population_0_17": by_code.loc[found.ons_code].astype("int64").to_numpy()}))
    return pd.concat(parts).sort_values(["slug", "mid_year"]).reset_index(drop=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=OUT, help="where to write the table (default: %(default)s)")
    args = parser.parse_args()
    ons, neighbours, code_list = load()
    table = process(ons, neighbours, code_list)
    england = england_0_17(ons)
    assert int(table.population_0_17.sum()) == england, "authorities' 0-17 total differs from England's"
    save(table, args.out)
    save(populations(table), args.out.parent / POPULATIONS_OUT.name)
    print(f"{len(table)} authorities; England 0-17 total {england:,} matches the sum over authorities")


if __name__ == "__main__":
    main()
