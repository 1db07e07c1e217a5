"""Query latency of this checkout beside another, on one index, in one run.

    python -m bench.latency INDEX_DIR [--other CHECKOUT] [--rounds 2] [--size all] [--queries 200]

bench/scale.py builds its folders and indexes and times everything; this times only the queries, so
that a change of the query path can be compared with the code before it on the same machine at the
same moment (it is noisy: figures from different days differ by half). INDEX_DIR is an index of one
of bench/scale.py's folders (e.g. its work-41578/index), whose titles give the same queries as there:
top 10 with snippets, in-process, 200 word queries (2-3 title words) and half as many quoted phrases. With
--other (a checkout of an earlier commit, e.g. made by `git worktree add /tmp/before HEAD~1`), each
round runs it and then this checkout, each in a process of its own importing its own `search`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from bench import scale

HERE = Path(__file__).resolve().parent.parent


def measure(index_dir: Path, size: int | None, queries: int = 200) -> dict[str, tuple[float, float]]:
    """Mean and p95 ms of the word and the phrase queries, for the `search` this process imports."""
    from search import open_index

    chosen = scale.articles()[:size]
    index = open_index(index_dir)

    def run(query: str) -> object:
        return index.search(query, limit=10)

    return {
        "word": scale.latency(run, scale.title_queries(chosen, queries)),
        "phrase": scale.latency(run, scale.phrase_queries(chosen, max(queries // 2, 1))),
    }


def in_process_of(
    checkout: Path, index_dir: Path, size: int | None, queries: int
) -> dict[str, tuple[float, float]]:
    """measure() in a Python process that imports `search` from checkout."""
    # `search` imported from the checkout first; then `bench` from here (an earlier checkout may lack it).
    code = (
        "import json, pathlib, sys; sys.path.insert(0, sys.argv[1]); import search; "
        "assert search.__file__.startswith(sys.argv[1]), search.__file__; sys.path.insert(0, sys.argv[2]); "
        "from bench.latency import measure; size = None if sys.argv[4] == 'all' else int(sys.argv[4]); "
        "print(json.dumps(measure(pathlib.Path(sys.argv[3]), size, int(sys.argv[5]))))"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            str(checkout),
            str(HERE),
            str(index_dir),
            str(size or "all"),
            str(queries),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return {kind: (mean, p95) for kind, (mean, p95) in json.loads(done.stdout.splitlines()[-1]).items()}


def main(argv: list[str] | None = None) -> list[tuple[str, dict[str, tuple[float, float]]]]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("index_dir", type=Path, metavar="INDEX_DIR")
    parser.add_argument("--other", type=Path, metavar="CHECKOUT", help="another checkout to time alongside")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of each (default 2)")
    parser.add_argument(
        "--size", default="all", help="how many of bench/scale.py's articles the index holds (default all)"
    )
    parser.add_argument("--queries", type=int, default=200, help="word queries (default 200)")
    args = parser.parse_args(argv)
    size = None if args.size == "all" else int(args.size)
    checkouts = ([("other", args.other.resolve())] if args.other else []) + [("this", HERE)]
    runs = []
    for round_number in range(1, args.rounds + 1):
        for label, checkout in checkouts:
            runs.append(
                (
                    f"{label} ({checkout}), round {round_number}",
                    in_process_of(checkout, args.index_dir, size, args.queries),
                )
            )
    print("| code | word ms mean / p95 | phrase ms mean / p95 |")
    print("|---|---|---|")
    for label, figures in runs:
        word, phrase = figures["word"], figures["phrase"]
        print(f"| {label} | {word[0]:.1f} / {word[1]:.1f} | {phrase[0]:.1f} / {phrase[1]:.1f} |")
    return runs


if __name__ == "__main__":
    main()
