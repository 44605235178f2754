"""Property tests over generated returns: intervals, complete shares and disclosure control."""
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ladobench.core.model import Authority, Return
from ladobench.core.schema import load_schema
from ladobench.stats.metrics import compute
from ladobench.stats.suppression import apply_to_metrics, contributing_rows, metric_groups, plan

SECTOR_CODES = [c.code for c in load_schema().dimensions["sector"].codes]


@st.composite
def returns(draw):
    """A Kent-shaped return whose sector table (protected) and outcome table are complete."""
    n = draw(st.integers(2, 9))
    codes = draw(st.lists(st.sampled_from(SECTOR_CODES), min_size=n, max_size=n))
    counts = draw(st.lists(st.integers(0, 400) | st.integers(0, 7), min_size=n, max_size=n))
    labels = [f"Local {i}" for i in range(n)]
    outcomes = draw(st.lists(st.integers(0, 60) | st.integers(0, 6), min_size=5, max_size=5))
    concluded = sum(outcomes)
    referrals = max(sum(counts), 1)
    met = draw(st.integers(concluded, max(concluded, referrals)))
    crosswalk = {
        "sector": [{"local": label, "code": code} for label, code in zip(labels, codes)],
        "outcome": [{"local": c, "code": c} for c in ("substantiated", "unsubstantiated", "unfounded", "false", "malicious")],
    }
    data = {
        "funnel": {"initial_contacts": referrals, "referrals": referrals, "below_threshold": 0, "met_threshold": met,
                   "concluded": concluded, "ongoing_at_year_end": 0, "contacts_include_referrals": True},
        "breakdowns": {
            "sector": [{"base": "referrals", "rows": [{"label": lab, "count": c} for lab, c in zip(labels, counts)]}],
            "outcome": [{"base": "concluded", "rows": [{"label": c, "count": k} for c, k in
                                                        zip(("substantiated", "unsubstantiated", "unfounded", "false", "malicious"), outcomes)]}],
        },
    }
    if sum(counts) != referrals:  # all-zero table: the base must still match
        data["breakdowns"]["sector"][0]["rows"][0]["count"] = referrals
    authority = Authority("kent", "kent/authority.yaml", {"name": "Kent", "crosswalk": crosswalk})
    return Return("kent", "2023-24", "kent/2023-24.yaml", data), authority


FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(returns())
def test_every_interval_contains_its_point_estimate(case):
    ret, authority = case
    frame = compute([ret], {"kent": authority})
    with_ci = frame[frame.lower95.notna()]
    assert ((with_ci.lower95 <= with_ci.value + 1e-9) & (with_ci.value <= with_ci.upper95 + 1e-9)).all()
    assert ((with_ci.lower998 <= with_ci.lower95 + 1e-9) & (with_ci.upper95 <= with_ci.upper998 + 1e-9)).all()


@FAST
@given(returns())
def test_shares_of_a_complete_breakdown_sum_to_100(case):
    ret, authority = case
    frame = compute([ret], {"kent": authority})
    sector = frame[(frame.family == "sector_mix") & frame.status.eq("")]
    assert math.isclose(sector.value.sum(), 100.0, abs_tol=1e-6)
    outcomes = frame[frame.metric.isin(["substantiation_rate"]) | (frame.family == "outcome_share")]
    if ret.data["funnel"]["concluded"]:
        assert math.isclose(outcomes.value.sum(), 100.0, abs_tol=1e-6)


@FAST
@given(returns())
def test_suppression_never_leaves_a_cell_recoverable(case):
    ret, authority = case
    disclosure = plan(ret, authority)
    for dim in ("sector", "outcome"):
        rows = ret.data["breakdowns"][dim][0]["rows"]
        hidden = [i for i in range(len(rows)) if disclosure.row(dim, 0, i)]
        # Every count of 1 to 5 is hidden ...
        assert all(i in hidden for i, r in enumerate(rows) if 1 <= r["count"] <= 5)
        # ... and never alone: the published total would give it away.
        assert len(hidden) != 1
    published = apply_to_metrics(compute([ret], {"kent": authority}), {("kent", "2023-24"): disclosure})
    for dim, _, codes in metric_groups():
        if dim not in ("sector", "outcome"):
            continue
        present = [c for c in codes if c in {e.codes[0].split(".")[0] for e in authority.crosswalk(dim).values()}]
        hidden_codes = [c for c in present if (dim, c) in disclosure.codes]
        assert len(hidden_codes) != 1, (dim, hidden_codes)
        for code in present:
            if (dim, code) in disclosure.codes:
                continue
            # A published share reveals the sum of its hidden rows: never a single one.
            rows = contributing_rows(ret, authority, dim, 0, code)
            assert sum(disclosure.row(dim, 0, r) for r in rows) != 1
    shown = published[published.status.eq("[c]")]
    assert shown.value.isna().all() and shown.numerator.isna().all()
