"""The methodology's numbers live in schema/methodology.yaml: the computation and the methodology page both follow it.

A copy of schema/ with every number changed is read by a fresh process (the package reads its schema once, at
import); the demo returns are then validated, published and the methodology page rendered, and each change shows
in what is computed and in what the page says.
"""
from __future__ import annotations

import inspect
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ladobench.core.schema import load_schema
from ladobench.returns.validate import validate
from ladobench.site.pages import render
from ladobench.site.reference_docs import generate
from ladobench.stats.published import publish

REPO = Path(__file__).resolve().parent.parent

PROBE = r"""
import json, sys
from pathlib import Path
import ladobench.core.paths as paths
paths.SCHEMA_DIR = Path(sys.argv[1])  # before anything reads the schema
from ladobench.returns.validate import validate
from ladobench.site.pages import render
from ladobench.site.reference_docs import generate
from ladobench.stats.intervals import poisson_rate
from ladobench.stats.published import publish

dataset = validate(Path(sys.argv[2]))
published = publish(dataset)
print(json.dumps(probe(dataset, published, generate(render)["methodology.md"], poisson_rate)))
"""


def probe(dataset, published, page: str, poisson_rate) -> dict:
    """What the numbers decide, in the demo returns (this function is also run in the other process)."""
    cmp, chg = published.comparisons, published.changes
    # 7 events: the exact Poisson interval under a threshold of 10, Byar's approximation under one of 5.
    return {
        "jumps": sorted(p.path for p in dataset.problems if p.rule == "year_on_year_jump" and "kent" in p.file),
        "ranked": int(cmp["rank"].notna().sum()),
        "trends": int(chg["trend"].notna().sum()),
        "trend_directions": sorted(set(chg["trend"].dropna())),
        "interval_7": [round(float(x), 6) for x in poisson_rate(7, 10_000, 1.959963984540054)],
        "page": " ".join(page.split()),
    }


@pytest.fixture(scope="module")
def returns(tmp_path_factory) -> Path:
    """The demo returns, less Kent's notes on its referrals and concluded figures (noted stages are not checked year on
    year) and its break in series."""
    root = tmp_path_factory.mktemp("data") / "authorities"
    shutil.copytree(REPO / "authorities", root, ignore=shutil.ignore_patterns("*.xlsx"))
    kent = root / "kent" / "2023-24.yaml"
    data = yaml.safe_load(kent.read_text(encoding="utf-8"))
    for key in ("funnel.referrals", "funnel.concluded"):
        del data["notes"][key]
    del data["counting"]["series_break"]  # (a trend is never computed across Kent's declared break)
    kent.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return root


def _run(schema_dir: Path, returns: Path) -> dict:
    code = inspect.getsource(probe) + PROBE
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", code, str(schema_dir), str(returns)],
                         capture_output=True, text=True, env=env, cwd=REPO, timeout=300)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def changed(tmp_path_factory, returns) -> dict:
    schema = tmp_path_factory.mktemp("schema")
    shutil.copytree(REPO / "schema", schema, dirs_exist_ok=True)
    path = schema / "methodology.yaml"
    m = yaml.safe_load(path.read_text(encoding="utf-8"))
    m["ranking"]["min_areas"] = 1  # Kent and Gloucestershire, both in England in 2022-23, each have 1 other: then ranked
    m["trend"].update(min_points=2, recent_points=4, alpha=0.9)  # two years are then a trend, and few are "no change"
    # Kent's referrals (1,270 then 1,458) and concluded (388 then 575) moved by more than 5%; only the first is 1,300+.
    m["year_on_year"].update(factor=1.05, min_count=1300)
    m["intervals"]["byar_min_count"] = 5
    path.write_text(yaml.safe_dump(m, sort_keys=False), encoding="utf-8")
    return _run(schema, returns)


@pytest.fixture(scope="module")
def as_shipped(returns) -> dict:
    from ladobench.stats.intervals import poisson_rate

    dataset = validate(returns)
    return probe(dataset, publish(dataset), generate(render)["methodology.md"], poisson_rate)


def test_the_shipped_numbers_are_what_the_page_says(as_shipped):
    page = as_shipped["page"]
    m = load_schema().methodology
    assert (m.min_areas_to_rank, m.trend_min_points, m.trend_recent_points, m.trend_alpha) == (5, 3, 5, 0.05)
    assert (m.jump_factor, m.jump_min_count, m.byar_min_count) == (2.0, 20, 10)
    assert "only when there are at least 5 others besides the authority" in page
    assert "with three or more such years" in page and "over up to the last five years" in page and "(p < 0.05)" in page
    assert "more than doubled or fallen by more than half since last year's return is a warning" in page
    assert "unless it is under 20 in both years" in page
    assert "exact Poisson (chi-squared) under 10 events" in page
    assert "Intervals are given at 95% (z = 1.96) and 99.8% (z = 3.09)." in page
    assert "otherwise *higher* or *lower*, at 95% and 99.8%" in page and "the lines are the 95% and 99.8% control limits" in page
    # The demo: two authorities, at most two years each: nothing ranked, no trend, Kent's stages within double.
    assert as_shipped["ranked"] == 0 and as_shipped["trends"] == 0 and as_shipped["jumps"] == []


def test_changed_numbers_change_the_computation(changed, as_shipped):
    assert changed["ranked"] > 0  # Kent and Gloucestershire ranked against England in 2022-23
    assert changed["trends"] > 0 and set(changed["trend_directions"]) & {"increasing", "decreasing"}
    assert changed["jumps"] == ["funnel.referrals"]
    assert changed["interval_7"] != as_shipped["interval_7"]  # Byar's from 5 events on, not from 10


def test_changed_numbers_change_the_methodology_page(changed):
    page = changed["page"]
    assert "only when there are at least 1 others besides the authority" in page
    assert "with two or more such years" in page and "over up to the last four years" in page and "(p < 0.9)" in page
    assert ("grown to more than 1.05 times or fallen to less than 1/1.05 of its size since last year's return is a "
            "warning, unless it is under 1,300 in both years") in page
    assert "exact Poisson (chi-squared) under 5 events" in page
    assert "5 authorities" not in page and "p < 0.05" not in page


def test_a_z_that_is_not_its_level_is_refused(tmp_path):
    shutil.copytree(REPO / "schema", tmp_path / "schema")
    path = tmp_path / "schema" / "methodology.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("z: 3.090232306167813", "z: 2.576"), encoding="utf-8")
    with pytest.raises(ValueError, match="not the two-sided critical value for 99.8%"):
        load_schema(tmp_path / "schema")


@pytest.mark.parametrize("edit", [("alpha: 0.05", "alpha: 5"), ("min_points: 3", "min_points: 9"), ("factor: 2.0", "factor: 0.5"),
                                  ('level: "99.8"', 'level: "99"')])
def test_a_number_out_of_its_range_is_refused(tmp_path, edit):
    shutil.copytree(REPO / "schema", tmp_path / "schema")
    path = tmp_path / "schema" / "methodology.yaml"
    text = path.read_text(encoding="utf-8")
    assert edit[0] in text
    path.write_text(text.replace(*edit), encoding="utf-8")
    with pytest.raises(ValueError, match="schema/methodology.yaml"):
        load_schema(tmp_path / "schema")
