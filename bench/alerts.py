"""What saved searches add to an update: 100 changed files, without alerts and with 200 of them.

    python -m bench.alerts [--folder DIR] [--alerts 200] [--rounds 3]

On the 41,578-article folder of bench.scale (built by it: corpus-41578 and its index), copied so that
the originals stay as they are: a `search index` process after editing 100 files, timed without saved
searches and with --alerts of them (2-3 title words each, fixed seed; every fifth also narrowed to an
actor), in alternating rounds (this machine's speed drifts). Also the checking alone, in this process
(alerts.percolate over the 100 changed documents). Prints a table.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import time
from pathlib import Path

from bench.scale import CHANGED_FILES, SEARCH, Row, articles, change_files, print_table, title_queries
from search import alerts as saved
from search import index_corpus, open_index
from search.engine.folder import ALERTS_NAME
from search.engine.index import EngineIndex

ACTORS = ("United States", "China", "Russia", "European Union", "Iran")


def timed_update(corpus: Path, index_dir: Path, run: int) -> tuple[float, int]:
    """A `search index` process after editing 100 files: its wall time, and the new documents it
    reported for the alerts (its 'alert NAME: N new' lines)."""
    change_files(corpus, CHANGED_FILES, run)
    started = time.perf_counter()
    done = subprocess.run(
        [str(SEARCH), "index", str(corpus), "--index-dir", str(index_dir)],
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - started
    gained = [
        int(line.rsplit(": ", 1)[1].split()[0])
        for line in done.stderr.splitlines()
        if line.startswith("alert ")
    ]
    return seconds, sum(gained)


def main(argv: list[str] | None = None) -> list[Row]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--folder", type=Path, default=Path("/tmp/news-search-scale"))
    parser.add_argument("--size", type=int, default=41_578)
    parser.add_argument("--alerts", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    source_corpus, source_index = (
        args.folder / f"corpus-{args.size}",
        args.folder / f"work-{args.size}" / "index",
    )
    work = args.folder / f"alerts-{args.size}"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(source_corpus, work / "corpus")
    shutil.copytree(source_index, work / "index")
    corpus, index_dir = work / "corpus", work / "index"
    index_corpus(corpus, index_dir)  # the copy's catalog points at the copy's files
    queries = title_queries(articles()[: args.size], args.alerts)
    index = open_index(index_dir)
    with_alerts, without, gained = [], [], []
    for round_number in range(args.rounds):
        (index_dir / ALERTS_NAME).unlink(missing_ok=True)
        without.append(timed_update(corpus, index_dir, 2 * round_number)[0])
        for number, query in enumerate(queries):
            actors = (ACTORS[number % len(ACTORS)],) if number % 5 == 0 else ()
            saved.add_alert(index, f"alert-{number}", query, actors=actors)
        seconds, new = timed_update(corpus, index_dir, 2 * round_number + 1)
        with_alerts.append(seconds)
        gained.append(new)
    opened = EngineIndex(index_dir)
    changed = sorted(corpus.rglob("*.txt"))[:: max(1, args.size // CHANGED_FILES)][:CHANGED_FILES]
    documents = [opened.document(str(path.relative_to(corpus))) for path in changed]
    started = time.perf_counter()
    saved.percolate(index_dir, [d for d in documents if d is not None])
    checking = time.perf_counter() - started
    rows = [
        Row(
            "update, no alerts",
            {
                "s (median)": f"{statistics.median(without):.2f}",
                "each round s": " ".join(f"{s:.2f}" for s in without),
            },
        ),
        Row(
            f"update, {args.alerts} alerts",
            {
                "s (median)": f"{statistics.median(with_alerts):.2f}",
                "each round s": " ".join(f"{s:.2f}" for s in with_alerts),
                "new documents": " ".join(map(str, gained)),
            },
        ),
        Row("checking alone (percolate)", {"s (median)": f"{checking:.2f}"}),
    ]
    print_table(f"{CHANGED_FILES} changed files of {args.size:,}, {args.alerts} saved searches", rows)
    return rows


if __name__ == "__main__":
    main()
