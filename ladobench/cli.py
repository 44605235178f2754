"""The command line: validate, build, serve, template, import, new — thin wrappers over the stages."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import paths
from .problems import InputError


def _summary(ret) -> str:
    def n(path):
        v = ret.get(path)
        return f"{v:,}" if isinstance(v, (int, float)) else (v or "[x]")

    covered = f"; {len(ret.covered)} declared discrepanc{'y' if len(ret.covered) == 1 else 'ies'} applied" if ret.covered else ""
    return (f"{ret.file}: valid — {n('funnel.initial_contacts')} contacts, {n('funnel.referrals')} referrals, "
            f"{n('funnel.met_threshold')} met threshold, {n('funnel.concluded')} concluded{covered}")


def cmd_validate(args) -> int:
    from .validate import validate

    dataset = validate(Path(args.root), [Path(p) for p in args.paths] or None)
    for problem in dataset.problems:
        print(("error: " if problem.is_error else "warning: ") + problem.format(), file=sys.stderr)
    failed = {p.file for p in dataset.errors}
    for ret in dataset.returns:
        # Without a readable authority.yaml, its labels were never checked against a crosswalk.
        if ret.file not in failed and ret.slug in dataset.authorities:
            print(_summary(ret))
    print(f"{len(dataset.returns)} returns from {len(dataset.authorities)} authorities: "
          f"{len(dataset.errors)} errors, {len(dataset.warnings)} warnings.")
    return 1 if dataset.errors else 0


def cmd_build(args) -> int:
    from .build import build

    build(Path(args.root), Path(args.site_dir), quiet=args.quiet)
    return 0


def cmd_serve(args) -> int:
    from .build import serve

    serve(Path(args.root), args.port)
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="build.py", description="Validate LADO annual returns and build the benchmarking site.")
    p.add_argument("--root", default=str(paths.AUTHORITIES_DIR), help="the authorities folder (default: authorities/)")
    sub = p.add_subparsers(dest="command", required=True)
    v = sub.add_parser("validate", help="check returns and print every problem; exit 1 on any error")
    v.add_argument("paths", nargs="*", help="returns or authority folders to check (default: all)")
    v.set_defaults(func=cmd_validate)
    b = sub.add_parser("build", help="validate, compute metrics and build the site into site/")
    b.add_argument("--site-dir", default=str(paths.SITE_DIR))
    b.add_argument("--quiet", action="store_true", help="no progress lines (the default when CI is set)")
    b.set_defaults(func=cmd_build)
    s = sub.add_parser("serve", help="build, then preview the site at http://127.0.0.1:8000")
    s.add_argument("--port", type=int, default=8000)
    s.set_defaults(func=cmd_serve)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except InputError as err:
        for problem in err.problems:
            print(("error: " if problem.is_error else "warning: ") + problem.format(), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
