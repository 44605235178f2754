"""The synthetic-return generator: valid, deterministic, realistic, and never in authorities/."""
from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from benchmarks import synth
from ladobench.core import paths
from ladobench.core.reference import load_reference
from ladobench.returns.validate import validate


@pytest.fixture(scope="module")
def everyone(tmp_path_factory):
    """All 153 authorities for 3 years: every style, small counts, gaps and discrepancies."""
    root = synth.generate(tmp_path_factory.mktemp("synth-all"), authorities=153, years=3, seed=11)
    return root, validate(root)


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_every_generated_return_validates(everyone):
    root, dataset = everyone
    assert [p.format() for p in dataset.errors] == []
    assert [p.format() for p in dataset.warnings] == []
    assert len(dataset.returns) == 153 * 3
    assert sorted(dataset.authorities) == sorted(load_reference().index)
    assert [r.period for r in dataset.returns if r.slug == "kent"] == ["2022-23", "2023-24", "2024-25"]
    assert len(dataset.groups) >= 2


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_small_draws_validate_and_keep_the_recognisable_authorities(tmp_path, seed):
    root = synth.generate(tmp_path, authorities=6, years=2, seed=seed)
    dataset = validate(root)
    assert dataset.errors == [] and dataset.warnings == []
    slugs = sorted(dataset.authorities)
    assert len(slugs) == 6 and {"kent", "gloucestershire", "city-of-london", "isles-of-scilly"} <= set(slugs)
    assert sorted(synth.choose(2, seed)) == ["gloucestershire", "kent"]


def test_deterministic_for_a_seed(tmp_path):
    a = _files(synth.generate(tmp_path / "a", authorities=12, years=3, seed=5))
    b = _files(synth.generate(tmp_path / "b", authorities=12, years=3, seed=5))
    c = _files(synth.generate(tmp_path / "c", authorities=12, years=3, seed=6))
    assert a == b
    assert a != c
    # An authority's figures depend on the seed and its slug, not on how many others are drawn.
    d = _files(synth.generate(tmp_path / "d", authorities=40, years=3, seed=5))
    assert d["kent/2024-25.yaml"] == a["kent/2024-25.yaml"]


def test_regenerating_replaces_the_previous_draw(tmp_path):
    synth.generate(tmp_path, authorities=20, years=2, seed=1)
    root = synth.generate(tmp_path, authorities=3, years=1, seed=1)
    assert sorted(p.name for p in root.iterdir() if p.is_dir()) == sorted(synth.choose(3, 1))


def test_never_writes_into_authorities(tmp_path):
    before = {p: p.stat().st_mtime_ns for p in paths.AUTHORITIES_DIR.rglob("*")}
    for target in (paths.ROOT, paths.AUTHORITIES_DIR, paths.AUTHORITIES_DIR / "kent", paths.AUTHORITIES_DIR.parent / "authorities/"):
        with pytest.raises(ValueError):
            synth.generate(target, authorities=2, years=1)
    done = subprocess.run([sys.executable, "-m", "benchmarks.synth", "--out", str(paths.ROOT), "--authorities", "2",
                           "--years", "1"], cwd=paths.ROOT, capture_output=True, text=True)
    assert done.returncode == 2 and "refusing" in done.stderr
    # A folder of someone else's files is not wiped either.
    other = tmp_path / "mine"
    (other / "authorities" / "kent").mkdir(parents=True)
    (other / "authorities" / "kent" / "2023-24.yaml").write_text("source: {}\n")
    with pytest.raises(ValueError):
        synth.generate(other, authorities=2, years=1)
    assert (other / "authorities" / "kent" / "2023-24.yaml").read_text() == "source: {}\n"
    synth.generate(tmp_path / "fine", authorities=2, years=1)
    assert {p: p.stat().st_mtime_ns for p in paths.AUTHORITIES_DIR.rglob("*")} == before


def test_command_line(tmp_path):
    done = subprocess.run([sys.executable, "-m", "benchmarks.synth", "--out", str(tmp_path), "--authorities", "3",
                           "--years", "2", "--seed", "4"], cwd=paths.ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert len(list((tmp_path / "authorities").glob("*/*.yaml"))) == 3 * 3
    assert (tmp_path / "authorities" / "groups.yaml").exists()


def test_volumes_and_mixes_are_realistic(everyone):
    root, dataset = everyone
    ref = load_reference()
    latest = [r for r in dataset.returns if r.period == "2024-25"]
    rates = [r.number("funnel.referrals") / ref.loc[r.slug, "population_0_17"] * 10_000
             for r in latest if r.number("funnel.referrals") is not None]
    assert 34 <= statistics.median(rates) <= 48  # about 41 per 10,000 children
    assert min(rates) < 30 < 55 < max(rates)  # authorities differ
    conversion = [r.number("funnel.met_threshold") / r.number("funnel.referrals") for r in latest
                  if r.number("funnel.met_threshold") and r.number("funnel.referrals") and r.number("funnel.referrals") >= 50]
    assert 0.5 <= statistics.median(conversion) <= 0.62
    kent = next(r for r in latest if r.slug == "kent")
    assert 1000 <= kent.number("funnel.referrals") <= 2000  # 1,458 in the real 2023-24 report
    for small in ("isles-of-scilly", "city-of-london"):
        assert all((r.number("funnel.initial_contacts") or 0) <= 20 for r in dataset.returns if r.slug == small)


def test_the_awkward_cases_are_all_there(everyone):
    root, dataset = everyone
    returns = dataset.returns
    assert sum(1 for r in returns if r.data.get("discrepancies")) >= 10
    assert sum(1 for r in returns if r.covered) >= 10  # discrepancies that explain a real breach of a rule
    assert sum(1 for r in returns if "narrative" in r.data) >= 20
    assert sum(1 for r in returns if "timeliness" not in r.data) >= 10
    assert sum(1 for r in returns if "staffing" not in r.data) >= 10
    assert sum(1 for r in returns if "[x]" in str(r.data["funnel"])) >= 50
    assert sum(1 for r in returns if "'[c]'" in str(r.data.get("breakdowns"))) >= 3
    terms = {a.stage_term("initial_contacts").get("term") for a in dataset.authorities.values()}
    assert {"Enquiries", "Contacts and referrals"} <= terms and len(terms) >= 4


def test_files_are_plain_yaml_marked_synthetic(everyone):
    root, _ = everyone
    text = (root / "kent" / "2024-25.yaml").read_text(encoding="utf-8")
    assert text.startswith("# Synthetic") and "not real data" in text
    events = list(yaml.parse(text))
    assert not any(isinstance(e, yaml.AliasEvent) or getattr(e, "anchor", None) for e in events)
    data = yaml.safe_load(text)
    assert "synthetic" in data["source"]["title"] and "not real data" in data["source"]["note"]
    identity = yaml.safe_load((root / "kent" / "authority.yaml").read_text(encoding="utf-8"))
    row = load_reference().loc["kent"]
    assert (identity["name"], identity["ons_code"], identity["dfe_number"], identity["region"]) == \
        (row["name"], row["ons_code"], int(row["dfe_number"]), row["region_code"])
