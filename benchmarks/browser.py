"""What a reader's browser meets on a built site: page weight, page length, printed pages and the time from
navigation to the first chart painted, measured in Debian's chromium through Playwright over local HTTP.

    python benchmarks/browser.py SITE_DIR [--loads 5]

Used by build_site.py --browser on the site it built. Timings are printed, never asserted: the machines
here are shared, so a time is a median of several loads and says little on its own.
"""
from __future__ import annotations

import argparse
import functools
import http.server
import json
import re
import statistics
import sys
import threading
import time
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
FIRST_SVG = "document.querySelector('.lb-chart svg')"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _pages(site: Path) -> dict[str, str]:
    """The largest authority page (by HTML size), the first metric page and the home page."""
    authorities = sorted((site / "authorities").glob("*/index.html"), key=lambda p: p.stat().st_size)
    metrics = sorted((site / "metrics").glob("*/index.html"))
    out = {"home": ""}
    if authorities:
        out["authority"] = authorities[-1].parent.relative_to(site).as_posix() + "/"
    if metrics:
        out["metric"] = metrics[0].parent.relative_to(site).as_posix() + "/"
    return out


def _load(browser, url: str) -> tuple[float | None, int, int, bool]:
    """(seconds to the first chart or None, bytes received, page height at 1280 px, vega requested)."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    page = ctx.new_page()
    received: list[int] = []
    urls: list[str] = []
    page.on("response", lambda r: received.append(int(r.headers.get("content-length", 0) or 0)))
    page.on("request", lambda r: urls.append(r.url))
    started = time.perf_counter()
    page.goto(url, wait_until="domcontentloaded")  # (charts are drawn after it, so waiting costs nothing)
    first = None
    if page.locator(".lb-chart").count():
        page.wait_for_function(FIRST_SVG, timeout=20_000, polling="raf")
        first = time.perf_counter() - started
    page.wait_for_load_state("networkidle")
    height = page.evaluate("document.documentElement.scrollHeight")
    ctx.close()
    return first, sum(received), height, any("vendor/vega.js" in u for u in urls)


def _printed_pages(browser, url: str) -> int:
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(url, wait_until="networkidle")
    if page.locator(".lb-chart").count():
        page.wait_for_function("Array.from(document.querySelectorAll('.lb-chart')).every(e => e.querySelector('svg'))",
                               timeout=30_000)
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    pdf = page.pdf(format="A4")
    ctx.close()
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def measure(site: Path, loads: int = 5) -> dict:
    """browser_* figures for build_site.py's JSON, or {} when chromium or Playwright is missing."""
    if not CHROMIUM.exists():
        return {}
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {}
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}/"
    out: dict = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            for kind, path in _pages(site).items():
                runs = [_load(browser, base + path) for _ in range(loads)]
                times = [r[0] for r in runs if r[0] is not None]
                out[f"browser_{kind}_kb"] = statistics.median(r[1] for r in runs) / 1024
                out[f"browser_{kind}_px"] = runs[-1][2]
                out[f"browser_{kind}_vega"] = runs[-1][3]
                if times:
                    out[f"browser_{kind}_first_chart_s"] = statistics.median(times)
            if "authority" in _pages(site):
                out["browser_authority_printed_pages"] = _printed_pages(browser, base + _pages(site)["authority"])
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("site", type=Path)
    ap.add_argument("--loads", type=int, default=5)
    args = ap.parse_args(argv)
    result = measure(args.site, args.loads)
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in result.items()}))
    return 0 if result else 1


if __name__ == "__main__":
    sys.exit(main())
