"""Every generated sentence is a claim, and every claim is checked against the tables as published on disk:
the demo site, a build of odd shapes (comparability fixtures with Kent-like others), generated returns, and a
153 x 5 synthetic build. The seeds' own figures pin the captions that were false before."""
from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_comparability import with_fixtures

from ladobench.core.model import Authority, Return
from ladobench.core.schema import load_schema
from ladobench.publish.downloads import generate
from ladobench.returns.validate import Dataset, validate
from ladobench.site.claims_site import site_claims
from ladobench.stats import claims
from ladobench.stats.claim_check import check
from ladobench.stats.published import publish


def _captions(page: str) -> list[str]:
    return re.findall(r"<figcaption>([^<]*)</figcaption>", page)


def _page(site, slug: str) -> str:
    return html.unescape((site.docs / "authorities" / f"{slug}.md").read_text(encoding="utf-8"))


def _check_build(site) -> object:
    report = check(site_claims(publish(validate(site.root))), site.site / "downloads")
    print(report)
    assert not report.false, "\n".join(f"{c.kind} {c.authority}: {c.text} -- {why}" for c, why in report.false[:10])
    return report


# --- the seeds' captions ------------------------------------------------------------------------

def _said(section: str) -> str:
    """The largest-share sentence of a breakdown section: printed under its chart (or alone), with its own base."""
    return next(line for line in section.splitlines() if "largest" in line and not line.startswith("<"))


def test_gloucestershire_outcome_caption_names_substantiated(demo):
    # 155 substantiated of 401 concluded = 38.7%, more than Unsubstantiated's 138 (34.4%).
    page = _page(demo, "gloucestershire")
    section = page[page.index("## Allegation outcome"):page.index("## Secondary outcome")]
    said = _said(section)
    assert "Substantiated is the largest share (38.7% of concluded allegations: 155 of 401)" in said
    assert "Unsubstantiated is the largest" not in section
    # The chart draws the table it illustrates (shares of all 968 contacts), and its caption says so: the sentence
    # about concluded allegations is apart, with its own base, so the two never contradict each other.
    caption = re.search(r"<figcaption>(.*?)</figcaption>", section, re.S).group(1)
    assert caption.startswith("Gloucestershire: allegation outcome, each as a share of 968 contacts")


def test_gloucestershire_secondary_outcome_caption_does_not_name_dismissal(demo):
    # No further action 193 (33.3%) and Ongoing 172 (29.7%) of 579 allegations are larger than Dismissal's 37 (6.4%).
    page = _page(demo, "gloucestershire")
    assert "Dismissal is the largest" not in page
    section = page[page.index("## Secondary outcome"):page.index("## Timeliness")]
    said = next(line for line in section.splitlines() if "largest" in line)
    # 11 cells withheld [c] leave 122 of the 579 unaccounted for: more than No further action's lead over Ongoing.
    assert "no category is called the largest: withheld [c] cells could hold more" in said


def test_gloucestershire_sector_caption_does_not_make_social_care_largest(demo):
    # The source reads education 34%, independent providers 33%: 'Other - Independent Provider' maps to social care
    # only in part, so social care (38.5% through that mapping) is not called the largest.
    page = _page(demo, "gloucestershire")
    section = page[page.index("## Employing sector"):page.index("## Referral source")]
    assert "Social care is the largest" not in section
    assert "'Other - Independent Provider' matches Social care only in part" in _said(section)


def test_kent_says_no_comparison_could_be_made(demo):
    page = _page(demo, "kent")
    assert "No figure differs" not in page and "in none does Kent differ" not in page
    assert "No figure of 2023-24 has 5 or more comparable other authorities in any comparator" in page


def test_a_missing_table_takes_one_line(odd):
    # Cornwall's 2023-24 return gives only a harm table: each other table is one line, not a paragraph listing every
    # category it lacks.
    page = _page(odd, "cornwall")
    missing = page.split("## Tables not in the return")[1].split("\n## ")[0]
    lines = [line for line in missing.splitlines() if line.strip()]
    assert lines == [f"- {t}: Cornwall's return gives no such table for 2023-24." for t in
                     ("Employing sector", "Referral source", "Allegation outcome", "Secondary outcome / final conclusion")]
    assert "no equivalent of Education, Early years" not in page and "## Employing sector" not in page


def test_every_demo_claim_is_true_of_the_published_tables(demo):
    report = _check_build(demo)
    assert report.checked > 300 and report.by_kind["largest_share"] >= 2


# --- odd shapes: the comparability fixtures and six Kent-like others -------------------------

@pytest.fixture(scope="module")
def odd(tmp_path_factory, builder):
    tmp = tmp_path_factory.mktemp("claims-odd")
    return builder.build(with_fixtures(tmp, builder), tmp)


def test_every_claim_of_odd_shapes_is_true(odd):
    report = _check_build(odd)
    assert report.by_kind.get("change", 0) >= 1 and report.by_kind.get("trend_ends", 0) >= 1


def test_comparison_cells_say_who_is_higher(odd):
    page = _page(odd, "kent")
    table = page[page.index("| Measure | Kent |"):]
    cells = re.findall(r"\| \**([\d.,]+ \(\d+ of \d+\)(?:; [^|*]+?)?)\** (?=\|)", table)
    directed = [c for c in cells if ";" in c]
    assert directed, cells
    for cell in directed:
        assert cell.endswith("; similar") or cell.endswith("; Kent higher") or cell.endswith("; Kent lower"), cell


def test_a_rate_change_has_its_unit_and_its_count(odd):
    # Kent's referrals: 1,270 in 2022-23, 1,458 in 2023-24 (+188, +14.8%), 35.7 then 41.0 per 10,000.
    page = _page(odd, "kent")
    row = next(line for line in page.splitlines() if line.startswith("| Referrals per 10,000 children |"))
    assert "+5.3 per 10,000 (referrals 1,270 to 1,458: +188, +14.8%)" in row


def test_every_change_on_last_year_has_its_unit(odd):
    seen = 0
    for path in (odd.docs / "authorities").glob("*.md"):
        page = html.unescape(path.read_text(encoding="utf-8"))
        if "| Change on last year |" not in page:
            continue
        for line in page.split("| Change on last year |")[1].split("\n\n")[0].splitlines()[2:]:
            change = line.split("|")[-3].strip()
            if change[:1] in "+-" and change:
                seen += 1
                assert change.endswith(("percentage points", "referrals per FTE", "cases")) or " per 10,000" in change, line
                if " per 10,000" in change:
                    assert re.search(r"\(\w+ [\d,]+ to [\d,]+: [+-][\d,]+(, [+-][\d.]+%)?\)$", change), change
    assert seen >= 2


# --- the checker finds a false claim --------------------------------------------------------

def test_the_checker_finds_false_claims(demo):
    made = site_claims(publish(validate(demo.root)))
    downloads = demo.site / "downloads"
    top = next(c for c in made if c.kind == "largest_share" and c.authority == "gloucestershire"
               and c.figures["dimension"] == "outcome")
    wrong = claims.Claim(top.kind, top.text.replace("Substantiated", "Unsubstantiated"), top.authority, top.period, "",
                         {**top.figures, "top": "Unsubstantiated"})
    partial = claims.Claim(top.kind, top.text, top.authority, top.period, "",
                           {**top.figures, "categories": top.figures["categories"][1:]})
    cell = next(c for c in made if c.kind == "comparison")
    flipped = claims.Claim("comparison", cell.text, cell.authority, cell.period, "95",
                           {**cell.figures, "n_members": cell.figures["n_members"] + 1})
    summary = claims.Claim("no_difference", "", "kent", "2023-24", "99.8", {"tested": 3, "min_others": 5})
    report = check([wrong, partial, flipped, summary], downloads)
    assert report.checked == 4 and len(report.false) == 4, report.false


def test_change_units():
    schema = load_schema()
    rate, share = schema.metric("referrals_rate"), schema.metric("threshold_conversion")
    before = {"period": "2022-23", "value": 5.0, "numerator": 4.0}
    now = {"period": "2023-24", "value": 7.5, "numerator": 6.0}
    assert claims.change(rate, "rutland", "2023-24", now, before, "referrals").text == \
        "+2.5 per 10,000 (referrals 4 to 6: +2, +50.0%)"
    assert claims.change(share, "x", "2023-24", {"period": "p", "value": 55.0}, {"period": "q", "value": 53.6}, "") \
        .text == "+1.4 percentage points"
    ratio = schema.metric("referrals_per_lado")
    assert claims.change(ratio, "x", "p", {"period": "p", "value": 251.4}, {"period": "q", "value": 211.0}, "").text \
        == "+40.4 referrals per FTE"


# --- generated returns: ties, missing categories, suppressed cells, tiny counts, one authority -----

SECTORS = ["education", "early_years", "social_care", "health", "police"]


@st.composite
def one_authority(draw):
    n = draw(st.integers(1, 5))
    counts = draw(st.lists(st.integers(0, 40) | st.integers(0, 6) | st.just(12), min_size=n, max_size=n))
    outcomes = draw(st.lists(st.integers(0, 30) | st.integers(0, 6) | st.just(9), min_size=5, max_size=5))
    complete = draw(st.booleans())
    relation = draw(st.sampled_from(["exact", "exact", "overlapping"]))
    labels = [f"Local {i}" for i in range(n)]
    kcsie = ("substantiated", "unsubstantiated", "unfounded", "false", "malicious")
    referrals = max(sum(counts), 1)
    concluded = sum(outcomes)
    crosswalk = {"sector": [{"local": lab, "code": SECTORS[i], **({"relation": relation} if i == 0 else {})}
                            for i, lab in enumerate(labels)],
                 "outcome": [{"local": c, "code": c} for c in kcsie]}
    sector = {"base": "referrals", "rows": [{"label": lab, "count": c} for lab, c in zip(labels, counts)]}
    if not complete:
        sector["complete"] = False
    if sum(counts) != referrals:
        sector["rows"][0]["count"] = referrals
    data = {"funnel": {"initial_contacts": referrals, "referrals": referrals, "below_threshold": 0,
                       "met_threshold": max(concluded, referrals), "concluded": concluded, "ongoing_at_year_end": 0,
                       "contacts_include_referrals": True},
            "breakdowns": {"sector": [sector],
                           "outcome": [{"base": "concluded", "rows": [{"label": c, "count": k} for c, k in zip(kcsie, outcomes)]}]}}
    if draw(st.booleans()):
        del data["breakdowns"]["sector"]  # a missing table
    return data, crosswalk


def _check_published(published, out: Path):
    """Write the tables a build publishes (the same content build() writes) to out, then check every claim on them."""
    for path, content in generate(published).items():
        if path.endswith(("metrics.csv", "comparisons.csv", "returns.json")):
            target = out / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
    return check(site_claims(published), out / "downloads")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(one_authority(), min_size=1, max_size=3), st.booleans())
def test_every_claim_about_generated_returns_is_true(tmp_path_factory, cases, two_years):
    slugs = ["rutland", "kent", "medway"]
    dataset = Dataset(root=Path("."))
    for slug, (data, crosswalk) in zip(slugs, cases):
        dataset.authorities[slug] = Authority(slug, f"{slug}/authority.yaml", {"name": slug.title(), "crosswalk": crosswalk})
        dataset.returns.append(Return(slug, "2023-24", f"{slug}/2023-24.yaml", data))
        if two_years:
            older = {**data, "funnel": {**data["funnel"], "referrals": data["funnel"]["referrals"] + 3,
                                        "initial_contacts": data["funnel"]["initial_contacts"] + 3}}
            older["breakdowns"] = {k: v for k, v in data["breakdowns"].items() if k != "sector"}
            dataset.returns.insert(0, Return(slug, "2022-23", f"{slug}/2022-23.yaml", older))
    report = _check_published(publish(dataset), tmp_path_factory.mktemp("claims-gen"))
    assert report.checked and not report.false, report.false[:3]


# --- 153 authorities x 5 years ------------------------------------------------------------------

@pytest.mark.slow
def test_every_claim_of_a_153_by_5_build_is_true(tmp_path_factory, capsys):
    from benchmarks import synth

    tmp = tmp_path_factory.mktemp("claims-153")
    root = synth.generate(tmp, authorities=153, years=5, seed=3)
    report = _check_published(publish(validate(root)), tmp)
    with capsys.disabled():
        print(f"\n153 x 5 synthetic build: {report}")
    assert not report.false, "\n".join(f"{c.kind} {c.authority}: {c.text} -- {why}" for c, why in report.false[:10])
    assert report.checked > 20_000 and report.by_kind["largest_share"] > 100 and report.by_kind["change"] > 100


def test_a_comparison_cell_shows_the_value_the_file_holds():
    # The 153 x 5 check found 28.749999999999996 printed 28.7 on a page while comparisons.csv holds 28.75 (28.8).
    metric = load_schema().metric("ongoing_share")
    cmp = {"comparator_value": 28.749999999999996, "result95": "higher", "result998": None, "n_members": 10,
           "others_total": 10, "comparable": True, "comparator": "region", "comparator_id": "E12000006",
           "comparator_name": "East of England (10 of 10 others)"}
    cell = claims.comparison("Luton", "luton", "2024-25", metric, {"value": 31.0}, cmp)
    assert cell.text == "28.8 (10 of 10); Luton higher"


def test_a_metric_pages_comparison_column_names_what_it_compares_with(odd):
    # "higher (n=8)" in the authority's own row read as if the 8 were higher; the cell now says the authority is
    # higher than the pool of the 8 others, as comparisons.csv has it.
    import csv
    rows = list(csv.DictReader((odd.site / "downloads" / "comparisons.csv").open(encoding="utf-8")))
    said = 0
    for row in rows:
        if row["comparator"] != "england" or row["result95"] not in ("higher", "lower", "similar"):
            continue
        page = (odd.docs / "metrics" / f"{row['metric']}.md")
        if not page.exists():
            continue
        line = next((x for x in page.read_text(encoding="utf-8").splitlines()
                     if x.startswith(f"| [{row['la_name']}](") and f"| {row['period']} |" in x), None)
        if line is None:
            continue
        word = "to" if row["result95"] == "similar" else "than"
        assert f"| {row['result95']} {word} the pool of {int(float(row['n_members']))} others |" in line, line
        said += 1
    assert said >= 5


def test_categories_without_an_equivalent_take_one_short_line(demo):
    # Kent's referral source table gives one category (members of the public): the page used to list the other
    # sixteen common categories by name; now it counts them in one line. A few are still named.
    page = _page(demo, "kent")
    section = page[page.index("## Referral source"):page.index("## Allegation outcome")]
    line = next(x for x in section.splitlines() if x.startswith("*Not comparable:*"))
    assert "Kent's categories have no equivalent of 16 of the 17 common categories" in line, line
    assert "Whistleblowers" not in line
    harm = page[page.index("## Category of harm"):page.index("## Employing sector")]
    assert "Kent's categories have no equivalent of Neglect; these are shown as [x], not 0" in harm
