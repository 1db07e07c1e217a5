"""A run of `search index` that finds nothing changed, over a real folder of any size, without building
an index of it: the cost issue 21 bounds at 10 s for a million files (a stat of every file, the
catalog read, the comparison), which does not depend on the index's own size.

    python -m bench.noop FOLDER [--runs 3] [--work DIR]

The index holds one document of the folder; its catalog is then written with every file of the folder
as the index would record it (the signature a run computes, a made-up text hash), so that the run
finds each file known and unchanged: it walks, stats and compares exactly as over a full index, and
writes nothing. Prints one line a run: wall seconds of the `search index` process and what it said.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SEARCH = Path(sys.executable).with_name("search")


def prepare(folder: Path, work: Path) -> Path:
    """An index of the folder's first file, with a catalog that knows every file of the folder."""
    from search import index_corpus
    from search.corpus import file_signature, relative_id, survey
    from search.engine import read_catalog, write_catalog
    from search.models import CatalogEntry

    paths, sidecars = survey(folder)
    first = work / "corpus" / relative_id(paths[0], folder)
    first.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(paths[0], first)
    index_dir = work / "index"
    index_corpus(work / "corpus", index_dir)
    catalog = read_catalog(index_dir)
    for path in paths:
        signature = file_signature(path, sidecars)
        if signature is not None:
            catalog.setdefault(relative_id(path, folder), CatalogEntry(signature, "0" * 16))
    write_catalog(index_dir, catalog, None)
    return index_dir


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("folder", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, help="Keep the index here (default: a temporary folder).")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as temporary:
        work = args.work or Path(temporary)
        started = time.perf_counter()
        index_dir = prepare(args.folder.resolve(), work)
        print(f"catalog of {args.folder} written in {time.perf_counter() - started:.1f} s")
        for run in range(1, args.runs + 1):
            started = time.perf_counter()
            done = subprocess.run(
                [str(SEARCH), "index", str(args.folder), "--index-dir", str(index_dir)],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            print(f"run {run}: {time.perf_counter() - started:.2f} s  {done.stderr.strip().splitlines()[-1]}")


if __name__ == "__main__":
    main()
