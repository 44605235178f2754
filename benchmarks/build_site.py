#!/usr/bin/env python3
"""Build the site from synthetic returns and measure it against a fixed reference built in the same run.

    python benchmarks/build_site.py --authorities 153 --years 5 [--seed 0] [--runs 3]

One run, all inside a temporary folder (never the repository's site/, site_src/ or authorities/):

1. the reference: as many plain pages as the build makes (about 2.5 KB of prose each, no tables or
   charts), built by `mkdocs build` with the project's mkdocs.yml (same theme, same plugins) in a
   fresh process: what any site of that many pages costs;
2. the build, `build.py build` as a user runs it, in a fresh process, timed as a whole, with its
   stage timings and its peak memory (the build runs in one process, mkdocs included);
3. a bare `mkdocs build` of the markdown our build wrote, in a fresh process: what our markup costs
   mkdocs;
4. a rebuild with unchanged input, counting the generated files it rewrote (should be none).

The ratios that count are taken inside each run, so a machine that is slower for a while slows both
sides: build ÷ reference (goal ≤ 4) and bare mkdocs of our pages ÷ reference.

It prints a table and, as its last line, one JSON object (keys in the README beside this file).
With --runs N the returns are generated once and each run repeats 1-3; the JSON gives medians
(memory: the largest).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

ROWS = [  # (key, label, unit)
    ("reference_s", "reference: mkdocs build of as many plain pages", "s"),
    ("build_s", "whole build (build.py build, own process)", "s"),
    ("ratio", "build ÷ reference (goal ≤ 4)", ""),
    ("mkdocs_s", "bare mkdocs build of our pages", "s"),
    ("markup_ratio", "bare mkdocs of our pages ÷ reference", ""),
    ("imports_s", "  imports and start", "s"),
    ("validate_s", "  validate", "s"), ("metrics_s", "  metrics and comparisons", "s"),
    ("pages_s", "  pages and charts", "s"), ("downloads_s", "  downloads", "s"),
    ("write_s", "  writing the docs folder", "s"), ("build_mkdocs_s", "  mkdocs build inside the build", "s"),
    ("own_s", "our stages (build - its mkdocs)", "s"),
    ("peak_rss_mb", "peak memory of the build (one process)", "MB"),
    ("rebuild_s", "rebuild, unchanged input", "s"), ("rebuild_written", "generated files rewritten by the rebuild", ""),
    ("pages", "HTML pages", ""), ("generated_files", "generated markdown and data files", ""),
    ("generated_md_mb", "generated markdown", "MB"), ("search_index_mb", "search index", "MB"),
    ("authority_page_max_kb", "largest authority page (HTML)", "KB"),
    ("authority_page_median_kb", "median authority page (HTML)", "KB"),
    ("gen_s", "generate synthetic returns", "s"),
    # --browser: what a reader's browser meets (benchmarks/browser.py), medians of 5 loads at 1280 px
    ("browser_authority_first_chart_s", "largest authority page: first chart painted", "s"),
    ("browser_metric_first_chart_s", "a metric page: first chart painted", "s"),
    ("browser_authority_kb", "largest authority page: bytes loaded", "KB"),
    ("browser_home_kb", "home page (no chart): bytes loaded", "KB"),
    ("browser_authority_px", "largest authority page: length at 1280 px", "px"),
    ("browser_authority_printed_pages", "largest authority page: printed A4 pages", ""),
]

# A paragraph of plain prose, about 500 characters; a reference page is five of them (about 2.5 KB).
PROSE = ("The designated officer oversees allegations against adults who work or volunteer with children. "
         "Each year the service reports how many referrals it received, how many met the threshold for a "
         "strategy discussion, and what the outcomes were once enquiries concluded. The figures are read "
         "beside those of other authorities with care, since services count contacts and referrals in "
         "their own ways and small numbers move a great deal from one year to the next. ")

DRIVER = """
import json, sys
from pathlib import Path
from ladobench.build import build
progress = build(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), quiet=True)
print(json.dumps(progress.timings))
"""


def generate(out: Path, authorities: int, years: int, seed: int) -> tuple[Path, float]:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "benchmarks.synth", "--out", str(out), "--authorities", str(authorities),
                    "--years", str(years), "--seed", str(seed)], check=True, cwd=REPO, stdout=subprocess.DEVNULL)
    return out / "authorities", time.perf_counter() - started


def _timed(cmd: list[str], **kw) -> tuple[float, float, str]:
    """(seconds, peak RSS in MB of the command's process tree's largest process, stdout) of a fresh process."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, **kw)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{cmd[:3]} failed with exit status {proc.returncode}")
    return seconds, usage.ru_maxrss / 1024, out  # Linux: kilobytes


def _mkdocs(docs: Path, site: Path, epoch: int, nav: str | None = None) -> float:
    """`mkdocs build --strict` with the project's mkdocs.yml on another docs folder, as a user runs it."""
    from ladobench.core.paths import MKDOCS_YML

    config = site.parent / f"{site.name}.mkdocs.yml"
    text = f"INHERIT: {json.dumps(str(MKDOCS_YML))}\ndocs_dir: {json.dumps(str(docs))}\n"
    if nav:
        text += f"nav:\n  - Home: {nav}\n"
    config.write_text(text, encoding="utf-8")
    seconds, _, _ = _timed([sys.executable, "-m", "mkdocs", "build", "--quiet", "--strict", "-f", str(config), "-d", str(site)],
                           env={**os.environ, "SOURCE_DATE_EPOCH": str(epoch), "NO_MKDOCS_2_WARNING": "1"})
    return seconds


def reference_pages(docs: Path, count: int, assets: Path) -> None:
    """count plain pages of about 2.5 KB of prose, in folders of 50, with the site's own assets."""
    if docs.exists():
        shutil.rmtree(docs)
    for i in range(count):
        page = docs / ("index.md" if i == 0 else f"part-{i // 50}/page-{i}.md")
        page.parent.mkdir(parents=True, exist_ok=True)
        body = "\n\n".join(f"## Section {j + 1}\n\n{PROSE}" for j in range(5))
        page.write_text(f"# Page {i}\n\n{body}\n", encoding="utf-8")
    shutil.copytree(assets, docs / "assets")


def _snapshot(folder: Path) -> dict[str, int]:
    return {f.relative_to(folder).as_posix(): f.stat().st_mtime_ns for f in folder.rglob("*") if f.is_file()}


def one_run(root: Path, work: Path, rebuild: bool) -> dict:
    from ladobench.site.mkdocs import source_date_epoch

    docs, site = work / "docs", work / "site"
    env = {**os.environ, "CI": "1", "NO_MKDOCS_2_WARNING": "1"}
    build_s, peak_mb, out = _timed([sys.executable, "-c", DRIVER, str(root), str(site), str(docs)], cwd=REPO, env=env)
    t = json.loads(out.strip().splitlines()[-1])
    periods = sorted(p.stem for p in root.glob("*/*.yaml") if p.name != "authority.yaml")
    epoch = source_date_epoch(periods)
    markdown = [f for f in docs.rglob("*.md")]
    reference_pages(work / "reference-docs", len(markdown), docs / "assets")
    reference_s = _mkdocs(work / "reference-docs", work / "reference-site", epoch, nav="index.md")
    mkdocs_s = _mkdocs(docs, work / "bare-site", epoch)
    slugs = sorted(p.name for p in root.iterdir() if p.is_dir())
    sizes = sorted((site / "authorities" / s / "index.html").stat().st_size for s in slugs
                   if (site / "authorities" / s / "index.html").exists())
    search = site / "search" / "search_index.json"
    timed = ("validate", "metrics", "pages", "downloads", "write", "mkdocs")
    result = {
        "build_s": build_s, "reference_s": reference_s, "mkdocs_s": mkdocs_s,
        "ratio": build_s / reference_s, "markup_ratio": mkdocs_s / reference_s,
        **{f"{k}_s": t.get(k, 0.0) for k in ("validate", "metrics", "pages", "downloads", "write")},
        "build_mkdocs_s": t.get("mkdocs", 0.0), "own_s": build_s - t.get("mkdocs", 0.0),
        "imports_s": build_s - sum(t.get(k, 0.0) for k in timed),
        "peak_rss_mb": peak_mb, "pages": sum(1 for _ in site.rglob("*.html")),
        "generated_files": sum(1 for f in docs.rglob("*") if f.is_file()),
        "generated_md_mb": sum(f.stat().st_size for f in markdown) / 2**20,
        "search_index_mb": search.stat().st_size / 2**20 if search.exists() else 0.0,
        "authority_pages": len(sizes),
        "authority_page_max_kb": sizes[-1] / 1024 if sizes else 0.0,
        "authority_page_median_kb": statistics.median(sizes) / 1024 if sizes else 0.0,
        "returns": len(periods), "rebuild_s": None, "rebuild_written": None,
    }
    if rebuild:
        before = _snapshot(docs)
        result["rebuild_s"], _, _ = _timed([sys.executable, "-c", DRIVER, str(root), str(site), str(docs)], cwd=REPO, env=env)
        after = _snapshot(docs)
        changed = sorted({rel for rel, mtime in after.items() if before.get(rel) != mtime} | (set(before) - set(after)))
        result["rebuild_written"] = len(changed)
        result["rebuild_rewrote"] = changed[:10]  # which ones, if any: each one is a bug to find
    return result


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def _fmt(value, unit: str) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and not unit:
        return f"{value:.2f}"
    if isinstance(value, float):
        return f"{value:.2f} {unit}" if unit != "MB" or value < 10 else f"{value:.0f} {unit}"
    return f"{value} {unit}".strip()


def table(result: dict, runs: list[dict]) -> str:
    head = f"{result['authorities']} authorities × {result['years']} years ({result['returns']} returns), " \
           f"seed {result['seed']}, {result['runs']} run{'s' if result['runs'] != 1 else ''}"
    lines = [head, f"{'measure':<46} {'median' if len(runs) > 1 else 'value':>12}   runs"]
    for key, label, unit in ROWS:
        value = result.get(key)
        spread = ", ".join(_fmt(r.get(key), "") for r in runs) if len(runs) > 1 and isinstance(value, float) else ""
        lines.append(f"{label:<46} {_fmt(value, unit):>12}   {spread}")
    return "\n".join(lines)


def combine(runs: list[dict]) -> dict:
    out = {}
    for key in runs[0]:
        values = [r[key] for r in runs if r.get(key) is not None]
        if not values:
            out[key] = None
        elif key in ("peak_rss_mb", "rebuild_written"):
            out[key] = max(values)  # the worst run
        elif isinstance(values[0], list):
            out[key] = sorted(set().union(*values))
        elif isinstance(values[0], (int, float)):
            out[key] = statistics.median(values)
        else:
            out[key] = values[0]
    # On a shared machine the speed drifts between runs: the ratios within each run are the steadier figures.
    out["ratio"] = statistics.median(r["ratio"] for r in runs)
    out["markup_ratio"] = statistics.median(r["markup_ratio"] for r in runs)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--authorities", type=int, default=15)
    ap.add_argument("--years", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--runs", type=int, default=1, help="runs in turn; medians are reported")
    ap.add_argument("--no-rebuild", action="store_true", help="skip the unchanged-input rebuild")
    ap.add_argument("--keep", help="work in this folder and keep it, instead of a temporary one")
    ap.add_argument("--browser", action="store_true",
                    help="also measure the first run's site in chromium: page weight and length, printed pages, first chart")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ladobench-bench-") as tmp:
        work = Path(args.keep).resolve() if args.keep else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        root, gen_s = generate(work / "data", args.authorities, args.years, args.seed)
        runs = []
        for i in range(args.runs):
            runs.append(one_run(root, work / f"run{i}", rebuild=not args.no_rebuild and i == 0))
            print(f"run {i + 1}/{args.runs}: build {runs[-1]['build_s']:.1f}s, reference {runs[-1]['reference_s']:.1f}s, "
                  f"ratio {runs[-1]['ratio']:.2f}", file=sys.stderr, flush=True)
            shutil.rmtree(work / f"run{i}" / "reference-docs", ignore_errors=True)
            if args.browser and i == 0:
                from benchmarks.browser import measure

                runs[-1].update(measure(work / "run0" / "site"))
        result = combine(runs)
        result.update(authorities=args.authorities, years=args.years, seed=args.seed, runs=len(runs), gen_s=gen_s,
                      machine=machine(), own_peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        print(table(result, runs))
        keys = ["authorities", "years", "returns", "pages", "build_s", "reference_s", "ratio", "mkdocs_s", "markup_ratio",
                "peak_rss_mb"]
        ordered = {k: result[k] for k in keys} | {k: v for k, v in result.items() if k not in keys}
        print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in ordered.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
