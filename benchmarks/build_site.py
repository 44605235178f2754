#!/usr/bin/env python3
"""Build the site from synthetic returns and measure every stage against a bare mkdocs build.

    python benchmarks/build_site.py --authorities 153 --years 5 [--seed 0] [--runs 3]

One run, all inside a temporary folder (never the repository's site/, site_src/ or authorities/):

1. benchmarks.synth writes the returns (in a child process, so its memory is not counted);
2. ladobench.build.build() validates and computes metrics, then runs `mkdocs build` while a second
   process renders the pages and charts and writes them and the downloads, each stage timed by its
   Progress (the second process's times come back with its result);
3. a bare `mkdocs build` with the same mkdocs.yml on the same generated markdown, into another
   folder, in its own process as a user runs it: the floor, what mkdocs alone costs for these pages
   (--warm-floor: also a second mkdocs build inside this process, mkdocs already imported);
4. a rebuild with unchanged input, counting the generated files it rewrote (should be none).

It prints a table and, as its last line, one JSON object:
authorities, years, pages, build_s, mkdocs_s (the bare floor), ratio = build_s / mkdocs_s,
validate_s, metrics_s, pages_s, downloads_s, build_mkdocs_s, mkdocs_waited_s, own_s, peak_rss_mb,
authority page sizes, ...

With --runs N (N > 1) the returns are generated once and each run is a fresh child process
(cold caches, its own peak RSS); the table and JSON give medians (peak RSS: the largest).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
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
    ("imports_s", "imports (first build in a process)", "s"),
    ("validate_s", "validate", "s"), ("metrics_s", "metrics", "s"),
    ("handover_s", "hand-over: plan, stand-ins, static files", "s"),
    ("build_mkdocs_s", "mkdocs build (in our build)", "s"),
    ("mkdocs_waited_s", "  of which waiting for a page not yet made", "s"),
    ("build_s", "whole build", "s"), ("own_s", "our stages (build - mkdocs' own work)", "s"),
    ("mkdocs_s", "bare `mkdocs build` (floor, own process)", "s"),
    ("mkdocs_warm_s", "  the same inside this process, warm", "s"), ("ratio", "ratio build / bare mkdocs", ""),
    ("ratio_median_of_runs", "  ratio within each run, median", ""),
    ("pages_s", "pages and charts (second process, alongside mkdocs)", "s"),
    ("listings_s", "  home, region, group, metric and year pages", "s"),
    ("authority_pages_s", "  authority pages", "s"),
    ("downloads_s", "downloads (second process, alongside mkdocs)", "s"),
    ("xlsx_s", "  the XLSX workbook", "s"),
    ("write_s", "write pages (second process)", "s"),
    ("rebuild_s", "rebuild, unchanged input", "s"), ("rebuild_written", "generated files rewritten by the rebuild", ""),
    ("peak_together_mb", "most memory at once: build RSS + others' own", "MB"),
    ("peak_together_build_mb", "  the build's RSS then", "MB"), ("peak_together_others_mb", "  its other processes' own then", "MB"),
    ("peak_rss_mb", "peak RSS of the build process", "MB"),
    ("worker_peak_rss_mb", "peak RSS of the second process (pages, downloads)", "MB"),
    ("worker_private_mb", "  of which not shared with the build, at its end", "MB"), ("pages", "HTML pages", ""),
    ("generated_files", "generated markdown and data files", ""),
    ("authority_page_max_kb", "largest authority page", "KB"), ("authority_page_median_kb", "median authority page", "KB"),
    ("gen_s", "generate synthetic returns", "s"),
]


def _rss_mb(who) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux: kilobytes


def _snapshot(folder: Path) -> dict[str, int]:
    return {f.relative_to(folder).as_posix(): f.stat().st_mtime_ns for f in folder.rglob("*") if f.is_file()}


def generate(out: Path, authorities: int, years: int, seed: int) -> tuple[Path, float]:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "benchmarks.synth", "--out", str(out), "--authorities", str(authorities),
                    "--years", str(years), "--seed", str(seed)], check=True, cwd=REPO, stdout=subprocess.DEVNULL)
    return out / "authorities", time.perf_counter() - started


def bare_mkdocs(docs: Path, site: Path, epoch: int) -> float:
    """`mkdocs build` as a user runs it, in a fresh process, with the project's mkdocs.yml, on the markdown our build wrote.

    A fresh process, like the build it is compared with: each pays for its own imports. (--warm-floor
    measures instead a second mkdocs build inside this process, with mkdocs and its extensions already
    imported and warm.)
    """
    from ladobench.build import MKDOCS_YML

    config = site.parent / f"{site.name}.mkdocs.yml"
    config.write_text(f"INHERIT: {json.dumps(str(MKDOCS_YML))}\ndocs_dir: {json.dumps(str(docs))}\n", encoding="utf-8")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--quiet", "--strict", "-f", str(config), "-d", str(site)],
                   check=True, env={**os.environ, "SOURCE_DATE_EPOCH": str(epoch)})
    return time.perf_counter() - started


def warm_mkdocs(docs: Path, site: Path, epoch: int) -> float:
    """A second mkdocs build in this process (mkdocs, the theme and the markdown extensions already imported)."""
    from mkdocs.commands.build import build as mk_build
    from mkdocs.config import load_config

    from ladobench.build import MKDOCS_YML, _env

    started = time.perf_counter()
    with _env(SOURCE_DATE_EPOCH=epoch):
        mk_build(load_config(str(MKDOCS_YML), docs_dir=str(docs), site_dir=str(site)))
    return time.perf_counter() - started


# --- the memory of the build and the processes it forks, sampled from another process (Linux /proc) ---

def _proc_kb(pid: int, name: str, prefix: str) -> int:
    try:
        with open(f"/proc/{pid}/{name}", encoding="ascii") as f:
            return sum(int(line.split()[1]) for line in f if line.startswith(prefix))
    except (OSError, ValueError, IndexError):
        return 0


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        try:
            for task in os.listdir(f"/proc/{parent}/task"):
                with open(f"/proc/{parent}/task/{task}/children", encoding="ascii") as f:
                    kids = [int(k) for k in f.read().split()]
                found += kids
                todo += kids
        except OSError:
            pass
    return found


def sample_memory(pid: int) -> None:
    """--sample-memory PID: every 50 ms until stdin closes, the RSS of process PID plus the memory each process
    it forked holds of its own (not shared with it); then print the largest sum, as JSON, in MB."""
    import select

    me, peak = os.getpid(), {"together_mb": 0.0, "build_mb": 0.0, "others_mb": 0.0}
    while not select.select([sys.stdin], [], [], 0.05)[0]:
        build_kb = _proc_kb(pid, "status", "VmRSS:")
        others_kb = sum(_proc_kb(k, "smaps_rollup", "Private_") for k in _descendants(pid) if k != me)
        if (build_kb + others_kb) / 1024 > peak["together_mb"]:
            peak = {"together_mb": (build_kb + others_kb) / 1024, "build_mb": build_kb / 1024, "others_mb": others_kb / 1024}
    print(json.dumps(peak))


class MemorySampler:
    """with MemorySampler() as sampled: ...; sampled.peak: the most the build and its processes held at once."""

    def __enter__(self):
        self.peak = None
        self._proc = None
        if Path("/proc/self/smaps_rollup").exists():
            self._proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--sample-memory", str(os.getpid())],
                                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            time.sleep(0.2)  # (its own start: it must be sampling before the build forks)
        return self

    def __exit__(self, *exc):
        if self._proc is not None:
            out, _ = self._proc.communicate("")
            self.peak = json.loads(out) if out.strip() else None
        return False


def one_run(root: Path, work: Path, quiet: bool, rebuild: bool, skip_xlsx: bool = False, warm_floor: bool = False) -> dict:
    """Build from the returns at root into work/; measure everything in this process."""
    from ladobench.build import build, source_date_epoch

    docs, site, floor = work / "docs", work / "site", work / "bare-site"
    if skip_xlsx:
        import ladobench.publish.downloads

        ladobench.publish.downloads.workbook = lambda *args: b""
    with MemorySampler() as sampled:
        started = time.perf_counter()  # (after the sampler's start)
        progress = build(root, site, docs, quiet=quiet)
        build_s = time.perf_counter() - started
    t = progress.timings
    periods = sorted(p.stem for p in root.glob("*/*.yaml") if p.name != "authority.yaml")
    mkdocs_s = bare_mkdocs(docs, floor, source_date_epoch(periods))
    warm_s = warm_mkdocs(docs, work / "warm-site", source_date_epoch(periods)) if warm_floor else None
    peak = _rss_mb(resource.RUSAGE_SELF)
    slugs = sorted(p.name for p in root.iterdir() if p.is_dir())
    sizes = sorted((site / "authorities" / s / "index.html").stat().st_size for s in slugs
                   if (site / "authorities" / s / "index.html").exists())
    mkdocs_own = t.get("mkdocs", 0.0) - t.get("mkdocs_waited", 0.0)
    out = {
        "build_s": build_s, "validate_s": t.get("validate", 0.0), "metrics_s": t.get("metrics", 0.0),
        "handover_s": t.get("handover", 0.0), "build_mkdocs_s": t.get("mkdocs", 0.0),
        "mkdocs_waited_s": t.get("mkdocs_waited", 0.0), "mkdocs_s": mkdocs_s, "ratio": build_s / mkdocs_s,
        "mkdocs_warm_s": warm_s, "own_s": build_s - mkdocs_own,
        # The build's own "imports" stage, and the little that no stage counts.
        "imports_s": build_s - sum(t.get(k, 0.0) for k in ("validate", "metrics", "handover", "mkdocs")),
        # The second process: the pages in the order mkdocs reads them, then the downloads (production.produce).
        "pages_s": t.get("worker_listings", 0.0) + t.get("worker_authority_pages", 0.0),
        "listings_s": t.get("worker_listings", 0.0), "authority_pages_s": t.get("worker_authority_pages", 0.0),
        "downloads_s": t.get("worker_downloads", 0.0), "xlsx_s": t.get("worker_xlsx", 0.0), "write_s": t.get("worker_write", 0.0),
        "peak_rss_mb": peak, "peak_together_mb": sampled.peak and sampled.peak["together_mb"],
        "peak_together_build_mb": sampled.peak and sampled.peak["build_mb"],
        "peak_together_others_mb": sampled.peak and sampled.peak["others_mb"], "worker_peak_rss_mb": t.get("worker_peak_rss_mb"),
        "worker_private_mb": t.get("worker_private_mb") if progress.forked else None, "forked": progress.forked,
        "pages": sum(1 for _ in site.rglob("*.html")),
        "generated_files": sum(1 for f in docs.rglob("*") if f.is_file()),
        "authority_pages": len(sizes),
        "authority_page_max_kb": sizes[-1] / 1024 if sizes else 0.0,
        "authority_page_median_kb": statistics.median(sizes) / 1024 if sizes else 0.0,
        "returns": len(periods), "rebuild_s": None, "rebuild_written": None,
    }
    if rebuild:
        before = _snapshot(docs)
        started = time.perf_counter()
        build(root, site, docs, quiet=True)
        out["rebuild_s"] = time.perf_counter() - started
        after = _snapshot(docs)
        changed = sorted({rel for rel, mtime in after.items() if before.get(rel) != mtime} | (set(before) - set(after)))
        out["rebuild_written"] = len(changed)
        out["rebuild_rewrote"] = changed[:10]  # which ones, if any: each one is a bug to find
    return out


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
        return f"{value:.2f} {unit}" if unit != "MB" else f"{value:.0f} {unit}"
    return f"{value} {unit}".strip()


def table(result: dict, runs: list[dict]) -> str:
    head = f"{result['authorities']} authorities × {result['years']} years ({result['returns']} returns), " \
           f"seed {result['seed']}, {result['runs']} run{'s' if result['runs'] != 1 else ''}"
    lines = [head, f"{'measure':<44} {'median' if len(runs) > 1 else 'value':>12}   runs"]
    for key, label, unit in ROWS:
        value = result.get(key)
        spread = ""
        if len(runs) > 1 and isinstance(value, float) and key not in ("gen_s",):
            spread = ", ".join(_fmt(r.get(key), "") for r in runs)
        lines.append(f"{label:<44} {_fmt(value, unit):>12}   {spread}")
    return "\n".join(lines)


def combine(runs: list[dict]) -> dict:
    out = {}
    for key in runs[0]:
        values = [r[key] for r in runs if r[key] is not None]
        if not values:
            out[key] = None
        elif key in ("peak_rss_mb", "peak_together_mb", "peak_together_build_mb", "peak_together_others_mb", "worker_peak_rss_mb",
                     "worker_private_mb", "rebuild_written"):
            out[key] = max(values)  # the worst run
        elif isinstance(values[0], list):
            out[key] = sorted(set().union(*values))
        elif isinstance(values[0], bool):
            out[key] = all(values)
        elif isinstance(values[0], (int, float)):
            out[key] = statistics.median(values)
        else:
            out[key] = values[0]
    out["ratio"] = out["build_s"] / out["mkdocs_s"]  # of the medians, so the JSON stays self-consistent
    # On a shared machine the speed drifts between runs: the ratio within each run is the steadier figure.
    out["ratio_median_of_runs"] = statistics.median(r["build_s"] / r["mkdocs_s"] for r in runs)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--authorities", type=int, default=15)
    ap.add_argument("--years", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--runs", type=int, default=1, help="runs, each in a fresh process; medians are reported")
    ap.add_argument("--returns", help="use the synthetic returns already in this authorities folder (no generation)")
    ap.add_argument("--no-rebuild", action="store_true", help="skip the unchanged-input rebuild")
    ap.add_argument("--quiet", action="store_true", help="no build progress on stderr (the default when CI is set)")
    ap.add_argument("--keep", help="build into this folder and keep it, instead of a temporary one")
    ap.add_argument("--skip-xlsx", action="store_true",
                    help="diagnostic: write an empty downloads workbook, to measure everything else")
    ap.add_argument("--warm-floor", action="store_true",
                    help="also time a second mkdocs build inside this process (mkdocs already imported)")
    ap.add_argument("--sample-memory", type=int, metavar="PID", help=argparse.SUPPRESS)  # (MemorySampler's process)
    args = ap.parse_args(argv)
    if args.sample_memory:
        sample_memory(args.sample_memory)
        return 0

    with tempfile.TemporaryDirectory(prefix="ladobench-bench-") as tmp:
        work = Path(args.keep).resolve() if args.keep else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        gen_s = 0.0
        if args.returns:
            root = Path(args.returns).resolve()
        else:
            root, gen_s = generate(work / "data", args.authorities, args.years, args.seed)
        if args.runs <= 1:
            runs = [one_run(root, work / "run", args.quiet, not args.no_rebuild, args.skip_xlsx, args.warm_floor)]
        else:
            runs = []
            for i in range(args.runs):
                cmd = [sys.executable, str(Path(__file__).resolve()), "--returns", str(root), "--runs", "1",
                       "--authorities", str(args.authorities), "--years", str(args.years), "--seed", str(args.seed),
                       "--keep", str(work / f"run{i}")] + (["--quiet"] if args.quiet else []) + \
                      (["--no-rebuild"] if args.no_rebuild else []) + (["--skip-xlsx"] if args.skip_xlsx else []) + \
                      (["--warm-floor"] if args.warm_floor else [])
                done = subprocess.run(cmd, check=True, cwd=REPO, stdout=subprocess.PIPE, text=True)
                runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
                print(f"run {i + 1}/{args.runs}: build {runs[-1]['build_s']:.1f}s, bare mkdocs {runs[-1]['mkdocs_s']:.1f}s",
                      file=sys.stderr, flush=True)
        result = combine(runs)
        result.update(authorities=args.authorities, years=args.years, seed=args.seed, runs=len(runs), skip_xlsx=args.skip_xlsx,
                      gen_s=gen_s if not args.returns else result.get("gen_s", 0.0), machine=machine())
        print(table(result, runs))
        keys = ["authorities", "years", "pages", "build_s", "mkdocs_s", "ratio", "validate_s", "peak_rss_mb"]
        ordered = {k: result[k] for k in keys} | {k: v for k, v in result.items() if k not in keys}
        print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in ordered.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
