"""The built site, read as HTML without a browser: the seed figures as printed, footnotes for declared
discrepancies, every page type, a data dictionary that covers schema/ completely, accessible charts,
and no resource from another host.

Every test reads the one demo build of the committed authorities/ (the session fixture `demo`),
which itself proves that `mkdocs build --strict` passed: build() raises InputError otherwise."""
from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
SCHEMA = REPO / "schema"

# Every page type of the site, as its file in site/.
PAGE_TYPES = {
    "home": "index.html",
    "authorities index": "authorities/index.html",
    "authority": "authorities/kent/index.html",
    "regions index": "regions/index.html",
    "region": "regions/south-east/index.html",
    "groups index": "groups/index.html",
    "group": "groups/kent-lancashire-peer-review/index.html",
    "metrics index": "metrics/index.html",
    "metric": "metrics/threshold_conversion/index.html",
    "methodology": "methodology/index.html",
    "data dictionary": "data-dictionary/index.html",
    "downloads": "downloads/index.html",
    "period status": "periods/2023-24/index.html",
}


def article(html, site: Path, rel: str):
    page = html(site / rel)
    node = page.find("article")
    assert node is not None, f"{rel} has no <article>"
    return node


def page_url(rel: str) -> str:
    """The URL path a file is served at (use_directory_urls): a/b/index.html -> /a/b/."""
    return "/" + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)


def html_files(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


def table_with_header(root, *words):
    """The first table whose header row holds every one of words."""
    for table in root.find_all("table"):
        head = " | ".join(table.grid()[0]) if table.rows() else ""
        if all(w in head for w in words):
            return table
    raise AssertionError(f"no table with header containing {words}")


def row_values(table) -> dict[str, list[str]]:
    return {cells[0]: cells[1:] for cells in table.grid()[1:] if cells}


def footnotes_of(cell, page) -> list[str]:
    """The texts of the footnotes a cell or paragraph refers to."""
    out = []
    for a in cell.find_all("a", "footnote-ref"):
        target = a.attrs["href"].lstrip("#")
        li = next((n for n in page.iter("li") if n.attrs.get("id") == target), None)
        assert li is not None, f"footnote {target} is referred to but missing"
        out.append(li.text())
    return out


def section(art, title: str, level: str = "h2"):
    """The top-level blocks of an article after the heading with this title, up to the next heading of the
    same level."""
    rank = int(level[1])
    blocks, inside = [], False
    for child in art.children:
        if isinstance(child, str):
            continue
        if re.fullmatch(r"h[1-6]", child.tag) and int(child.tag[1]) <= rank:
            if inside:
                break
            inside = child.tag == level and child.text().rstrip("¶").strip() == title
            continue
        if inside:
            blocks.append(child)
    assert blocks, f"no section {title!r}"
    return blocks


def tables_in(blocks, alternatives: bool = False):
    """The tables among blocks, in order; the chart-data tables inside <details> only if asked."""
    return [t for b in blocks for t in ([b] if b.tag == "table" else b.find_all("table"))
            if alternatives or not any(a.tag == "details" for a in t.ancestors())]


# --- seed figures ---------------------------------------------------------------------------------

def test_kent_page_shows_the_seed_figures(demo, html):
    page = html(demo.site / PAGE_TYPES["authority"])
    art = page.find("article")
    funnel = row_values(table_with_header(art, "Kent's term", "2023-24"))
    assert funnel["Initial contacts"] == ["Enquiries", "1,330"]
    assert funnel["Referrals"] == ["Referrals", "1,458"]
    assert funnel["Met harm threshold"] == ["Progressed to allegation management", "782"]
    assert funnel["Concluded with a KCSIE outcome"] == ["Allegation outcomes", "575"]
    headline = row_values(table_with_header(art, "Measure", "95% interval", "Note"))
    assert headline["Referrals meeting the harm threshold"][0] == "53.6%"
    assert headline["Allegations per 10,000 children"][0] == "22.0"
    assert headline["Initial contacts per 10,000 children"][0] == "37.4"


def test_gloucestershire_page_shows_the_seed_figures(demo, html):
    art = article(html, demo.site, "authorities/gloucestershire/index.html")
    funnel = row_values(table_with_header(art, "Gloucestershire's term", "2022-23"))
    assert funnel["Initial contacts"][-1] == "968"
    assert funnel["Met harm threshold"][-1] == "579"
    assert funnel["Referrals"][-1] == "[x]"  # counted together with contacts: not available, never 0
    headline = row_values(table_with_header(art, "Measure", "95% interval", "Note"))
    assert headline["Substantiation rate"][0] == "38.7%"
    outcomes = tables_in(section(art, "Allegation outcome"))
    substantiated = {cells[0]: cells for t in outcomes for cells in t.grid()[1:]}["Substantiated/Founded"]
    assert substantiated[1:3] == ["Substantiated", "155"]


def test_declared_discrepancies_are_footnotes(demo, html):
    glos = html(demo.site / "authorities/gloucestershire/index.html")
    table = table_with_header(glos.find("article"), "Gloucestershire's term")
    met = next(row for row in table.rows() if row[0].text() == "Met harm threshold")
    notes = footnotes_of(met[-1], glos)
    assert any("579" in n and "597" in n and n.startswith("Declared discrepancy") for n in notes), notes

    kent = html(demo.site / PAGE_TYPES["authority"])
    caption = next(p for p in kent.find("article").iter("p") if p.text().startswith("Table 2:")
                   and "sub-sector" in p.text())
    assert "(242)" in caption.text()
    notes = footnotes_of(caption, kent)
    assert any("247" in n and "242" in n and n.startswith("Declared discrepancy") for n in notes), notes
    # and the rule it covers is listed in the data notes, declared rather than hidden
    data_notes = " ".join(b.text() for b in section(kent.find("article"), "Data notes"))
    # in the words of the page and of the rule catalogue, not as a rule id at a field path
    assert ("Employing sector, table 2: rows that add up to 247" in data_notes
            and "The check it does not meet: In a complete table, the row counts add up" in data_notes)
    assert "breakdown_total" not in data_notes and "breakdowns.sector" not in data_notes


def test_region_pages_say_the_group_is_too_small_to_rank(demo, html):
    for page, name in (("south-east", "South East"), ("south-west", "South West")):
        art = article(html, demo.site, f"regions/{page}/index.html")
        text = art.text()
        assert text.startswith(f"{name}: LADO benchmarks")
        assert "no ranks or quartiles are given here" in text
        assert "Rank" not in " ".join(" ".join(t.grid()[0]) for t in art.find_all("table") if t.rows())


def test_kent_neglect_is_not_comparable_never_zero(demo, html):
    art = article(html, demo.site, PAGE_TYPES["authority"])
    harm = " ".join(b.text() for b in section(art, "Category of harm"))
    assert "Kent's categories have no equivalent of Neglect; these are shown as [x], not 0" in harm
    for table in art.find_all("table"):
        for cells in table.grid()[1:]:
            assert not (cells and "Neglect" in cells[0] and any(re.fullmatch(r"0(\.0)?%?", c) for c in cells[1:])), cells
    chart_csv = (demo.site / "authorities/data/kent-harm_category.csv").read_text()
    assert "Neglect" not in chart_csv
    metric = article(html, demo.site, "metrics/harm_mix.neglect/index.html")
    kent_row = next(cells for cells in table_with_header(metric, "Authority", "Region").grid() if cells[0] == "Kent")
    assert kent_row[2] == "2023-24" and kent_row[3] == "[x]" and "no equivalent of Neglect" in kent_row[-1]
    rows = list(csv.DictReader(io.StringIO((demo.site / "downloads/metrics.csv").read_text())))
    neglect = [r for r in rows if r["authority"] == "kent" and r["metric"] == "harm_mix.neglect" and r["period"] == "2023-24"]
    assert len(neglect) == 1 and neglect[0]["value"] == "" and neglect[0]["status"] == "[x]"


# --- page types, markup, data dictionary ------------------------------------------------------------

@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_every_page_type_exists(demo, html, kind):
    art = article(html, demo.site, PAGE_TYPES[kind])
    assert art.find("h1") is not None and art.find("h1").text()
    assert art.find_all("table"), f"the {kind} page has no table"


def test_the_build_passed_mkdocs_strict(demo):
    # build() runs `mkdocs build --strict` into a temp dir and only swaps it in on success.
    assert (demo.site / "index.html").is_file() and (demo.site / "sitemap.xml").is_file()
    assert not list(demo.site.parent.glob("site.*")), "a temporary or old site folder was left behind"


def test_the_site_can_be_read_by_a_web_server_running_as_another_user(demo):
    umask = os.umask(0)
    os.umask(umask)
    if umask & 0o005:
        pytest.skip("this umask keeps files from other users anyway")
    for path in [demo.site, *demo.site.rglob("*")]:
        mode = path.stat().st_mode
        assert mode & 0o004, f"{path} is not readable by others"
        if path.is_dir():
            assert mode & 0o001, f"{path} cannot be entered by others"


def test_no_markdown_leaks_into_pages_as_text(demo, html):
    """Markdown that failed to render (a table with no blank line before it, a code span holding entities)
    shows up as raw pipes, dashes or entity text."""
    leaks = []
    for rel in html_files(demo.site):
        art = html(demo.site / rel).find("article")
        if art is None:
            continue
        text = art.text()
        for pattern in (r"\| ?:?-{3}", r"&#\d+;", r"&[a-z]+;", r"\[\^n\d+\]", r"\*\*\w"):
            if re.search(pattern, text):
                leaks.append((rel, pattern, re.search(f".{{0,40}}{pattern}.{{0,40}}", text).group(0)))
    assert not leaks, leaks[:10]


def _walk_schema_fields(records: dict, root: str) -> list[str]:
    """Every field path from a root record, written independently of ladobench.site.reference_docs: a record
    used by two fields is listed under both."""
    out = []

    def inner(typ):
        while isinstance(typ, dict):
            typ = typ.get("list") or typ.get("of")
        return typ

    def walk(name, prefix, stack):
        for f in records[name].get("fields", []):
            path, typ = prefix + f["key"], f["type"]
            out.append(path)
            target = inner(typ)
            if isinstance(target, str) and target in records and target not in stack:
                if isinstance(typ, dict) and "map" in typ:
                    suffix = f".<{typ['map']}>" + ("[]." if isinstance(typ["of"], dict) and "list" in typ["of"] else ".")
                elif isinstance(typ, dict) and "list" in typ:
                    suffix = "[]."
                else:
                    suffix = "."
                walk(target, path + suffix, stack | {target})

    walk(root, "", {root})
    return out


def _reachable(records: dict, roots: list[str]) -> set[str]:
    seen, todo = set(), list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for f in records[name].get("fields", []):
            typ = f["type"]
            while isinstance(typ, dict):
                typ = typ.get("list") or typ.get("of")
            if typ in records:
                todo.append(typ)
    return seen


def test_data_dictionary_lists_everything_in_schema(demo, html):
    page = html(demo.site / PAGE_TYPES["data dictionary"])
    art = page.find("article")
    codes = {c.text() for c in art.iter("code")}
    missing = []

    ret = yaml.safe_load((SCHEMA / "return.yaml").read_text())
    auth = yaml.safe_load((SCHEMA / "authority.yaml").read_text())
    auth_roots = [auth["root"]] + [name for name in auth["records"] if name.endswith("_file")]
    for raw, roots in ((ret, [ret["root"]]), (auth, auth_roots)):
        unreachable = set(raw["records"]) - _reachable(raw["records"], roots)
        assert not unreachable, f"records no file uses, so the dictionary cannot list them: {unreachable}"
        for root in roots:
            missing += [("field", p) for p in _walk_schema_fields(raw["records"], root) if p not in codes]
    text = art.text()
    for name, values in (ret.get("enums") or {}).items():
        for v in values:
            value = v["code"] if isinstance(v, dict) else v
            if not re.search(rf"\b{re.escape(str(value))}\b", text):
                missing.append(("enum " + name, value))

    taxonomies = yaml.safe_load((SCHEMA / "taxonomies.yaml").read_text())["dimensions"]
    for key, dim in taxonomies.items():
        heading = next((h for h in art.iter("h3") if h.text().rstrip("¶").strip() == dim["title"]), None)
        if heading is None or key not in codes:
            missing.append(("taxonomy", key))
            continue
        tables = tables_in(section(art, heading.text().rstrip("¶").strip(), "h3"))
        assert len(tables) == 1, f"taxonomy {key}: {len(tables)} tables"
        listed = {cells[0] for cells in tables[0].grid()[1:]}
        missing += [("code " + key, str(c["code"])) for c in dim["codes"] if str(c["code"]) not in listed]

    metrics = yaml.safe_load((SCHEMA / "metrics.yaml").read_text())["metrics"]
    for m in metrics:
        if m["kind"] == "share" and not m.get("combine"):
            dim = taxonomies[m["dimension"]]
            ids = [f"{m['id']}.{c}" for c in (m.get("codes") or [str(c["code"]) for c in dim["codes"] if "." not in str(c["code"])])]
        else:
            ids = [m["id"]]
        missing += [("metric", i) for i in ids if i not in codes]

    symbols = table_with_header(art, "Symbol", "Meaning", "Definition")
    listed = {cells[0] for cells in symbols.grid()[1:]}
    missing += [("symbol", s["symbol"]) for s in yaml.safe_load((SCHEMA / "symbols.yaml").read_text())["symbols"]
                if s["symbol"] not in listed]

    rules = table_with_header(art, "Rule", "Severity", "Checks")
    listed = {cells[0] for cells in rules.grid()[1:]}
    missing += [("rule", r["name"]) for r in yaml.safe_load((SCHEMA / "rules.yaml").read_text())["rules"]
                if r["name"] not in listed]
    assert not missing, f"{len(missing)} things in schema/ are missing from the data dictionary: {missing[:20]}"


def test_data_dictionary_test_notices_a_missing_field(demo, html):
    """The completeness check above is not vacuous: the walk finds nested paths the page must show."""
    ret = yaml.safe_load((SCHEMA / "return.yaml").read_text())
    paths = _walk_schema_fields(ret["records"], ret["root"])
    assert "discrepancies[].fields" in paths and "breakdowns.<dimension>[].rows[].count" in paths
    assert len(paths) > 50


# --- charts ------------------------------------------------------------------------------------

def test_every_chart_has_a_caption_a_table_and_a_csv(demo, html):
    charts = 0
    for rel in html_files(demo.site):
        page = html(demo.site / rel)
        scripts = {s.attrs.get("id"): s for s in page.iter("script")}
        for chart in page.find_all("div", "lb-chart"):
            charts += 1
            where = f"{rel}#{chart.attrs.get('id')}"
            figure = next((a for a in chart.ancestors() if a.tag == "figure"), None)
            assert figure is not None and "lb-figure" in figure.classes, where
            caption = figure.find("figcaption")
            assert caption is not None and len(caption.text()) > 10, where
            assert chart.attrs.get("role") == "img" and chart.attrs.get("aria-label"), where
            source = scripts.get(chart.attrs.get("data-spec"))
            assert source is not None and source.attrs.get("type") == "application/json", where
            spec = json.loads("".join(c for c in source.children if isinstance(c, str)))
            rows = spec["datasets"]["table"]
            assert rows, where
            siblings = [c for c in figure.parent.children if not isinstance(c, str)]
            after = siblings[siblings.index(figure) + 1:]
            details = after[0]
            assert details.tag == "details" and "lb-table-alt" in details.classes, where
            table = details.find("table")
            assert table is not None and table.find("th") is not None, where
            assert len(table.grid()) - 1 == len(rows), f"{where}: table has {len(table.grid()) - 1} rows, chart {len(rows)}"
            link = after[1].find("a")
            assert link is not None and "CSV" in link.text(), where
            href = link.attrs["href"]
            assert not urlsplit(href).scheme and not href.startswith("/"), where
            target = urlsplit(urljoin(page_url(rel), href)).path.lstrip("/")
            data = demo.site / target
            assert data.is_file(), f"{where}: {href} -> {target} does not exist"
            lines = list(csv.reader(io.StringIO(data.read_text())))
            assert len(lines) - 1 == len(rows), f"{where}: CSV has {len(lines) - 1} rows, chart {len(rows)}"
    assert charts >= 40, f"only {charts} charts found"


def test_chart_specs_are_inert_json(demo, html):
    specs = 0
    for rel in html_files(demo.site):
        raw = (demo.site / rel).read_text()
        for m in re.finditer(r'<script\b[^>]*type="application/json"[^>]*>(.*?)</script>', raw, re.S):
            body = m.group(1)
            assert "</" not in body and "<!--" not in body, f"{rel}: markup inside a chart spec"
            json.loads(body)
            specs += '-spec"' in m.group(0).split(">", 1)[0]  # Material's own __config is JSON too
    charts = sum(len(html(demo.site / rel).find_all("div", "lb-chart")) for rel in html_files(demo.site))
    assert specs == charts and specs > 40


# --- no other host ------------------------------------------------------------------------------

URL_ATTRS = ("src", "href", "srcset", "data", "action", "formaction", "poster", "background", "xlink:href", "ping")


def _foreign(url: str) -> bool:
    parts = urlsplit(url.strip())
    return bool(parts.netloc) or parts.scheme not in ("", "mailto")


def test_no_page_loads_anything_from_another_host(demo, html):
    bad, outbound, scanned = [], set(), 0
    for rel in html_files(demo.site):
        scanned += 1
        page = html(demo.site / rel)
        for node in page.iter():
            for attr in URL_ATTRS:
                if attr not in node.attrs:
                    continue
                values = [v.strip().split()[0] for v in node.attrs[attr].split(",") if v.strip()] if attr == "srcset" \
                    else [node.attrs[attr]]
                for value in values:
                    if not _foreign(value):
                        continue
                    if node.tag == "a" and attr == "href" and urlsplit(value.strip()).scheme in ("http", "https"):
                        outbound.add(value)  # a link the reader may follow, not a resource the page loads
                    else:
                        bad.append((rel, node.tag, attr, value))
            if node.tag == "style" or "style" in node.attrs:
                css = node.attrs.get("style", "") + "".join(c for c in node.children if isinstance(c, str))
                bad += [(rel, node.tag, "css", u) for u in re.findall(r"url\(\s*['\"]?([^'\")]+)", css) if _foreign(u)]
            if node.tag == "meta" and node.attrs.get("http-equiv", "").lower() == "refresh":
                bad.append((rel, "meta", "refresh", node.attrs.get("content")))
    for css in demo.site.rglob("*.css"):
        text = css.read_text(errors="replace")
        bad += [(css.name, "css", "url", u) for u in re.findall(r"url\(\s*['\"]?([^'\")]+)", text)
                if _foreign(u) and not u.startswith("data:")]
        bad += [(css.name, "css", "@import", u) for u in re.findall(r"@import\s+(?:url\()?['\"]?([^'\");]+)", text) if _foreign(u)]
    assert scanned > 50
    assert not bad, bad[:20]
    # Outbound links in the demo: the theme credit, the local preview address in the how-to page and the data's
    # licence (Open Government Licence v3.0) on the downloads page.
    assert outbound <= {"https://squidfunk.github.io/mkdocs-material/", "http://127.0.0.1:8000",
                        "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"}, outbound


def test_every_local_link_resolves(demo, html):
    broken = []
    for rel in html_files(demo.site):
        if rel == "404.html":
            continue  # mkdocs writes it with root-relative links for any depth
        for node in html(demo.site / rel).iter():
            for attr in ("href", "src"):
                value = node.attrs.get(attr)
                if not value or _foreign(value) or value.startswith("#"):
                    continue
                path = urlsplit(urljoin(page_url(rel), value)).path.lstrip("/")
                target = demo.site / path
                if not (target.is_file() or (target / "index.html").is_file()):
                    broken.append((rel, value))
    assert not broken, broken[:20]


def test_the_home_page_counts_who_has_submitted_and_who_has_a_value(demo, html):
    # Counted without building the region, group and metric pages' views: the same numbers as those pages.
    text = " ".join(article(html, demo.site, PAGE_TYPES["home"]).text().split())
    assert "Coverage: 3 returns from 2 of 153 authorities." in text
    assert "South East: 1 of 19 authorities submitted for 2023-24" in text  # Kent
    assert "South West: 0 of 15 authorities submitted for 2023-24" in text  # Gloucestershire's latest is 2022-23
    assert "Kent and Lancashire peer review: 1 of 2 members submitted" in text
    assert "Referrals per 10,000 children (1 authority with a value)" in text
    assert "Decisions within 1 working day (0 authorities with a value)" in text  # Kent's is [x]
    region = " ".join(article(html, demo.site, PAGE_TYPES["region"]).text().split())
    assert "Kent" in region and "Gloucestershire" not in region
