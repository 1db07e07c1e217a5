"""Time incremental reindexing: a full index, a run where nothing changed, and one after N edits.

    python -m bench.reindex [--files 100000] [--changed 100] [--folder DIR]

Writes a folder of small article files once (Reuters-21578 stories, repeated as needed, from
../shared/corpora; reused when it exists), indexes it through index_corpus, then times a no-op
run (which must read no file) and a run after changing --changed files. Prints a table.
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

from bench.data import REUTERS, reuters_text, rows
from search import index_corpus


def write_folder(folder: Path, files: int) -> None:
    """files .txt articles under folder, 1,000 a subfolder; nothing is written if it is complete."""
    if folder.is_dir() and sum(1 for _ in folder.rglob("*.txt")) == files:
        return
    shutil.rmtree(folder, ignore_errors=True)
    stories = list(rows(REUTERS))
    for n in range(files):
        story = stories[n % len(stories)]
        path = folder / f"{n // 1000:04}" / f"{n:06}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{reuters_text(story)}\n(copy {n})\n")


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--changed", type=int, default=100)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/news-search-reindex"))
    args = parser.parse_args(argv)
    corpus, index_dir = args.folder / f"corpus-{args.files}", args.folder / f"index-{args.files}"
    write_folder(corpus, args.files)
    shutil.rmtree(index_dir, ignore_errors=True)
    figures: dict[str, float] = {}
    started = time.perf_counter()
    report = index_corpus(corpus, index_dir)
    figures["full index"] = time.perf_counter() - started
    started = time.perf_counter()
    report = index_corpus(corpus, index_dir)
    figures["no-op reindex"] = time.perf_counter() - started
    assert report.unchanged == args.files, report
    for n in range(args.changed):
        path = corpus / f"{n // 1000:04}" / f"{n:06}.txt"
        path.write_text(path.read_text() + f"(edited {time.time()})\n")
    started = time.perf_counter()
    report = index_corpus(corpus, index_dir)
    figures[f"reindex after {args.changed} changes"] = time.perf_counter() - started
    assert report.updated == args.changed, report
    print(f"{args.files:,} files in {corpus}\n")
    print("| run | seconds |\n|---|---|")
    for name, seconds in figures.items():
        print(f"| {name} | {seconds:.2f} |")
    return figures


if __name__ == "__main__":
    main()
