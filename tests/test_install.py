"""`pip install .` (not editable) gives a package that validates and builds a folder of returns outside the checkout:
schema/, the reference table, the hand-written pages and mkdocs.yml ship inside it."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    target = tmp_path_factory.mktemp("installed")
    build_dir = tmp_path_factory.mktemp("source")
    # A copy of the committed tree, as a clean clone has it (no generated pages, no site/).
    files = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout.split(b"\0")
    for name in filter(None, files):
        src = REPO / name.decode()
        if src.is_file():
            (build_dir / name.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, build_dir / name.decode())
    done = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--disable-pip-version-check",
                           "--target", str(target), str(build_dir)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return target


def _run(installed: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(installed), "CI": "1"}
    return subprocess.run([sys.executable, "-m", "ladobench", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600)


@pytest.mark.slow
def test_the_installed_package_carries_its_data_and_not_the_checkouts(installed, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(installed)}
    code = "import ladobench.core.paths as p; print(p.__file__); print(p.IN_CHECKOUT); print(p.SCHEMA_DIR)"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    module, in_checkout, schema = out.stdout.splitlines()
    assert module.startswith(str(installed)) and in_checkout == "False"
    assert Path(schema, "return.yaml").is_file() and Path(schema).is_relative_to(installed)
    for shipped in ("reference/authorities.csv", "mkdocs.yml", "site_src/adding-an-authority.md", "site_src/assets/ladobench.css"):
        assert (installed / "ladobench" / "data" / shipped).is_file(), shipped
    # Data only: the scripts beside it in the checkout are not modules of the package.
    assert not list((installed / "ladobench" / "data").rglob("*.py"))
    assert (installed / "ladobench" / "site" / "templates" / "authority.md.j2").is_file()


@pytest.mark.slow
def test_validate_and_build_a_folder_of_returns_outside_the_checkout(installed, tmp_path):
    work = tmp_path / "network"
    shutil.copytree(REPO / "authorities", work / "authorities", ignore=shutil.ignore_patterns("*.xlsx"))
    checked = _run(installed, work, "validate")
    assert checked.returncode == 0, checked.stderr
    assert "1,458 referrals, 782 met threshold" in checked.stdout
    built = _run(installed, work, "build")
    assert built.returncode == 0, built.stderr
    assert "Traceback" not in built.stderr
    kent = (work / "site" / "authorities" / "kent" / "index.html").read_text(encoding="utf-8")
    assert "1,458" in kent
    assert (work / "site" / "adding-an-authority" / "index.html").is_file()  # a hand-written page, from the package
    assert (work / "site" / "downloads" / "metrics.csv").is_file()


@pytest.mark.slow
def test_serve_builds_then_says_where_and_serves_the_site(installed, tmp_path):
    import socket
    import urllib.request

    work = tmp_path / "network"
    shutil.copytree(REPO / "authorities", work / "authorities", ignore=shutil.ignore_patterns("*.xlsx"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(installed), "CI": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "ladobench", "serve", "--port", str(port)], cwd=work, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()  # blocks until the build is done and the server listens
        assert line.strip() == f"Serving the site at http://127.0.0.1:{port}/ (Ctrl+C to stop)", (line, proc.stderr.read())
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/authorities/kent/", timeout=30) as page:
            assert "1,458" in page.read().decode("utf-8")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
