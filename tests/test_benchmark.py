"""The build benchmark, at a tiny size, so that it cannot rot (full-size figures: benchmarks/RESULTS.md)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "benchmarks" / "build_site.py"
KEYS = {"authorities", "years", "returns", "pages", "build_s", "reference_s", "ratio", "mkdocs_s", "markup_ratio",
        "peak_rss_mb", "validate_s", "metrics_s", "pages_s", "downloads_s", "write_s", "build_mkdocs_s", "own_s",
        "authority_page_max_kb", "authority_page_median_kb", "rebuild_written", "search_index_mb"}


@pytest.fixture(scope="module")
def run():
    env = {**os.environ, "CI": "1"}  # quiet build progress, as in CI
    done = subprocess.run([sys.executable, str(SCRIPT), "--authorities", "2", "--years", "2", "--seed", "3"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


@pytest.mark.slow
def test_prints_a_table_then_one_json_line(run):
    lines = run.stdout.strip().splitlines()
    result = json.loads(lines[-1])
    assert KEYS <= set(result)
    assert (result["authorities"], result["years"], result["returns"]) == (2, 2, 4)
    assert result["pages"] > 50 and result["authority_pages"] == 2
    # The ratios are taken against the reference built in the same run.
    assert result["ratio"] == pytest.approx(result["build_s"] / result["reference_s"], rel=1e-3)
    assert result["markup_ratio"] == pytest.approx(result["mkdocs_s"] / result["reference_s"], rel=1e-3)
    assert 0 < result["validate_s"] < result["build_s"] and result["reference_s"] > 0
    assert result["own_s"] == pytest.approx(result["build_s"] - result["build_mkdocs_s"], abs=2e-4)
    assert result["pages_s"] > 0 and result["downloads_s"] > 0
    assert result["peak_rss_mb"] > 50  # the build's own process, mkdocs included
    assert result["authority_page_max_kb"] >= result["authority_page_median_kb"] > 0
    # An unchanged rebuild rewrites no generated page.
    assert result["rebuild_written"] == 0
    assert any(line.startswith("build ÷ reference") for line in lines[:-1])


@pytest.mark.slow
def test_leaves_the_repository_alone(run):
    # Everything is built in a temporary folder: no synthetic figures show up in the repository.
    for page in list((REPO / "site_src" / "authorities").glob("*.md")) + list((REPO / "authorities").rglob("*.yaml")):
        assert "benchmarks.synth" not in page.read_text(encoding="utf-8"), page


def test_medians_of_runs_take_figures_only_some_runs_have():
    from benchmarks.build_site import combine

    runs = [{"build_s": 10.0, "reference_s": 2.0, "ratio": 5.0, "mkdocs_s": 4.0, "markup_ratio": 2.0,
             "rebuild_written": 0, "rebuild_rewrote": []},  # only the first run rebuilds
            {"build_s": 12.0, "reference_s": 2.0, "ratio": 6.0, "mkdocs_s": 5.0, "markup_ratio": 2.5},
            {"build_s": 9.0, "reference_s": 3.0, "ratio": 3.0, "mkdocs_s": 3.0, "markup_ratio": 1.0}]
    out = combine(runs)
    assert out["build_s"] == 10.0 and out["ratio"] == 5.0 and out["markup_ratio"] == 2.0  # medians within runs
    assert out["rebuild_written"] == 0
