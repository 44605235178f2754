"""The disclosure audit catches each class of leak found in the published outputs, and the planner fixes it.

Each leak is rebuilt on a copy of the real returns (figures of our own where the real ones do not
show it): the audit fails with the planner's fix taken away (a monkeypatched mutant) and passes with
it. A hypothesis test then throws random small-count returns at the planner and proves, by the
same linear programs, that no [c] count's provable range falls inside the band of 1 to 5.
"""
from __future__ import annotations

import copy
import dataclasses
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ladobench.core import paths
from ladobench.core.model import Return
from ladobench.publish import downloads
from ladobench.returns import free_text
from ladobench.returns.validate import validate
from ladobench.site import pages
from ladobench.stats import disclosure_plan, provable, suppression
from ladobench.stats import published as published_module
from ladobench.stats.audit import DisclosureError, audit_files, audit_published, check
from ladobench.stats.published import publish

GLOS = ("gloucestershire", "2022-23")


@pytest.fixture(scope="module")
def dataset():
    found = validate(paths.AUTHORITIES_DIR)
    assert not found.errors
    return found


def with_return(dataset, key, edit):
    """The dataset with one return's data changed by edit(data)."""
    returns = []
    for ret in dataset.returns:
        if (ret.slug, ret.period) == key:
            data = copy.deepcopy(ret.data)
            edit(data)
            ret = Return(ret.slug, ret.period, ret.file, data, ret.lines)
        returns.append(ret)
    return dataclasses.replace(dataset, returns=returns)


def failures(published) -> list[str]:
    return published.audit.failures


def table(data, dim, label_base):
    return next(t for t in data["breakdowns"][dim] if t.get("base") == label_base)


def row(tbl, label):
    return next(r for r in tbl["rows"] if r["label"] == label)


# --- the demo site ----------------------------------------------------------------------------------

def test_the_demo_passes_the_audit_and_says_so(dataset):
    published = publish(dataset)
    report = published.audit
    assert report.failures == []
    assert report.cells >= 45 and report.derived >= 6  # Gloucestershire's and Kent's [c] cells, the linked differences
    assert report.secondary > 0  # cells the table rules alone left recoverable
    lo, hi = report.narrowest
    assert hi - lo >= disclosure_plan.interval() and not (lo >= 1 and hi <= 5)
    files = pages.generate(published)
    files.update(downloads.generate(published))
    audit_files(published, files, report)
    assert report.failures == []
    assert f"{report.cells} suppressed counts" in " ".join(files["methodology.md"].split())
    check(report)  # no exception


def test_gloucestershire_secondary_outcomes_no_longer_subtract_to_a_small_count(dataset):
    """Resignation: 15 of all contacts, 13 of those that met the threshold: 2 people, once readable."""
    plan = publish(dataset).plans[GLOS]
    ret = next(r for r in dataset.returns if (r.slug, r.period) == GLOS)
    tables = ret.tables("final_outcome")
    for t0, t1 in [(0, 1)]:
        for r0, a in enumerate(tables[t0]["rows"]):
            r1, b = next((i, x) for i, x in enumerate(tables[t1]["rows"]) if x["label"] == a["label"])
            if 1 <= a["count"] - b["count"] <= 5:
                assert plan.row("final_outcome", t0, r0) or plan.row("final_outcome", t1, r1), a["label"]


# --- leak 1: free text ------------------------------------------------------------------------------

LEAKY_NOTE = "The sum of the five outcomes in Table 5: 155 substantiated + 138 unsubstantiated + 87 unfounded + 17 false + 4 malicious."


def _note(data):
    data["notes"]["funnel.concluded"] = LEAKY_NOTE


def test_free_text_warns_in_validate(dataset):
    ret = next(r for r in with_return(dataset, GLOS, _note).returns if (r.slug, r.period) == GLOS)
    found = [p.format() for p in free_text.problems(ret, dataset.authorities["gloucestershire"])]
    assert len(found) == 1 and "would reveal Malicious = 4, which is published as [c]" in found[0]
    assert "notes.funnel.concluded" in found[0] and "fewer than 6" in found[0]


def test_free_text_leak_caught_then_redacted(dataset, monkeypatch):
    leaky = with_return(dataset, GLOS, _note)

    def files_of(published):
        files = pages.generate(published)
        files.update(downloads.generate(published))
        return files

    published = publish(leaky)
    ret = next(r for r in published.dataset.returns if (r.slug, r.period) == GLOS)
    assert ret.data["notes"]["funnel.concluded"].endswith("87 unfounded + [c] false + [c] malicious.")
    files = files_of(published)
    audit_files(published, files, published.audit)
    assert published.audit.failures == []
    page = files["authorities/gloucestershire.md"]
    assert "&#91;c&#93; malicious" in page and "4 malicious" not in page and "17 false" not in page
    # the validated return keeps its words
    assert next(r for r in leaky.returns if (r.slug, r.period) == GLOS).data["notes"]["funnel.concluded"] == LEAKY_NOTE
    # before the fix: the figure found but left in the text
    monkeypatch.setattr(free_text, "redact", lambda text, reveals: text)
    published = publish(leaky)
    audit_files(published, files_of(published), published.audit)
    assert any("4 malicious" in f or "(Malicious = 4)" in f for f in published.audit.failures), published.audit.failures
    assert any("authorities/gloucestershire" in f and "downloads/returns.json" in f for f in published.audit.failures)
    with pytest.raises(DisclosureError, match="Malicious = 4"):
        check(published.audit)


# --- leak 2: numerators under [x] -------------------------------------------------------------------

def _base_unknown(data):
    data["funnel"]["concluded"] = "[x]"
    table(data, "outcome", "initial_contacts")["base"] = "concluded"


def test_numerator_of_an_x_share_is_withheld(dataset, monkeypatch):
    leaky = with_return(dataset, GLOS, _base_unknown)
    published = publish(leaky)
    rows = published.metrics[(published.metrics.authority == "gloucestershire") & (published.metrics.metric == "outcome_share.malicious")]
    assert rows.status.tolist() == ["[x]"] and rows.numerator.isna().all()
    assert failures(published) == []
    real = suppression.apply_to_metrics

    def old(metrics, plans):  # the numerator kept whenever the value has a symbol of its own
        out = real(metrics, plans)
        keep = out["status"].ne("[c]")
        out.loc[keep, "numerator"] = metrics.loc[keep, "numerator"]
        return out

    monkeypatch.setattr(published_module, "apply_to_metrics", old)
    found = failures(publish(leaky))
    assert any("'Malicious'" in f and "metric outcome_share.malicious = 4" in f for f in found), found


# --- leak 3: printed totals -------------------------------------------------------------------------

def _small_subset(data):
    data["breakdowns"]["outcome"].append({
        "base": "subset", "base_label": "allegations about agency staff", "total": 3, "source": "our own figures",
        "rows": [{"label": "Substantiated/Founded", "count": 1}, {"label": "Unfounded", "count": 2}]})


def test_printed_total_of_a_small_table_is_withheld(dataset, monkeypatch):
    leaky = with_return(dataset, GLOS, _small_subset)
    published = publish(leaky)
    assert published.plans[GLOS].total("outcome", 1)
    assert failures(published) == []
    files = pages.generate(published)
    page = files["authorities/gloucestershire.md"]
    totals = [line for line in page.splitlines() if "Total (as printed)" in line]
    assert any("&#91;c&#93;" in line for line in totals) and not any("**3**" in line for line in totals), totals
    assert "of allegations about agency staff (&#91;c&#93;)" in page
    real = disclosure_plan.plan

    def no_totals(*args, **kwargs):
        out = real(*args, **kwargs)
        out.totals.clear()
        return out

    monkeypatch.setattr(disclosure_plan, "plan", no_totals)
    found = failures(publish(leaky))
    assert any("Allegation outcome table 2" in f and "total as printed" in f for f in found), found


# --- leak 4: differencing (shares minus rows; linked tables) ----------------------------------------

def test_without_growth_a_share_minus_its_published_rows_recovers_hidden_rows(dataset, monkeypatch):
    monkeypatch.setattr(disclosure_plan, "_grow", lambda *a: None)
    found = failures(publish(dataset))
    assert any("metric sector" in f for f in found), found


def test_mutant_without_secondary_suppression_fails_the_audit(dataset, monkeypatch):
    monkeypatch.setattr(suppression, "secondary", lambda counts, hidden: set(hidden))
    monkeypatch.setattr(disclosure_plan, "_grow", lambda *a: None)
    found = failures(publish(dataset))
    assert any("'Malicious'" in f for f in found), found
    with pytest.raises(DisclosureError):
        check(publish(dataset).audit)


def test_mutant_that_skips_linked_tables_fails_the_audit(dataset, monkeypatch):
    real = disclosure_plan.system_for

    def unlinked(ret, authority, disclosure):
        system = real(ret, authority, disclosure)
        system.constraints = [c for c in system.constraints if "within the same category" not in c.source]
        system.quantities = [q for q in system.quantities if "minus the same" not in q.name]
        return system

    monkeypatch.setattr(disclosure_plan, "system_for", unlinked)
    found = failures(publish(dataset))
    assert any("minus the same in" in f for f in found), found


def test_the_build_stops_and_publishes_nothing(tmp_path, monkeypatch, capsys):
    from ladobench.build import build

    monkeypatch.setattr(disclosure_plan, "_grow", lambda *a: None)
    site, docs = tmp_path / "site", tmp_path / "docs"
    with pytest.raises(DisclosureError) as caught:
        build(paths.AUTHORITIES_DIR, site, docs, quiet=True)
    text = str(caught.value)
    assert "gloucestershire 2022-23" in text and "pinned by" in text and "[disclosure_audit]" in text
    assert not site.exists() and not docs.exists()


# --- 5: year-on-year changes -------------------------------------------------------------------------

def test_a_change_with_a_suppressed_end_fails_the_audit(dataset):
    published = publish(dataset)
    hidden = published.metrics[published.metrics.status.eq("[c]")].iloc[0]
    published.changes.loc[len(published.changes)] = {
        "authority": hidden.authority, "metric": hidden.metric, "period": hidden.period, "previous_period": "2021-22",
        "previous_value": 10.0, "change": 1.0, "trend": None}
    published.__dict__.pop("_records", None)
    assert any("the change from 2021-22" in f for f in audit_published(published).failures)


# --- random small-count returns -----------------------------------------------------------------------

def _random_return(base_ret, outcome_counts, all_counts, met_counts):
    data = copy.deepcopy(base_ret.data)
    outcome = data["breakdowns"]["outcome"][0]
    for r, c in zip(outcome["rows"], outcome_counts):
        r["count"] = c
    outcome["total"] = sum(outcome_counts)
    t0, t1 = data["breakdowns"]["final_outcome"]
    for r, c in zip(t0["rows"], all_counts):
        r["count"] = c
    for r, c, a in zip(t1["rows"], met_counts, all_counts):
        r["count"] = min(c, a)
    t0["total"] = sum(r["count"] for r in t0["rows"])
    t1["total"] = sum(r["count"] for r in t1["rows"])
    data["funnel"]["initial_contacts"] = t0["total"]
    data["funnel"]["met_threshold"] = t1["total"]
    return Return(base_ret.slug, base_ret.period, base_ret.file, data, base_ret.lines)


counts = st.lists(st.integers(0, 12), min_size=18, max_size=18)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(outcome=st.lists(st.integers(0, 9), min_size=8, max_size=8), everyone=counts, met=counts)
def test_random_small_counts_are_never_recoverable(dataset, outcome, everyone, met):
    base = next(r for r in dataset.returns if (r.slug, r.period) == GLOS)
    ret = _random_return(base, outcome, everyone, met)
    authority = dataset.authorities["gloucestershire"]
    plans = disclosure_plan.plan_all([ret], {"gloucestershire": authority})
    system = disclosure_plan.system_for(ret, authority, plans[GLOS])
    provable.solve([system])
    # the closed form for nested sums gives what the linear programs give
    again = disclosure_plan.system_for(ret, authority, plans[GLOS])
    real, provable._laminar = provable._laminar, lambda *a: None
    try:
        provable.solve([again])
    finally:
        provable._laminar = real
    assert [(q.lo, q.hi) for q in system.quantities] == [(q.lo, q.hi) for q in again.quantities]
    for q in system.quantities:
        assert not (1 <= q.lo and q.hi <= 5), disclosure_plan.describe(q)
        wide = q.hi - q.lo >= disclosure_plan.interval() or math.isinf(q.hi)
        assert wide or (q.lo <= 0 and q.hi >= q.cap), disclosure_plan.describe(q)


def test_the_file_scan_finds_a_revealing_note_even_when_nothing_was_redacted(dataset, monkeypatch):
    """With the redaction step gone altogether (so no record of it), returns.json is scanned with every [c] cell."""
    monkeypatch.setattr(published_module, "redact", lambda data, plans: (data, []))
    published = publish(with_return(dataset, GLOS, _note))
    files = downloads.generate(published)
    audit_files(published, files, published.audit)
    found = published.audit.failures
    assert any("notes.funnel.concluded" in f and "Malicious = 4" in f for f in found), found
    assert any("'FALSE' = 17" in f or "FALSE = 17" in f for f in found), found  # a secondary cell, which validate cannot know
