"""Score the cleaner on whole news pages against reference article bodies, beside other extractors.

    python -m bench.cleaning [DIR ...] [--sets SETS] [--worst 10]

Each DIR is laid out like ../shared/eval/article-extraction/ (the default): ground-truth.json
({id: {"articleBody": ...}}) and html/<id>.html.gz; --sets adds every such folder in SETS (as
`python -m bench.extraction_sets` writes them), each scored and reported on its own. trafilatura
(with each of its settings) and readability-lxml are scored in the same run when installed (pip
install -e '.[bench]'); pages are processed one at a time by every extractor in turn, so machine
noise hits all of them alike. A held-out set (bench.extraction_sets.HELD_OUT) lists no pages.
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.data import SHARED
from bench.extraction_sets import HELD_OUT
from bench.scoring import PageCounts, Scores, aggregate, page_counts
from search.cleaning import clean_html_page
from search.extraction import element_text

DEFAULT_DIR = SHARED / "eval" / "article-extraction"
Extractor = Callable[[str], str]
TRAFILATURA_SETTINGS: dict[str, dict[str, Any]] = {
    "": {},
    " precision": {"favor_precision": True},
    " recall": {"favor_recall": True},
}


def ours(html: str) -> str:
    """The product's own cleaner, as the indexer calls it (article text without the headline)."""
    return clean_html_page(html).body_text


def available_extractors() -> dict[str, Extractor]:
    """Our cleaner and whichever reference extractors are installed."""
    extractors: dict[str, Extractor] = {"news-search": ours}
    try:
        import trafilatura

        # Its default, and the two settings it offers to lean one way (its own evaluation runs each).
        def trafilatura_with(options: dict[str, Any]) -> Extractor:
            return lambda html: trafilatura.extract(html, include_comments=False, **options) or ""

        for setting, options in TRAFILATURA_SETTINGS.items():
            extractors[f"trafilatura {trafilatura.__version__}{setting}"] = trafilatura_with(options)
    except ImportError:
        pass
    try:
        import lxml.html
        from readability import Document as ReadabilityDocument

        def readability(html: str) -> str:
            summary = ReadabilityDocument(html).summary(html_partial=True)
            return element_text(lxml.html.fragment_fromstring(summary, create_parent="div"), frozenset())

        extractors["readability-lxml"] = readability
    except ImportError:
        pass
    return extractors


def load_pages(folder: Path) -> list[tuple[str, str, str]]:
    """(id, html, reference body) for every page of the collection."""
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(truth):
        with gzip.open(folder / "html" / f"{page_id}.html.gz", "rt", encoding="utf-8") as f:
            pages.append((page_id, f.read(), truth[page_id].get("articleBody") or ""))
    return pages


def evaluate(
    pages: list[tuple[str, str, str]], extractors: dict[str, Extractor]
) -> dict[str, tuple[list[PageCounts], list[PageCounts], float]]:
    """Per extractor: shingle counts and token counts per page, and total seconds."""
    results: dict[str, tuple[list[PageCounts], list[PageCounts], float]] = {
        name: ([], [], 0.0) for name in extractors
    }
    for _, html, reference in pages:
        for name, extract in extractors.items():
            started = time.perf_counter()
            try:
                text = extract(html)
            except Exception:  # a reference extractor that fails on a page extracts nothing from it
                if name == "news-search":
                    raise  # (ours must not fail: that is a bug to see)
                text = ""
            elapsed = time.perf_counter() - started
            shingle_counts, token_counts, seconds = results[name]
            shingle_counts.append(page_counts(text, reference, 4))
            token_counts.append(page_counts(text, reference, 1))
            results[name] = (shingle_counts, token_counts, seconds + elapsed)
    return results


def page_f1(counts: PageCounts) -> float:
    p, r = counts.precision, counts.recall
    return 2 * p * r / (p + r) if p + r else 0.0


def report(
    folder: Path, pages: list[tuple[str, str, str]], extractors: dict[str, Extractor], worst: int
) -> Scores:
    """Score every extractor on one set and print its table (and our worst pages, unless held out)."""
    results = evaluate(pages, extractors)
    print(f"{len(pages)} pages from {folder}\n")
    print(f"| {'extractor':<28} | F1    | precision | recall | token F1 | ms/page |")
    print(f"|{'-' * 30}|-------|-----------|--------|----------|---------|")
    for name, (shingle_counts, token_counts, seconds) in results.items():
        scores, token_scores = aggregate(shingle_counts), aggregate(token_counts)
        print(
            f"| {name:<28} | {scores.f1:.3f} | {scores.precision:.3f}     | {scores.recall:.3f}  "
            f"| {token_scores.f1:.3f}    | {1000 * seconds / len(pages):7.1f} |"
        )
    our_counts = results["news-search"][0]
    if folder.name not in HELD_OUT and worst:
        ranked = sorted(zip(pages, our_counts, strict=True), key=lambda item: page_f1(item[1]))[:worst]
        print(f"\nour {len(ranked)} worst pages (F1, precision, recall, id):")
        for (page_id, _, _), counts in ranked:
            print(f"  {page_f1(counts):.3f}  {counts.precision:.3f}  {counts.recall:.3f}  {page_id}")
    print()
    return aggregate(our_counts)


def main(argv: list[str] | None = None) -> dict[str, Scores]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("folders", nargs="*", type=Path)
    parser.add_argument("--sets", type=Path, help="a folder of sets, each scored on its own")
    parser.add_argument("--worst", type=int, default=10, help="how many of our worst pages to list")
    args = parser.parse_args(argv)
    folders = list(args.folders)
    if args.sets:
        folders += sorted(p for p in args.sets.iterdir() if (p / "ground-truth.json").is_file())
    extractors = available_extractors()
    return {
        str(folder): report(folder, load_pages(folder), extractors, args.worst)
        for folder in folders or [DEFAULT_DIR]
    }


if __name__ == "__main__":
    main()
