"""Comparable or not: returns of real shapes (tests/fixtures/comparability/) built into a site, and the published
comparisons.csv and pages checked: nothing counted differently, or not known, is pooled, ranked, put in a quartile set
or drawn as one series; every comparator says how many it pools; no higher / lower with fewer than 5 comparable others;
every authority is on its region's page for its latest year."""
from __future__ import annotations

import html
import math
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from ladobench.core.reference import load_reference
from ladobench.returns.validate import validate
from ladobench.site.urls import region_page
from ladobench.stats.compare import MIN_OTHERS
from ladobench.stats.published import publish

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "comparability"
# Six more authorities counting exactly as Kent does in 2023-24, so that Kent has 5+ comparable others in England and
# in the South East: ranks, quartiles and higher / lower statements can then appear and are checked.
LIKE_KENT = {"surrey": 1500, "hampshire": 1300, "medway": 240, "east-sussex": 600, "west-sussex": 700, "portsmouth": 200}


def _without_kents_break(root: Path) -> None:
    """Kent's 2023-24 return declares a break in series (portal-only referrals); drop it from a copy."""
    path = root / "kent" / "2023-24.yaml"
    text = path.read_text()
    path.write_text(text[:text.index("\ncounting:\n  series_break:")] + "\n")


def _like_kent(root: Path) -> None:
    ref = load_reference()
    facts = (root / "kent" / "authority.yaml").read_text().split("counting:\n", 1)[1].split("\n\n", 1)[0]
    for slug, referrals in LIKE_KENT.items():
        row = ref.loc[slug]
        folder = root / slug
        folder.mkdir()
        (folder / "authority.yaml").write_text(
            f"name: {row['name']}\nons_code: {row['ons_code']}\ndfe_number: {row['dfe_number']}\n"
            f"region: {row['region_code']}\ncounting:\n{facts}\n")
        (folder / "2023-24.yaml").write_text(
            "source:\n  title: Test return\nfunnel:\n"
            f"  initial_contacts: {referrals}\n  referrals: {referrals}\n  below_threshold: {referrals // 2}\n"
            f"  met_threshold: {referrals - referrals // 2}\n  concluded: {referrals // 3}\n  ongoing_at_year_end: 5\n")


def with_fixtures(tmp: Path, builder, like_kent: bool = True) -> Path:
    """The committed returns plus the comparability fixtures (odd shapes, mixed years) in a folder of their own;
    like_kent adds six others counting as Kent does and joins Kent's years (no break in series)."""
    root = builder.copy(tmp)
    for folder in FIXTURES.iterdir():
        if folder.is_dir():
            shutil.copytree(folder, root / folder.name)
    if like_kent:
        _like_kent(root)
        _without_kents_break(root)  # these tests are about joining years that count the same way
    return root


@pytest.fixture(scope="module")
def mixed(tmp_path_factory, builder):
    tmp = tmp_path_factory.mktemp("comparability")
    site = builder.build(with_fixtures(tmp, builder), tmp)
    site.cmp = pd.read_csv(site.site / "downloads" / "comparisons.csv", dtype={"members": str}, keep_default_na=False,
                           na_values=[""])
    site.metrics = pd.read_csv(site.site / "downloads" / "metrics.csv", keep_default_na=False, na_values=[""])
    return site


def _facts_of(site) -> dict:
    """(authority, period, metric) -> the comparability key, recomputed from the returns."""
    published = publish(validate(site.root))
    frame = published.comparable
    return {k: (c, key) for k, c, key in zip(zip(frame["authority"], frame["period"], frame["metric"]),
                                             frame["comparable"], frame["key"])}


def test_no_pool_mixes_counting(mixed):
    """Every pooled member of every comparator counts the same way as the authority compared, and knows how."""
    facts = _facts_of(mixed)
    pooled = mixed.cmp[mixed.cmp["n_members"] > 0]
    assert len(pooled) > 0
    for row in pooled.itertuples():
        own = facts[(row.authority, row.period, row.metric)]
        assert own[0], row
        members = row.members.split(";")
        assert len(members) == row.n_members and row.authority not in members  # the others, never itself
        for m in members:
            assert facts[(m, row.period, row.metric)] == own, (row.authority, m, row.metric)


def test_not_comparable_values_stand_apart(mixed):
    cmp = mixed.cmp
    # Somerset does not say whether its contacts include referrals: its contacts rate is never pooled.
    somerset = cmp[(cmp.authority == "somerset") & (cmp.metric == "contacts_rate")]
    assert len(somerset) and (~somerset.comparable).all() and (somerset.n_members == 0).all()
    assert somerset.reason.str.contains("does not say whether its contacts include referrals").all()
    assert somerset.comparator_value.isna().all()
    # Its referrals rate does not depend on that fact, and is compared with Kent and the others.
    ref_rate = cmp[(cmp.authority == "somerset") & (cmp.metric == "referrals_rate") & (cmp.comparator == "england")].iloc[0]
    assert ref_rate.comparable and "kent" in ref_rate.members.split(";")
    # Kent is never in a pool of Somerset's, Cornwall's or Somerset's contacts.
    for slug in ("somerset", "cornwall"):
        rows = cmp[(cmp.authority == slug) & (cmp.metric == "contacts_rate")]
        assert not rows.members.fillna("").str.contains("kent").any()
    # Cornwall's notifications include referrals, Kent's enquiries do not: Kent's contacts pool has no Cornwall.
    kent = cmp[(cmp.authority == "kent") & (cmp.period == "2023-24") & (cmp.metric == "contacts_rate")]
    assert not kent.members.fillna("").str.contains("cornwall").any()
    assert kent.reason.str.contains("count differently").any()
    # The nursery-only calendar-year slice is published but never compared.
    devon = cmp[cmp.authority == "devon"]
    assert len(devon) and devon.n_members.eq(0).all() and devon["rank"].isna().all()
    assert not cmp.members.fillna("").str.contains("devon").any()
    assert (mixed.metrics[(mixed.metrics.authority == "devon") & (mixed.metrics.metric == "referrals_rate")].value.notna()).all()


def test_ranks_quartiles_and_statements_need_five_comparable_others(mixed):
    cmp, facts = mixed.cmp, _facts_of(mixed)
    stated = cmp[cmp.result95.notna()]
    assert len(stated) > 0  # Kent and its six like-counting neighbours in the South East
    assert (stated.n_members >= MIN_OTHERS).all()
    assert cmp[cmp.n_members < MIN_OTHERS].result95.isna().all() and cmp[cmp.n_members < MIN_OTHERS].result998.isna().all()
    ranked = cmp[cmp["rank"].notna()]
    assert len(ranked) > 0 and (ranked.rank_of >= MIN_OTHERS + 1).all()
    for (period, metric, comparator, cid), part in ranked.groupby(["period", "metric", "comparator", "comparator_id"]):
        keys = {facts[(a, period, metric)] for a in part.authority}
        # Each ranked set holds one way of counting only; rank_of says how many were ranked together.
        for key in keys:
            same = part[[facts[(a, period, metric)] == key for a in part.authority]]
            assert (same.rank_of == len(same)).all(), (period, metric, comparator, cid)
            assert same.quartile.between(1, 4).all()


def test_every_comparator_names_its_count(mixed):
    cmp = mixed.cmp
    assert cmp.n_members.notna().all() and cmp.others_total.notna().all()
    compared = cmp[cmp.comparable]
    for row in compared.itertuples():
        assert f"{row.n_members} of {row.others_total}" in row.comparator_name or "(all" in row.comparator_name, row
    # "England" alone is never the name of a pool that is not all of England.
    assert not (compared[compared.comparator == "england"].comparator_name == "England").any()


def test_no_significance_sentence_with_fewer_than_five_others(mixed):
    """A page that says "unlikely to be chance" does so only of a comparison with 5+ comparable others."""
    cmp, seen = mixed.cmp, []
    for page in (mixed.docs / "authorities").glob("*.md"):
        text = html.unescape(page.read_text())
        sentences = re.findall(r"is (?:higher|lower) than the pooled value of (.+?) that count the same way", text)
        for sentence in sentences:
            m = re.search(r"(\d+) of (\d+)", sentence) or re.search(r"all (\d+)", sentence)
            assert m and int(m.group(1)) >= MIN_OTHERS, (page.name, sentence)
            seen.append(sentence)
    assert seen  # the like-counting South East authorities do differ from one another
    # Kent's own page: its comparisons with 6 others can carry statements; Gloucestershire's (no comparable other) cannot.
    glos = (mixed.docs / "authorities" / "gloucestershire.md").read_text()
    assert "unlikely to be chance" not in glos
    assert "none (0 of 152)" in glos or "not compared" in glos
    assert cmp[(cmp.authority == "gloucestershire")].result95.isna().all()


def test_every_authority_on_its_region_page_for_its_latest_year(mixed):
    ref = load_reference()
    dataset = validate(mixed.root)
    periods = sorted({r.period for r in dataset.returns})
    latest_overall = periods[-1]
    assert {"2022-23", "2023-24", "2024-25"} <= set(periods)
    for slug in {r.slug for r in dataset.returns}:
        latest = dataset.returns_of(slug)[-1].period
        code = region_page(ref.loc[slug, "region_code"])
        name = ref.loc[slug, "name"]
        page = mixed.docs / "regions" / (f"{code}.md" if latest == latest_overall else f"{code}-{latest}.md")
        text = page.read_text()
        assert f"[{name}](../authorities/{slug}.md)" in text, (slug, page.name)
        # And on the newest year's page, marked with its own year when that is older.
        newest = (mixed.docs / "regions" / f"{code}.md").read_text()
        assert f"[{name}](../authorities/{slug}.md)" + ("" if latest == latest_overall else f" ({latest})") in newest
    # Gloucestershire (2022-23) on the South West page of 2024-25, the newest year: not "0 returns".
    sw = (mixed.docs / "regions" / "south-west.md").read_text()
    assert "[Gloucestershire](../authorities/gloucestershire.md) (2022-23)" in sw
    assert ("Year: [2022-23](south-west-2022-23.md) · [2023](south-west-2023.md) · [2023-24](south-west-2023-24.md) · "
            "**2024-25**") in sw


def test_series_hold_still(mixed):
    """Rutland's 4 then 6 referrals make a series of its own; no pooled line joins different authorities."""
    changes = pd.DataFrame(publish(validate(mixed.root)).changes)
    rut = changes[(changes.authority == "rutland") & (changes.metric == "referrals_rate") & (changes.period == "2023-24")]
    assert rut.previous_period.iloc[0] == "2022-23"
    text = (mixed.docs / "metrics" / "referrals_rate.md").read_text()
    # Kent and Rutland both have 2022-23 and 2023-24 values counting the same way: the panel names them.
    assert "the same 2 authorities each year (Kent, Rutland)" in text
    subst = (mixed.docs / "metrics" / "substantiation_rate.md").read_text()
    assert "No line is drawn" in subst or "the same" in subst
    for page in (mixed.docs / "metrics").glob("*.md"):
        body = page.read_text()
        if "chart-metric-trend" in body:
            assert re.search(r"the same \d+ authorities each year", body), page.name


def test_rates_say_which_population_estimate(mixed):
    rates = mixed.metrics[(mixed.metrics.kind == "rate") & mixed.metrics.value.notna()]
    assert rates.denominator_label.str.contains(r"ONS mid-\d{4} estimate").all()
    devon = rates[(rates.authority == "devon")].denominator_label.iloc[0]
    assert devon == "children aged 0-17 (ONS mid-2024 estimate; mid-2023 not yet loaded)"
    kent = (mixed.docs / "authorities" / "kent.md").read_text()
    assert "Rates for 2023-24 are per 10,000 children aged 0-17 (ONS mid-2024 estimate; mid-2023 not yet loaded)" in \
        html.unescape(kent)


def test_seed_figures_and_the_pooled_ratio(demo):
    metrics = pd.read_csv(demo.site / "downloads" / "metrics.csv", keep_default_na=False, na_values=[""])
    kent = metrics[(metrics.authority == "kent") & (metrics.period == "2023-24")].set_index("metric")
    glos = metrics[(metrics.authority == "gloucestershire") & (metrics.period == "2022-23")].set_index("metric")
    assert (kent.loc["threshold_conversion", "numerator"], kent.loc["threshold_conversion", "denominator"]) == (782, 1458)
    assert round(kent.loc["threshold_conversion", "value"], 1) == 53.6
    assert (glos.loc["substantiation_rate", "numerator"], glos.loc["substantiation_rate", "denominator"]) == (155, 401)
    assert round(glos.loc["substantiation_rate", "value"], 1) == 38.7
    page = (demo.docs / "metrics" / "referrals_per_lado.md").read_text()
    assert "| 2023-24 | 1 | 251.4 | Kent |" in page
    assert "25,137" not in page and not math.isclose(kent.loc["referrals_per_lado", "value"], 25137.9, abs_tol=1)


def test_a_declared_break_in_series_stops_the_change(tmp_path, builder):
    root = builder.copy(tmp_path)
    changes = publish(validate(root)).changes  # Kent 2023-24 declares its break (portal-only referrals)
    kent = changes[(changes.authority == "kent") & (changes.metric == "referrals_rate") & (changes.period == "2023-24")]
    assert kent.previous_period.isna().all() and kent.change.isna().all()
    # Without the break, Kent's 1,270 then 1,458 referrals make a change.
    plain_root = builder.copy(tmp_path / "plain")
    _without_kents_break(plain_root)
    plain = publish(validate(plain_root)).changes
    assert plain[(plain.authority == "kent") & (plain.metric == "referrals_rate") & (plain.period == "2023-24")].change.notna().all()


def test_period_check_in_one_function():
    import datetime as dt

    from ladobench.core.model import Return
    from ladobench.returns.counting import period_problem

    def problem(period, counting=None, today=dt.date(2025, 6, 1)):
        ret = Return("kent", period, f"authorities/kent/{period}.yaml", {"counting": counting or {}}, {"counting.period_basis": 3})
        found = period_problem(ret, None, today)
        return found.rule if found else None

    assert problem("2024-25", {"period_basis": "financial_year"}) is None  # ended 31 March 2025
    assert problem("2024-25") == "period_not_ended"  # basis not known: it may run to 31 August 2025
    assert problem("2024-25", {"period_basis": "academic_year"}) == "period_not_ended"
    assert problem("2024", {"period_basis": "calendar_year"}) is None
    assert problem("2025", {"period_basis": "calendar_year"}) == "period_not_ended"
    assert problem("2023-24", {"period_basis": "calendar_year"}) == "period_basis_mismatch"
    assert problem("2023", {"period_basis": "financial_year"}) == "period_basis_mismatch"
    assert problem("2023", {"period_basis": "not_known"}) is None  # not known is never an error


def test_a_caption_says_rose_only_when_the_intervals_say_so(mixed):
    # Rutland's 4 then 6 referrals: 95% intervals 1.4-12.8 and 2.7-16.3 per 10,000; that is no rise.
    page = (mixed.docs / "authorities" / "rutland.md").read_text(encoding="utf-8")
    caption = re.search(r"<figcaption>(Rutland: referrals per 10,000 children[^<]*)</figcaption>", page).group(1)
    assert "rose" not in caption and "fell" not in caption
    assert "5.0 in 2022-23 and 7.5 in 2023-24, a change within what chance would explain" in caption
