"""The command line: validate, build, serve, template, import, new — thin wrappers over the stages."""
from __future__ import annotations

import argparse
import errno
import sys
from pathlib import Path

from ladobench.core import paths
from ladobench.core.problems import InputError, UnknownRule, capped


def _print(problems) -> None:
    for problem in capped(problems):
        print(("error: " if problem.is_error else "warning: ") + problem.format(), file=sys.stderr)


def _summary(ret) -> str:
    def n(path):
        v = ret.get(path)
        return f"{v:,}" if isinstance(v, (int, float)) else (v or "[x]")

    covered = f"; {len(ret.covered)} declared discrepanc{'y' if len(ret.covered) == 1 else 'ies'} applied" if ret.covered else ""
    return (f"{ret.file}: valid — {n('funnel.initial_contacts')} contacts, {n('funnel.referrals')} referrals, "
            f"{n('funnel.met_threshold')} met threshold, {n('funnel.concluded')} concluded{covered}")


def cmd_validate(args) -> int:
    from ladobench.returns.validate import validate

    dataset = validate(Path(args.root), [Path(p) for p in args.paths] or None)
    _print(dataset.problems)
    failed = {p.file for p in dataset.errors}
    for ret in dataset.returns:
        # Without a readable authority.yaml, its labels were never checked against a crosswalk.
        if ret.file not in failed and ret.slug in dataset.authorities:
            print(_summary(ret))
    print(f"{len(dataset.returns)} returns from {len(dataset.authorities)} authorities: "
          f"{len(dataset.errors)} errors, {len(dataset.warnings)} warnings.")
    return 1 if dataset.errors else 0


def cmd_build(args) -> int:
    from ladobench.build import build

    build(Path(args.root), Path(args.site_dir), Path(args.docs_dir), quiet=args.quiet)
    return 0


def cmd_serve(args) -> int:
    from ladobench.build import serve

    serve(Path(args.root), args.port)
    return 0


def cmd_template(args) -> int:
    from ladobench.spreadsheet.template import template

    out = Path(args.out or f"{args.authority}-{args.period}.xlsx")
    filled = template(Path(args.root), args.authority, args.period, out)
    how = "pre-filled from the existing return" if filled else "blank: there is no return for that year yet"
    print(f"wrote {out} ({how})")
    return 0


def cmd_import(args) -> int:
    from ladobench.spreadsheet.read import import_workbook

    result = import_workbook(Path(args.file), Path(args.root), dry_run=args.dry_run)
    for problem in result.warnings:
        print("warning: " + problem.format(), file=sys.stderr)
    if not result.written:
        print(f"{args.file}: valid; {result.file} not written (--dry-run)")
    else:
        print(f"{'created' if result.created else 'updated'} {result.file} from {args.file}: valid")
    return 0


def cmd_new(args) -> int:
    from ladobench.spreadsheet.scaffold import new_authority

    root = Path(args.root)
    auth, xlsx = new_authority(root, args.slug, args.template_out and Path(args.template_out), args.period)
    print(f"created {paths.display(auth, root)} and the blank template {paths.display(xlsx, root)}\n"
          "Next: fill in the stages and crosswalk in authority.yaml (see site_src/adding-an-authority.md).")
    return 0


def cmd_schema(args) -> int:
    from ladobench.core.json_schema import write

    stale = write(check=args.check)
    for path in stale:
        print(f"{paths.display(path)} {'is out of date' if args.check else 'written'}",
              file=sys.stderr if args.check else sys.stdout)
    if args.check and stale:
        print("Run python build.py schema to regenerate it.", file=sys.stderr)
        return 1
    if not stale:
        print("schema/*.schema.json are up to date")
    return 0


def parser() -> argparse.ArgumentParser:
    prog = "build.py" if Path(sys.argv[0]).name == "build.py" else "ladobench"
    p = argparse.ArgumentParser(prog=prog, description="Validate LADO annual returns and build the benchmarking site.")
    p.add_argument("--root", default=str(paths.AUTHORITIES_DIR), help="the authorities folder (default: authorities/)")
    # --root after the command too (build.py validate --root X); SUPPRESS keeps the one given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--root", default=argparse.SUPPRESS, help="the authorities folder (default: authorities/)")
    sub = p.add_subparsers(dest="command", required=True)
    v = sub.add_parser("validate", parents=[common], help="check returns and print every problem; exit 1 on any error")
    v.add_argument("paths", nargs="*", help="returns or authority folders to check (default: all)")
    v.set_defaults(func=cmd_validate)
    b = sub.add_parser("build", parents=[common], help="validate, compute metrics and build the site into site/")
    b.add_argument("--site-dir", default=str(paths.SITE_DIR))
    b.add_argument("--docs-dir", default=str(paths.SITE_SRC),
                   help="where the generated pages are written before mkdocs reads them (default: site_src/)")
    b.add_argument("--quiet", action="store_true", help="no progress lines (the default when CI is set)")
    b.set_defaults(func=cmd_build)
    s = sub.add_parser("serve", parents=[common], help="build, then serve the site at http://127.0.0.1:8000 (this machine only)")
    s.add_argument("--port", type=int, default=8000)
    s.set_defaults(func=cmd_serve)
    t = sub.add_parser("template", parents=[common], help="write a spreadsheet for one authority and year, pre-filled if the return exists")
    t.add_argument("--authority", required=True, metavar="SLUG", help="the authority's short name, e.g. kent")
    t.add_argument("--period", required=True, metavar="YYYY-YY", help="the financial year, e.g. 2023-24")
    t.add_argument("--out", metavar="FILE.xlsx", help="where to write it (default: SLUG-YYYY-YY.xlsx here)")
    t.set_defaults(func=cmd_template)
    i = sub.add_parser("import", parents=[common], help="read a filled-in spreadsheet, check it and write authorities/SLUG/YYYY-YY.yaml")
    i.add_argument("file", metavar="FILE.xlsx")
    i.add_argument("--dry-run", action="store_true", help="check the spreadsheet but write nothing")
    i.set_defaults(func=cmd_import)
    n = sub.add_parser("new", parents=[common], help="start a new authority: authority.yaml from the reference table and a blank template")
    n.add_argument("slug", metavar="SLUG", help="the authority's short name from reference/authorities.csv")
    n.add_argument("--period", metavar="YYYY-YY", help="the year of the blank template (default: the last year ended)")
    n.add_argument("--template-out", metavar="FILE.xlsx", help="where to write the template (default: in the new folder)")
    n.set_defaults(func=cmd_new)
    j = sub.add_parser("schema", parents=[common], help="regenerate schema/return.schema.json and schema/authority.schema.json")
    j.add_argument("--check", action="store_true", help="write nothing; exit 1 if they are out of date")
    j.set_defaults(func=cmd_schema)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except InputError as err:
        _print(err.problems)
        return 1
    except OSError as err:
        if err.errno != errno.ENOSPC:
            raise
        # A full disk anywhere else (a return or a template written): said as a message; writes are atomic.
        from ladobench.site.mkdocs import no_space

        folder = Path(err.filename).parent if err.filename else Path.cwd()
        _print(no_space(err, folder).problems)
        return 1
    except UnknownRule as err:  # a defect in ladobench, not in the input: said in one line, without a traceback
        print(f"error: ladobench itself is at fault ({err}), so a message it meant to give is missing. "
              "Please report this.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
