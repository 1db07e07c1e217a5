"""Time a search with the web page's facets (actors, outlets, years) in-process, for the 40 words most
frequent in the corpora's headlines (bench.serve.common_words), warm; optionally with the `search`
package of another checkout, to compare two commits side by side.

    python -m bench.facets INDEX_DIR [--rounds 3] [--tree CHECKOUT]

--tree puts CHECKOUT's `search` package first on the path (e.g. `git worktree add /tmp/old REV`), so
running it once with and once without, alternately, compares the two in one sitting. Prints the tree,
mean and p95 in ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("index_dir", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tree", type=Path, help="Import `search` from this checkout instead.")
    args = parser.parse_args(argv)
    if args.tree is not None:
        sys.path.insert(0, str(args.tree.resolve()))
        for name in [name for name in sys.modules if name == "search" or name.startswith("search.")]:
            del sys.modules[name]
    from bench.serve import common_words
    from search import open_index

    index = open_index(args.index_dir)
    words = common_words()
    facets = ("actor", "source", "year")
    for word in words:  # warm: columns, codes, postings
        index.search(word, limit=10, facets=facets)
    took = []
    for _ in range(args.rounds):
        for word in words:
            started = time.perf_counter()
            index.search(word, limit=10, facets=facets)
            took.append(1000 * (time.perf_counter() - started))
    took.sort()
    figures = {"mean ms": statistics.fmean(took), "p95 ms": took[int(0.95 * (len(took) - 1))]}
    print(f"{args.tree or 'this checkout'}: " + ", ".join(f"{k} {v:.1f}" for k, v in figures.items()))
    return figures


if __name__ == "__main__":
    main()
