"""The wheel users install holds every file of the package: code, type marker and package data."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "search"


def _package_files() -> set[str]:
    """Every file under search/ that belongs in the wheel (sources, data, py.typed), as wheel paths."""
    return {
        path.relative_to(PROJECT_ROOT).as_posix()
        for path in PACKAGE.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


def test_the_built_wheel_holds_every_package_file(tmp_path: Path) -> None:
    pytest.importorskip("setuptools")
    # Built from a copy: a build/ folder left in the checkout by an earlier build would hide a missing file.
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(PROJECT_ROOT / name, source / name)
    shutil.copytree(PACKAGE, source / "search", ignore=shutil.ignore_patterns("__pycache__"))
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path), str(source)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    wheel = next(tmp_path.glob("news_search-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        shipped = {name for name in archive.namelist() if name.startswith("search/")}
    assert _package_files() - shipped == set()
    assert "search/data/stopwords.txt" in shipped
