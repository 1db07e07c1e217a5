"""The catalog's cost at a given size: reading it, writing it whole, writing an update of 100 changed files,
and what a run that changes nothing writes; with another checkout's `search` package (--tree) to compare
two commits side by side (before issue 21 the catalog was a JSON file rewritten whole by every run).

    python -m bench.catalog [--entries 41578 1000000] [--tree CHECKOUT]

Entries are made up (ids like 0412/0412345.txt, random signatures and hashes), written to a temporary
folder. Prints one line an entry count: seconds for each step and the catalog's size on disk.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _timed(step: Callable[[], object]) -> float:
    started = time.perf_counter()
    step()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--entries", type=int, nargs="+", default=[41_578, 1_000_000])
    parser.add_argument("--tree", type=Path, help="Import `search` from this checkout instead.")
    args = parser.parse_args(argv)
    if args.tree is not None:
        sys.path.insert(0, str(args.tree.resolve()))
    from search.models import CatalogEntry

    try:  # this checkout's SQLite catalog: an update names the rows it changed
        from search.engine.catalog import read_catalog, write_catalog

        def update(folder: Path, catalog: Any, changed: set[str]) -> None:
            write_catalog(folder, catalog, changed)
    except ImportError:  # a checkout before it: the JSON catalog, written whole
        from search.engine.folder import read_catalog, write_catalog  # type: ignore[attr-defined,no-redef]

        def update(folder: Path, catalog: Any, changed: set[str]) -> None:
            write_catalog(folder, catalog)

    print(f"| {args.tree or 'this checkout'} | read | whole write | 100 changed | nothing changed | MB |")
    print("|---|---|---|---|---|---|")
    for count in args.entries:
        rng = random.Random(1)
        catalog = {
            f"{n // 1000:04d}/{n:07d}.txt": CatalogEntry(
                (rng.randint(1, 10**5), rng.randint(0, 2**60), 0), f"{rng.getrandbits(64):016x}"
            )
            for n in range(count)
        }
        folder = Path(tempfile.mkdtemp(prefix="catalog-"))
        try:
            whole = _timed(lambda: write_catalog(folder, catalog))  # noqa: B023
            read = _timed(lambda: read_catalog(folder))  # noqa: B023
            changed = set(random.Random(2).sample(sorted(catalog), 100))
            some = _timed(lambda: update(folder, catalog, changed))  # noqa: B023
            none = _timed(lambda: update(folder, catalog, set()))  # noqa: B023
            size = sum(path.stat().st_size for path in folder.iterdir()) / 1e6
        finally:
            shutil.rmtree(folder)
        cells = f"{read:.2f} s | {whole:.2f} s | {some:.2f} s | {none:.3f} s | {size:.0f}"
        print(f"| {count:,} entries | {cells} |")


if __name__ == "__main__":
    main()
