"""The committed returns, read through validate(): the figures users care about are the ones printed."""
from __future__ import annotations

import re

import pytest
from validation_support import AUTHORITIES, copy_authorities, run_cli, snapshot

from ladobench.cli import main
from ladobench.returns.validate import validate

KENT = "authorities/kent/2023-24.yaml"
GLOS = "authorities/gloucestershire/2022-23.yaml"


@pytest.fixture(scope="module")
def dataset():
    return validate(AUTHORITIES)


def the_return(dataset, file):
    return next(r for r in dataset.returns if r.file == file)


def table(ret, dimension, base):
    return next(t for t in ret.tables(dimension) if t["base"] == base)


def row_sum(t):
    return sum(r["count"] for r in t["rows"])


def row(t, label):
    return next(r for r in t["rows"] if r["label"] == label)


def test_committed_returns_are_valid(dataset):
    assert dataset.errors == []
    assert dataset.warnings == []
    assert sorted(r.file for r in dataset.returns) == [GLOS, "authorities/kent/2022-23.yaml", KENT]
    assert sorted(dataset.authorities) == ["gloucestershire", "kent"]


def test_cli_validate_exits_0_with_one_summary_line_per_return():
    done = run_cli(AUTHORITIES)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    summaries = [line for line in lines if ": valid — " in line]
    assert sorted(s.split(":")[0] for s in summaries) == [GLOS, "authorities/kent/2022-23.yaml", KENT]
    assert lines[-1] == "3 returns from 2 authorities: 0 errors, 0 warnings."
    kent = next(s for s in summaries if s.startswith(KENT))
    assert "1,330 contacts, 1,458 referrals, 782 met threshold, 575 concluded" in kent
    glos = next(s for s in summaries if s.startswith(GLOS))
    assert "968 contacts, [x] referrals, 579 met threshold, 401 concluded" in glos
    assert "1 declared discrepancy applied" in glos and "1 declared discrepancy applied" in kent


def test_cli_validate_one_return(capsys):
    assert main(["--root", str(AUTHORITIES), "validate", str(AUTHORITIES / "gloucestershire" / "2022-23.yaml")]) == 0
    out = capsys.readouterr().out
    assert out.count(": valid — ") == 1 and out.startswith(GLOS)


# --- Kent 2023-24 ----------------------------------------------------------------------------

def test_kent_funnel(dataset):
    ret = the_return(dataset, KENT)
    assert (ret.slug, ret.period) == ("kent", "2023-24")
    assert ret.get("funnel.referrals") == 1458
    assert ret.get("funnel.met_threshold") == 782
    assert ret.get("funnel.concluded") == 575
    assert ret.get("funnel.initial_contacts") == 1330
    assert ret.get("funnel.below_threshold") == 505
    assert ret.get("funnel.contacts_to_referral") == 275
    assert ret.get("funnel.ongoing_at_year_end") == "[x]"
    assert ret.get("funnel.contacts_include_referrals") is False
    assert ret.get("staffing.lado_fte") == 5.8


def test_kent_substantiated(dataset):
    outcome = table(the_return(dataset, KENT), "outcome", "concluded")
    assert row(outcome, "Substantiated") == {"label": "Substantiated", "count": 180, "percent": 31}


@pytest.mark.parametrize("dimension,rows", [("child_sex", 3), ("child_ethnicity", 5), ("child_social_care", 5)])
def test_kent_children_tables_sum_to_linked_children(dataset, dimension, rows):
    ret = the_return(dataset, KENT)
    assert ret.get("children.linked_children") == 1365
    t = table(ret, dimension, "linked_children")
    assert len(t["rows"]) == rows
    assert t.get("complete", True) is True
    assert row_sum(t) == 1365


def test_kent_wider_workforce_discrepancy_is_a_footnote_not_an_error(dataset):
    ret = the_return(dataset, KENT)
    subset = ret.tables("sector")[1]
    assert (subset["base"], subset["total"], row_sum(subset)) == ("subset", 242, 247)
    assert [(rule, path) for rule, path, *_ in ret.covered] == [("breakdown_total", "breakdowns.sector[1]")]
    assert "247" in ret.covered[0][2] and "242" in ret.covered[0][3]
    assert not [p for p in dataset.problems if p.file == KENT]


# --- Gloucestershire 2022-23 -----------------------------------------------------------------

def test_gloucestershire_funnel(dataset):
    ret = the_return(dataset, GLOS)
    assert ret.get("funnel.initial_contacts") == 968
    assert ret.get("funnel.met_threshold") == 579
    assert ret.get("funnel.below_threshold") == 341
    assert ret.get("funnel.concluded") == 401
    assert ret.get("funnel.ongoing_at_year_end") == 196
    assert ret.get("funnel.referrals") == "[x]"
    assert ret.get("funnel.contacts_include_referrals") is True
    assert ret.get("timeliness.decision_within_1_working_day") == 90


def test_gloucestershire_substantiated(dataset):
    outcome = table(the_return(dataset, GLOS), "outcome", "initial_contacts")
    assert row(outcome, "Substantiated/Founded")["count"] == 155
    assert row_sum(outcome) == 968
    kcsie = ["Substantiated/Founded", "Unsubstantiated", "Unfounded", "FALSE", "Malicious"]
    assert sum(row(outcome, label)["count"] for label in kcsie) == 401  # = funnel.concluded


@pytest.mark.parametrize("dimension,rows", [("referral_source", 29), ("sector", 26), ("harm_category", 6)])
def test_gloucestershire_contact_tables_sum_to_968(dataset, dimension, rows):
    t = table(the_return(dataset, GLOS), dimension, "initial_contacts")
    assert (len(t["rows"]), t["total"], row_sum(t)) == (rows, 968, 968)
    assert len({r["label"] for r in t["rows"]}) == rows


def test_gloucestershire_secondary_outcomes(dataset):
    ret = the_return(dataset, GLOS)
    contacts, met = ret.tables("final_outcome")
    assert (contacts["base"], contacts["total"], row_sum(contacts)) == ("initial_contacts", 968, 968)
    assert (met["base"], met["total"], row_sum(met)) == ("met_threshold", 579, 579)
    assert len(contacts["rows"]) == len(met["rows"]) == 18


def test_gloucestershire_579_or_597_is_declared_not_an_error(dataset):
    ret = the_return(dataset, GLOS)
    assert ret.covered, "the declared discrepancy should have explained a breach"
    assert [rule for rule, *_ in ret.covered] == ["stage_nesting"]
    rule, path, found, note = ret.covered[0]
    assert path == "funnel.concluded" and "597" in found and "579" in note
    assert not [p for p in dataset.problems if p.file == GLOS]


def test_gloucestershire_without_the_declaration_is_an_error(tmp_path, capsys):
    root = copy_authorities(tmp_path)
    path = root / "gloucestershire" / "2022-23.yaml"
    path.write_text(path.read_text().replace("    rules: [stage_nesting]\n", ""))
    assert main(["--root", str(root), "validate"]) == 1
    err = capsys.readouterr().err
    assert f"{GLOS}:17 funnel.concluded: found concluded + ongoing = 597" in err
    assert err.rstrip().endswith("[stage_nesting]")


# --- a negative count anywhere in Kent's return is caught and located -------------------------

NEGATIVE = [  # (field path, the line as written, the same line made negative)
    ("funnel.referrals", "  referrals: 1458", "  referrals: -1458"),
    ("funnel.initial_contacts", "  initial_contacts: 1330", "  initial_contacts: -1330"),
    ("funnel.concluded", "  concluded: 575", "  concluded: -575"),
    ("funnel.contacts_to_referral", "  contacts_to_referral: 275", "  contacts_to_referral: -275"),
    ("children.linked_children", "  linked_children: 1365", "  linked_children: -1"),
    ("breakdowns.outcome[0].rows[0].count", "{label: Substantiated, count: 180,", "{label: Substantiated, count: -180,"),
    ("breakdowns.child_sex[0].rows[1].count", "{label: Female, count: 549}", "{label: Female, count: -549}"),
    ("breakdowns.sector[1].total", "      total: 242", "      total: -242"),
    ("breakdowns.sector[1].rows[6].count", "{label: Residential Children's Homes, count: 130}",
     "{label: Residential Children's Homes, count: -130}"),
]


def _break_kent(tmp_path, old, new):
    root = copy_authorities(tmp_path)
    path = root / "kent" / "2023-24.yaml"
    text = path.read_text()
    assert text.count(old) == 1
    line = text[:text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new))
    return root, line


@pytest.mark.parametrize("field,old,new", NEGATIVE, ids=[n[0] for n in NEGATIVE])
def test_negative_count_in_kent_is_located(tmp_path, capsys, field, old, new):
    root, line = _break_kent(tmp_path, old, new)
    assert main(["--root", str(root), "validate"]) == 1
    out, err = capsys.readouterr()
    messages = [m for m in err.splitlines() if m]
    assert messages == [messages[0]], "exactly one message, no cascade"
    assert messages[0].startswith(f"error: {KENT}:{line} {field}: found -")
    assert messages[0].endswith("[negative_count]")
    assert "2023-24.yaml" in messages[0] and "expected" in messages[0]
    assert "Traceback" not in out + err
    assert KENT not in out  # no "valid" summary for the broken return
    assert "authorities/gloucestershire/2022-23.yaml: valid" in out


@pytest.mark.parametrize("field,old,new", [NEGATIVE[0], NEGATIVE[6]], ids=[NEGATIVE[0][0], NEGATIVE[6][0]])
def test_negative_count_through_the_command_line(tmp_path, field, old, new):
    root, line = _break_kent(tmp_path, old, new)
    done = run_cli(root)
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    assert re.search(rf"^error: {re.escape(KENT)}:{line} {re.escape(field)}: found -[\d,]+ — expected .*\[negative_count\]$",
                     done.stderr, re.M), done.stderr
    assert done.stdout.splitlines()[-1].endswith("1 errors, 0 warnings.")


# --- validation only reads ------------------------------------------------------------------

def test_validation_never_rewrites_a_return(tmp_path):
    before = snapshot(AUTHORITIES)
    validate(AUTHORITIES)
    assert run_cli(AUTHORITIES).returncode == 0
    assert snapshot(AUTHORITIES) == before
    root, _ = _break_kent(tmp_path, "  referrals: 1458", "  referrals: -1458")
    broken = snapshot(root)
    assert run_cli(root).returncode == 1
    validate(root)
    assert snapshot(root) == broken
