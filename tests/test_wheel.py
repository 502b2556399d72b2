"""The project installs as a wheel: pages, demo data and migrations travel as package data.

The wheel is built from a copy of the working tree and installed (without dependencies) in
a fresh virtual environment that borrows the project's installed dependencies through a
``.pth`` path entry — which adds that folder to ``sys.path`` without running its ``.pth``
hooks, so the project's own editable install is not active there. ``kms serve`` then runs
from an empty folder, away from the checkout, and must serve ``/``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import httpx
import pytest

from tests.api.apiserver import free_port

REPO = Path(__file__).resolve().parents[1]
TOP_SKIP = {".git", ".venv", "data", ".cache", "bench", "tests", "docs", "build", "dist"}
ANY_SKIP = shutil.ignore_patterns(
    "*.egg-info", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis"
)


def _skip(folder: str, names: list[str]) -> set[str]:
    """What not to copy: the checkout's own top-level folders, caches anywhere."""
    top = set(names) & TOP_SKIP if Path(folder) == REPO else set()
    return top | set(ANY_SKIP(folder, names))


pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the built wheel installed; returns its bin folder."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "src"
    shutil.copytree(REPO, source, ignore=_skip)
    build = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation"]
    subprocess.run(
        [*build, "-w", str(root / "dist"), str(source)],
        check=True,
        capture_output=True,
    )
    wheel = next((root / "dist").glob("kms-*.whl"))
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(purelib) / "kms-test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    install = ["install", "-q", "--no-deps", "--no-index", "--force-reinstall", str(wheel)]
    subprocess.run(
        [str(python), "-m", "pip", *install],
        check=True,
        capture_output=True,
    )
    return venv / "bin"


def _env(cwd: Path) -> dict[str, str]:
    """The environment, less a PYTHONPATH that would import the checkout over the wheel."""
    env = {**os.environ, "KMS_DATA_DIR": str(cwd / "data"), "KMS_EMBEDDERS": "use"}
    env.pop("PYTHONPATH", None)
    return env


def _run(bin_dir: Path, code: str, cwd: Path) -> str:
    out = subprocess.run(
        [str(bin_dir / "python"), "-c", code],
        cwd=cwd,
        env=_env(cwd),
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def _serve(bin_dir: Path, cwd: Path) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    process = subprocess.Popen(
        [str(bin_dir / "kms"), "serve", "--port", str(port)],
        cwd=cwd,
        env=_env(cwd),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return process, f"http://127.0.0.1:{port}"


def _output(process: subprocess.Popen[str]) -> str:
    process.terminate()
    out, _ = process.communicate(timeout=60)
    return out[-3000:]


def test_the_wheel_carries_its_pages_demo_and_migrations(installed: Path, tmp_path: Path) -> None:
    where = _run(installed, "import kms, web, demo; print(kms.__file__, web.__file__)", tmp_path)
    assert str(REPO) not in where and "site-packages" in where
    listed = _run(
        installed,
        "from kms.core.resources import resource_path as r;"
        "print(r('web', 'search.html').is_file(), r('demo', 'docs').is_dir(),"
        " r('kms.core', 'migrations', 'env.py').is_file(), r('kms.core', 'sales_process.yaml'))",
        tmp_path,
    )
    assert listed.startswith("True True True") and "site-packages" in listed


def test_the_installed_wheel_serves_the_search_page(installed: Path, tmp_path: Path) -> None:
    process, url = _serve(installed, tmp_path)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if httpx.get(f"{url}/ready", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.5)
        page = httpx.get(f"{url}/", timeout=30)
        assert page.status_code == 200 and "<html" in page.text.lower(), _output(process)
        assert httpx.get(f"{url}/static/kms.css", timeout=30).status_code == 200
        assert httpx.get(f"{url}/console", timeout=30).status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=60)


def test_missing_pages_stop_the_server_at_start(installed: Path, tmp_path: Path) -> None:
    site = Path(_run(installed, "import web, os; print(os.path.dirname(web.__file__))", tmp_path))
    page = site / "search.html"
    saved = page.read_bytes()
    page.unlink()
    try:
        process, _ = _serve(installed, tmp_path)
        out, _ = process.communicate(timeout=300)
        assert process.returncode != 0
        assert "web/search.html" in out and "missing from the installation" in out
    finally:
        page.write_bytes(saved)
