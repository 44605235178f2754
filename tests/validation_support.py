"""Helpers for the validation tests: copy authorities/, patch a return, run the CLI.

A *patch spec* is a small mapping (a YAML file in tests/fixtures/broken/, or a dict in a test)
describing how to break a copy of the committed authorities/ tree:

    target: kent/2023-24.yaml          # the file to change, relative to authorities/
    edits:                             # text replacements, in order; each `replace` must occur
      - {replace: "  referrals: 1458\n", with: "  referrals: -1458\n"}
    content: "..."                     # or: the file's whole new text (creates it if need be)
    data: b"..."                       # or (tests only): the file's whole new bytes
    encoding: utf-8                    # how the text is written: utf-8, utf-8-sig, utf-16, cp1252
    pad_to: 1000001                    # append a YAML comment until the file has this many bytes
    rename: kent/2023-25.yaml          # then move target (a file or a folder) to this path
    remove: [kent/authority.yaml]      # then delete these files
    link: outside/2023-24.yaml         # then move target out of authorities/ (to this path beside it) and leave
                                       # a symbolic link to it in its place

Edits work on the text of the real returns, so a fixture stays a realistic copy of a real
return with one thing wrong.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
AUTHORITIES = REPO / "authorities"
BUILD = REPO / "build.py"


def copy_authorities(tmp_path: Path) -> Path:
    root = tmp_path / "authorities"
    shutil.copytree(AUTHORITIES, root)
    return root


def apply_spec(root: Path, spec: dict) -> Path:
    """Break the copy of authorities/ at root as spec says; return the path of the changed file."""
    target = root / spec["target"]
    if "data" in spec:  # raw bytes (tests only: YAML fixtures cannot hold them)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(spec["data"])
        text = None
    elif "content" in spec:
        text = spec["content"]
    elif target.is_file():
        text = target.read_text(encoding="utf-8")
    else:
        text = None
    for edit in spec.get("edits") or []:
        old, new = edit["replace"], edit["with"]
        count = text.count(old)
        assert count >= 1, f"{spec['target']}: the text to replace is not there: {old!r}"
        assert count == 1 or edit.get("all"), f"{spec['target']}: {old!r} occurs {count} times"
        text = text.replace(old, new)
    if text is not None:
        data = text.encode(spec.get("encoding", "utf-8"))
        if "pad_to" in spec:
            filler = b"# padding pasted in by mistake " + b"x" * 90 + b"\n"
            data += filler * max(0, -(-(spec["pad_to"] - len(data)) // len(filler)))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    if "rename" in spec:
        new = root / spec["rename"]
        new.parent.mkdir(parents=True, exist_ok=True)
        target.rename(new)
        target = new
    if "link" in spec:
        outside = root.parent / spec["link"]
        outside.parent.mkdir(parents=True, exist_ok=True)
        target.rename(outside)
        target.symlink_to(outside)
    for name in spec.get("remove") or []:
        path = root / name
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    return target


def run_cli(root: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """python build.py --root ROOT validate ARGS, from the repository, as a user would run it."""
    return subprocess.run([sys.executable, str(BUILD), "--root", str(root), "validate", *args],
                          cwd=REPO, capture_output=True, text=True, timeout=timeout)


def shown(root: Path, relative: str) -> str:
    """How messages name a file under root: authorities/kent/2023-24.yaml."""
    return f"{root.name}/{relative}" if relative else root.name


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
