"""Disclosure control, checked on what is published: counts of 1 to 5 in protected taxonomies (about
children or individual staff) never appear next to their label, and no suppressed cell can be
recovered, in the demo build and in a build with extra small counts added.

The true counts come from the validated returns; everything checked is read back from the site."""
from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import yaml

from ladobench.core.reference import load_reference
from ladobench.returns.validate import validate

REPO = Path(__file__).resolve().parent.parent
TAXONOMIES = yaml.safe_load((REPO / "schema/taxonomies.yaml").read_text())["dimensions"]
PROTECTED = {key for key, dim in TAXONOMIES.items() if dim.get("protected")}
TITLES = {TAXONOMIES[key]["title"]: key for key in TAXONOMIES}
CHILDREN = "Children linked to referrals"
SUPPRESSION = yaml.safe_load((REPO / "schema/publishing.yaml").read_text())["suppression"]
SMALL = range(SUPPRESSION["min_count"], SUPPRESSION["max_count"] + 1)
SCANNED: Counter = Counter()


def is_small(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and SUPPRESSION["min_count"] <= value <= SUPPRESSION["max_count"]


def number(text: str):
    try:
        return float(str(text).replace(",", "").rstrip("%"))
    except ValueError:
        return None


# --- the true small cells --------------------------------------------------------------------------

def _base(ret, table):
    stage = table.get("base")
    if stage == "subset":
        return table.get("total")
    record = "children" if stage == "linked_children" else "funnel"
    value = ret.get(f"{record}.{stage}")
    return value if isinstance(value, (int, float)) else None


def small_cells(root: Path) -> list[dict]:
    """Every protected breakdown row and 'other figure' whose true count is 1 to 5."""
    dataset = validate(root)
    assert not dataset.errors, [p.format() for p in dataset.errors]
    out = []
    for ret in dataset.returns:
        for dim in sorted(PROTECTED):
            for t, table in enumerate(ret.tables(dim)):
                base = _base(ret, table)
                for r, row in enumerate(table.get("rows") or []):
                    count = row.get("count")
                    if not isinstance(count, (int, float)) and isinstance(row.get("percent"), (int, float)) and base:
                        count = round(row["percent"] / 100 * base)
                    if is_small(count):
                        out.append({"slug": ret.slug, "period": ret.period, "dim": dim, "table": t, "row": r,
                                    "label": row["label"], "count": count})
        for i, fig in enumerate(ret.data.get("other_figures") or []):
            if fig.get("unit") == "count" and fig.get("about", "staff") in ("staff", "children") and is_small(fig.get("value")):
                out.append({"slug": ret.slug, "period": ret.period, "dim": "other_figures", "table": i, "row": None,
                            "label": fig["label"], "count": fig["value"]})
    return out


def latest_periods(root: Path) -> dict[str, str]:
    return {p.name: sorted(f.stem for f in p.glob("*.yaml") if f.name != "authority.yaml")[-1]
            for p in root.iterdir() if p.is_dir()}


# --- the extra build -------------------------------------------------------------------------------

def add_small_counts(root: Path) -> None:
    """More small counts, in children's tables (with and without a complete base), outcomes and other figures."""
    ret_file, auth_file = root / "kent" / "2023-24.yaml", root / "kent" / "authority.yaml"
    ret = yaml.safe_load(ret_file.read_text(encoding="utf-8"))
    auth = yaml.safe_load(auth_file.read_text(encoding="utf-8"))
    b = ret["breakdowns"]
    ethnicity = b["child_ethnicity"][0]["rows"]  # a complete table: one small cell needs a second suppressed
    asian = next(r for r in ethnicity if r["label"] == "Asian")
    asian["count"] -= 4
    ethnicity.append({"label": "Other ethnic group", "count": 4})
    b["child_disability"][0]["rows"].append({"label": "Disability not recorded", "count": 2})
    b["child_sex"][0]["rows"][2]["count"] -= 1  # 37 -> 36, plus a new small row: still adds up to 1365
    b["child_sex"][0]["rows"].append({"label": "Sex not given", "count": 1})
    b["outcome"][0]["rows"] += [{"label": "Malicious", "count": 20}, {"label": "False", "count": 3}]
    ret["other_figures"] += [
        {"label": "Staff suspended pending investigation", "value": 3, "unit": "count", "about": "staff"},
        {"label": "Children who moved placement", "value": 2, "unit": "count", "about": "children"}]
    cw = auth["crosswalk"]
    cw["child_ethnicity"].append({"local": "Other ethnic group", "code": "other"})
    cw["child_disability"].append({"local": "Disability not recorded", "code": "not_recorded"})
    cw["child_sex"].append({"local": "Sex not given", "code": "not_recorded"})
    dump = dict(allow_unicode=True, sort_keys=False, width=10**9)
    ret_file.write_text(yaml.safe_dump(ret, **dump), encoding="utf-8")
    auth_file.write_text(yaml.safe_dump(auth, **dump), encoding="utf-8")


@pytest.fixture(scope="module")
def extra(builder, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("leaks")
    root = builder.copy(tmp)
    add_small_counts(root)
    return builder.build(root, tmp)


@pytest.fixture(scope="module", params=["demo", "extra"])
def site(request):
    return request.getfixturevalue(request.param)


# --- reading what was published ----------------------------------------------------------------------

def read_csv(path: Path) -> list[dict]:
    SCANNED[path.suffix] += 1
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def read_json(path: Path):
    SCANNED[path.suffix] += 1
    return json.loads(path.read_text(encoding="utf-8"))


def returns_json_rows(path: Path) -> list[dict]:
    """downloads/returns.json holds each return whole; flatten its tables and figures like returns.csv."""
    rows = []
    for rec in read_json(path):
        data = rec["return"]
        for dim, tables in (data.get("breakdowns") or {}).items():
            for t, table in enumerate(tables or []):
                for row in (table or {}).get("rows") or []:
                    rows.append({"authority": rec["authority"], "period": rec["period"], "field": f"breakdowns.{dim}",
                                 "table": t, "label": row.get("label"), "value": row.get("count"), "percent": row.get("percent")})
        for i, fig in enumerate(data.get("other_figures") or []):
            rows.append({"authority": rec["authority"], "period": rec["period"], "field": "other_figures", "table": i,
                         "label": fig.get("label"), "value": fig.get("value"), "percent": None})
    return rows


def workbook_rows(path: Path, sheet: str) -> list[dict]:
    """A data sheet of the downloads workbook as dicts, from its Excel table's header row down."""
    from openpyxl import load_workbook

    SCANNED[path.suffix] += 1
    ws = load_workbook(path)[sheet]
    table = next(iter(ws.tables.values()))
    grid = [[c.value for c in row] for row in ws[table.ref]]
    return [{k: ("" if v is None else v) for k, v in zip(grid[0], row)} for row in grid[1:]]


def authority_tables(html, site: Path, slug: str) -> dict[tuple[str, int], object]:
    """The breakdown tables of an authority page, keyed (dimension, table index), and its other figures."""
    art = html(site / f"authorities/{slug}/index.html").find("article")
    section, strong, out, seen = None, None, {}, Counter()
    for child in art.children:
        if isinstance(child, str):
            continue
        if child.tag == "h2":
            section, strong = child.text().rstrip("¶").strip(), None
            continue
        if child.tag == "p" and child.find("strong") is not None and section == CHILDREN:
            strong = child.find("strong").text()
        tables = [child] if child.tag == "table" else [t for t in child.find_all("table")
                                                         if not any(a.tag == "details" for a in t.ancestors())]
        if child.tag == "details":
            continue
        for table in tables:
            if section == "Other figures from the report":
                out[("other_figures", 0)] = table
                continue
            dim = TITLES.get(strong if section == CHILDREN else section)
            if dim is None:
                continue
            out[(dim, seen[dim])] = table
            seen[dim] += 1
    return out


def cells_of(table) -> tuple[list[str], dict[str, list[str]]]:
    grid = table.grid()
    return grid[0], {cells[0]: cells for cells in grid[1:]}


# --- the checks --------------------------------------------------------------------------------------

def test_the_real_small_counts_are_found(demo):
    cells = {(c["slug"], c["label"], c["count"]) for c in small_cells(demo.root)}
    for expected in [("gloucestershire", "Malicious", 4), ("gloucestershire", "Reflective support", 1),
                     ("gloucestershire", "Support plan", 1), ("kent", "Youth Clubs", 1), ("kent", "Sports Clubs", 2),
                     ("kent", "Theatres", 3), ("kent", "Health Pharmacy", 4), ("kent", "Social Work", 4),
                     ("kent", "Faith Groups", 5), ("kent", "Police", 5), ("kent", "Youth Services", 5)]:
        assert expected in cells, expected


def test_small_counts_are_c_in_the_returns_downloads(site):
    cells = small_cells(site.root)
    rows = read_csv(site.site / "downloads/returns.csv")
    records = returns_json_rows(site.site / "downloads/returns.json")
    sheet = workbook_rows(site.site / "downloads/lado-benchmarks.xlsx", "Returns")
    for source, items in (("returns.csv", rows), ("returns.json", records), ("workbook", sheet)):
        index = defaultdict(list)
        for row in items:
            index[(row["authority"], row["period"], row["field"], str(row["table"]), row["label"])].append(row)
        for c in cells:
            field = "other_figures" if c["dim"] == "other_figures" else f"breakdowns.{c['dim']}"
            found = index[(c["slug"], c["period"], field, str(c["table"]), c["label"])]
            assert found, (source, c)
            for row in found:
                if source == "returns.json":  # a return whole, in the return's own format: the symbol in place
                    assert row["value"] == "[c]" and row["percent"] in ("[c]", None), (source, c, row)
                else:  # the tables: the value and percent empty, the symbol in status beside them
                    assert row["status"] == "[c]" and row["value"] in ("", None), (source, c, row)
                    assert row["percent"] in ("", None), (source, c, row)
        # and nothing in a protected breakdown is published as 1 to 5, whatever the label
        for row in items:
            if row["field"].startswith("breakdowns.") and row["field"].split(".", 1)[1] in PROTECTED:
                assert not is_small(number(row["value"])), (source, row)


def test_small_counts_are_c_on_the_authority_pages(site, html):
    latest = latest_periods(site.root)
    cells = [c for c in small_cells(site.root) if latest[c["slug"]] == c["period"]]
    assert cells
    for slug in sorted({c["slug"] for c in cells}):
        tables = authority_tables(html, site.site, slug)
        for c in (c for c in cells if c["slug"] == slug):
            key = ("other_figures", 0) if c["dim"] == "other_figures" else (c["dim"], c["table"])
            head, rows = cells_of(tables[key])
            row = rows[" ".join(str(c["label"]).split())]
            if c["dim"] == "other_figures":
                assert row[head.index("Value")] == "[c]", (c, row)
            else:
                assert row[head.index("Count")] == "[c]" and row[head.index("Share")] == "[c]", (c, row)
        # no count of 1 to 5 anywhere in a protected table of the page
        for (dim, _), table in tables.items():
            if dim in PROTECTED:
                head, rows = cells_of(table)
                for row in rows.values():
                    assert not is_small(number(row[head.index("Count")])), (slug, dim, row)


def test_no_suppressed_cell_is_alone_in_its_table(site, html):
    """One [c] in a table with its total or base published is the total minus the rest: recoverable."""
    lonely = []
    for row_group, rows in _protected_download_tables(site).items():
        if sum(r["status"] == "[c]" for r in rows) == 1:
            lonely.append(("returns.csv", row_group))
    for slug in latest_periods(site.root):
        for (dim, t), table in authority_tables(html, site.site, slug).items():
            if dim not in PROTECTED:
                continue
            head, rows = cells_of(table)
            for column in ("Count", "Share"):
                if sum(r[head.index(column)] == "[c]" for r in rows.values()) == 1:
                    lonely.append((slug, dim, t, column))
    assert not lonely, lonely


def _protected_download_tables(site) -> dict[tuple, list[dict]]:
    groups = defaultdict(list)
    for row in read_csv(site.site / "downloads/returns.csv"):
        if row["field"].startswith("breakdowns.") and row["field"].split(".", 1)[1] in PROTECTED:
            groups[(row["authority"], row["period"], row["field"], row["table"])].append(row)
    return groups


def _protected_metrics() -> dict[str, str]:
    """metric id -> family for every published metric about a protected taxonomy."""
    from ladobench.core.schema import load_schema

    out = {}
    for m in load_schema().metrics:
        dim = m.dimension or (m.numerator.split(":")[0] if ":" in m.numerator else "")
        if dim in PROTECTED:
            out[m.id] = m.family or m.id
    return out


def test_shares_of_small_counts_are_suppressed_in_the_metrics(site):
    protected = _protected_metrics()
    rows = read_csv(site.site / "downloads/metrics.csv")
    records = read_json(site.site / "downloads/metrics.json")
    assert len(rows) == len(records)
    hidden = 0
    for row in rows:
        if row["metric"] not in protected:
            continue
        assert not is_small(number(row["numerator"])), row
        if row["status"] == "[c]":
            hidden += 1
            assert all(row[k] == "" for k in ("value", "numerator", "lower95", "upper95", "lower998", "upper998")), row
    for rec in records:
        if rec["metric"] in protected:
            assert not is_small(rec["numerator"]), rec
            if rec["status"] == "[c]":
                assert rec["value"] is None and rec["numerator"] is None, rec
    # a share family whose members sum to its base gives away a lone suppressed member
    families = Counter((r["authority"], r["period"], protected[r["metric"]]) for r in rows
                       if r["metric"] in protected and r["kind"] == "share" and r["status"] == "[c]")
    assert not [k for k, n in families.items() if n == 1], families
    assert hidden >= 2  # Gloucestershire's false and malicious outcomes


def _printed_counts(page) -> set[tuple[str, str]]:
    """(category, count) of every count an authority page's breakdown tables print (not [c])."""
    out = set()
    for table in page.find_all("table"):
        head, rows = cells_of(table)
        if "Count" in head and head[0].endswith("category"):
            out |= {(label, cells[head.index("Count")].replace(",", "")) for label, cells in rows.items()}
    return out


def test_suppressed_shares_are_not_charted_or_listed(site, html):
    """A [c] share stays [c] on its metric page; an authority's chart (drawn from its own table, in its own words) and
    chart CSV carry only counts its tables print."""
    protected = _protected_metrics()
    ref = load_reference()
    for row in read_csv(site.site / "downloads/metrics.csv"):
        if row["metric"] not in protected or row["status"] != "[c]":
            continue
        name = ref.loc[row["authority"], "name"]
        dim = next(d for d in PROTECTED if row["metric"].split(".")[0] in _families_of(d))
        chart = site.site / f"authorities/data/{row['authority']}-{dim}.csv"
        if chart.exists():
            printed = _printed_counts(html(site.site / f"authorities/{row['authority']}/index.html"))
            for drawn in read_csv(chart):
                assert not drawn["count"] or (drawn["label"], drawn["count"]) in printed, (row["metric"], chart, drawn)
        # The metric page of the value's year (metric/ for the newest year, metric-YYYY-YY/ for the others).
        newest = max(latest_periods(site.root).values())
        prefix = row["metric"] if row["period"] == newest else f"{row['metric']}-{row['period']}"
        page = html(site.site / f"metrics/{prefix}/index.html").find("article")
        for table in page.find_all("table"):
            head, rows = cells_of(table)
            if name in rows and "Authority" in head and "Year" in head and rows[name][head.index("Year")] == row["period"]:
                assert rows[name][head.index("Value")] == "[c]", (row["metric"], rows[name])
        for data in (site.site / "metrics/data").glob(f"{prefix}-chart*.csv"):
            assert name not in [r.get("label") for r in read_csv(data)], data


def _families_of(dim: str) -> set[str]:
    from ladobench.core.schema import load_schema

    return {m.family or m.id for m in load_schema().catalogue if m.dimension == dim or m.numerator.startswith(dim + ":")}


def test_comparator_values_do_not_reveal_suppressed_shares(site):
    ref = load_reference()
    groups = {g["id"]: set(g["members"]) for g in yaml.safe_load((site.root / "groups.yaml").read_text())["groups"]}
    hidden = defaultdict(set)  # (period, metric) -> authorities whose value is [c]
    for row in read_csv(site.site / "downloads/metrics.csv"):
        if row["status"] == "[c]":
            hidden[(row["period"], row["metric"])].add(row["authority"])
    leaks = []
    for row in read_csv(site.site / "downloads/comparisons.csv"):
        suppressed = hidden.get((row["period"], row["metric"]))
        if not suppressed or row["comparator_value"] == "":
            continue
        kind, cid = row["comparator"], row["comparator_id"]
        members = (set(ref.index) if kind == "england" else set(ref.index[ref["region_code"] == cid]) if kind == "region"
                   else groups.get(cid, set()) if kind == "group" else set(ref.loc[row["authority"], "neighbour_list"]))
        if suppressed & members:
            leaks.append((row["authority"], row["period"], row["metric"], kind, row["comparator_value"], row["areas"]))
    assert not leaks, leaks[:10]


def test_count_every_published_file(site, html):
    """Every page, CSV and JSON of the site is read: tables with a protected label never show its small count."""
    cells = small_cells(site.root)
    labels = defaultdict(set)
    for c in cells:
        labels[" ".join(str(c["label"]).split())].add(c["count"])
    files = sorted(p for p in site.site.rglob("*") if p.suffix in (".html", ".csv", ".json"))
    problems = []
    for f in files:
        rel = f.relative_to(site.site).as_posix()
        if f.suffix == ".html":
            SCANNED[".html"] += 1
            page = html(f)
            for table in page.find_all("table"):
                section = _section_of(table)
                if section in ("Referral source", "Category of harm"):
                    continue  # not protected: these publish small counts, some under the same labels
                for cells_ in table.grid()[1:]:
                    if cells_ and cells_[0] in labels and any(number(x) in labels[cells_[0]] for x in cells_[1:]
                                                              if re.fullmatch(r"[\d,.]+", x)):
                        problems.append((rel, cells_))
        elif f.suffix == ".csv":
            for row in read_csv(f):
                if row.get("field", "").split(".", 1)[-1] in ("referral_source", "harm_category"):
                    continue
                for label in set(row.values()) & set(labels):
                    if any(number(v) in labels[label] for k, v in row.items() if k in ("value", "count")):
                        problems.append((rel, row))
        else:
            if rel == "downloads/returns.json":
                for row in returns_json_rows(f):
                    if row["label"] in labels and row["field"].split(".", 1)[-1] not in ("referral_source", "harm_category"):
                        if row["value"] in labels[row["label"]]:
                            problems.append((rel, row))
            else:
                read_json(f)
    assert not problems, problems[:10]
    assert len(files) > 150
    summary = Path(__file__).resolve().parent / "artifacts"
    summary.mkdir(exist_ok=True)
    (summary / f"leaks-{site.site.parent.name}.json").write_text(json.dumps(
        {"files": len(files), "by_type": dict(Counter(p.suffix for p in files)), "small_cells": len(cells)}, indent=1))


def _section_of(table) -> str | None:
    """The h2 a table sits under, on a page of top-level blocks."""
    node = table
    while node.parent is not None and node.parent.tag != "article":
        node = node.parent
    if node.parent is None:
        return None
    siblings = [c for c in node.parent.children if not isinstance(c, str)]
    for block in reversed(siblings[: siblings.index(node)]):
        if block.tag == "h2":
            return block.text().rstrip("¶").strip()
    return None
