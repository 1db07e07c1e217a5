"""How well copy groups find the copies of a story: against exact resemblance, on real and made copies.

    python -m bench.copies [--index DIR] [--truth FILE] [--synthetic N] [--work DIR]
    python -m bench.copies --build-time CORPUS [--work DIR]

- Scale folder: the pairs of documents of a built index (by default the 41,578-article folder of
  bench.scale) whose exact resemblance (the Jaccard index of their sets of five-word runs, words read
  as the index reads them) is at least the threshold, found exactly once by an inverted index over
  shingles with prefix filtering (Bayardo et al., "Scaling up all pairs similarity search", 2007: two
  sets of Jaccard >= t share a shingle among the rarest |x| - ceil(t|x|) + 1 of each) and kept in
  --truth; against them, the pairs the index's copy groups put together: precision and recall.
- Synthetic copies: N stories of the scale folder, each copied the ways outlets copy (a new headline,
  added chrome lines, 5-15% of words edited, paragraphs cut, some together), written with 4N other
  stories into a folder and indexed; recall of the (story, copy) pairs whose exact resemblance is at
  least the threshold, by kind of copy, and of all pairs.
- --build-time: a full build of CORPUS as shipped, and one with fingerprints and copy groups patched out,
  one after the other in processes of their own: what finding copies adds to a build.
Prints tables.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from itertools import combinations
from pathlib import Path

import whoosh.index

from bench.scale import articles
from search import index_corpus
from search.engine import patches
from search.engine.analysis import _every_folded_word
from search.engine.copies import copy_groups
from search.engine.folder import read_copy_table
from search.engine.index import EngineIndex
from search.models import COPY_THRESHOLD, Document

SCALE_INDEX = Path("/tmp/news-search-scale/work-41578/index")
SEED = 20261130
Pair = tuple[str, str]


def exact_shingles(text: str, vocabulary: dict[str, int]) -> frozenset[int]:
    """A text's five-word runs, each as one exact integer (five word numbers of 24 bits), no hashing."""
    words = [vocabulary.setdefault(word, len(vocabulary)) for word in _every_folded_word(text)]
    if 0 < len(words) < 5:
        return frozenset([_packed(words)])
    return frozenset(_packed(words[n : n + 5]) for n in range(len(words) - 4))


def _packed(words: Sequence[int]) -> int:
    value = 0
    for word in words:
        value = (value << 24) | word
    return value


def similar_pairs(sets: dict[str, frozenset[int]], threshold: float) -> dict[Pair, float]:
    """Every pair of ids whose sets' Jaccard index is at least threshold, exactly (prefix filtering)."""
    frequency: Counter[int] = Counter()
    for shingles in sets.values():
        frequency.update(shingles)
    index: defaultdict[int, list[str]] = defaultdict(list)
    found: dict[Pair, float] = {}
    for doc_id in sorted((d for d in sets if sets[d]), key=lambda d: (len(sets[d]), d)):
        mine = sets[doc_id]
        rarest = sorted(mine, key=lambda s: (frequency[s], s))
        prefix = rarest[: len(mine) - math.ceil(threshold * len(mine)) + 1]
        candidates = {other for shingle in prefix for other in index[shingle]}
        for other in candidates:
            theirs = sets[other]
            if len(theirs) < threshold * len(mine):
                continue
            shared = len(mine & theirs)
            jaccard = shared / (len(mine) + len(theirs) - shared)
            if jaccard >= threshold:
                found[(min(doc_id, other), max(doc_id, other))] = jaccard
        for shingle in prefix:
            index[shingle].append(doc_id)
    return found


def grouped_pairs(groups: Iterable[Sequence[str]]) -> set[Pair]:
    return {(a, b) for group in groups for a, b in combinations(sorted(group), 2)}


def scores(predicted: set[Pair], truth: set[Pair]) -> tuple[float, float]:
    right = len(predicted & truth)
    return (right / len(predicted) if predicted else 1.0, right / len(truth) if truth else 1.0)


def stored_sets(index_dir: Path) -> dict[str, frozenset[int]]:
    vocabulary: dict[str, int] = {}
    return {doc.id: exact_shingles(doc.body, vocabulary) for doc in EngineIndex(index_dir).documents()}


def scale_row(index_dir: Path, truth_file: Path, threshold: float) -> dict[str, str]:
    """The index's copy groups against the exact pairs of its documents (computed once, then read)."""
    if truth_file.is_file():
        truth = {tuple(pair) for pair in json.loads(truth_file.read_text())["pairs"]}
    else:
        started = time.perf_counter()
        pairs = similar_pairs(stored_sets(index_dir), threshold)
        truth = set(pairs)
        truth_file.write_text(json.dumps({"threshold": threshold, "pairs": sorted(pairs)}))
        print(f"exact pairs computed in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    table = read_copy_table(index_dir)
    groups = table.groups if table is not None else ()
    predicted = grouped_pairs(groups)
    precision, recall = scores(predicted, truth)
    patches.apply()
    opened = whoosh.index.open_dir(str(index_dir))
    with opened.searcher() as searcher:
        started = time.perf_counter()
        again = copy_groups(searcher, threshold)
        seconds = time.perf_counter() - started
    return {
        "set": f"scale folder ({EngineIndex(index_dir).document_count():,} documents)",
        "pairs >= t": f"{len(truth):,}",
        "groups": f"{len(groups):,} ({sum(map(len, groups)):,} documents)",
        "same-group pairs": f"{len(predicted):,}",
        "precision": f"{precision:.3f}",
        "recall": f"{recall:.3f}",
        "grouping all s": f"{seconds:.2f}" + ("" if again == groups else " (other groups!)"),
    }


CHROME = (
    "Follow us on Twitter and Facebook for the latest news.",
    "Sign up for our newsletter to get the day's top stories in your inbox.",
    "Copyright 2024 The Daily Ledger. All rights reserved.",
    "Advertisement",
    "Read more: the stories our readers are following today",
)
KINDS = ("headline", "chrome", "edit 5%", "edit 10%", "edit 15%", "cut 10-30%", "headline+chrome+edit 5%")


def _edit(words: list[str], share: float, rng: random.Random) -> list[str]:
    edited = list(words)
    for place in rng.sample(range(len(words)), int(share * len(words))):
        edited[place] = rng.choice(("reportedly", "officials", "on Tuesday", "said", "local"))
    return edited


def copy_of(title: str, body: str, kind: str, rng: random.Random) -> str:
    """A copy of a story the way `kind` says outlets make one."""
    paragraphs = [p for p in body.split("\n") if p.strip()]
    if kind.startswith("cut"):
        keep = max(1, round(len(paragraphs) * (1 - rng.uniform(0.1, 0.3))))
        paragraphs = paragraphs[:keep]
    if "edit" in kind:
        share = float(kind.split("edit ")[1].rstrip("%")) / 100
        paragraphs = [" ".join(_edit(p.split(), share, rng)) for p in paragraphs]
    if "chrome" in kind:
        paragraphs = [rng.choice(CHROME), *paragraphs[: len(paragraphs) // 2], rng.choice(CHROME),
                      *paragraphs[len(paragraphs) // 2 :], rng.choice(CHROME)]  # fmt: skip
    headline = f"{title} - as reported" if "headline" in kind else title
    return headline + "\n\n" + "\n".join(paragraphs) + "\n"


def synthetic_rows(count: int, work: Path, threshold: float) -> list[dict[str, str]]:
    """count stories and a copy of each (kinds in turn), among 4 x count others, indexed; recall of
    the pairs at or above the threshold, by kind."""
    rng = random.Random(SEED)
    chosen = [a for a in articles() if len(a.text.split()) >= 150][: count * 5]
    folder, index_dir = work / "synthetic", work / "synthetic-index"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(index_dir, ignore_errors=True)
    kinds: dict[Pair, str] = {}
    for n, article in enumerate(chosen):
        path = folder / f"outlet{n % 7}" / f"{n:05}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(article.text, encoding="utf-8")
        if n < count:
            kind = KINDS[n % len(KINDS)]
            body = article.text.split("\n", 1)[1]
            copy = folder / f"copies{n % 5}" / f"{n:05}-copy.txt"
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_text(copy_of(article.title, body, kind, rng), encoding="utf-8")
            first, second = sorted((str(path.relative_to(folder)), str(copy.relative_to(folder))))
            kinds[(first, second)] = kind
    index_corpus(folder, index_dir, copy_threshold=threshold)
    sets = stored_sets(index_dir)
    table = read_copy_table(index_dir)
    together = grouped_pairs(table.groups if table is not None else ())
    truth = set(similar_pairs(sets, threshold))
    rows = []
    for kind in (*KINDS, "all kinds"):
        pairs = [pair for pair, made in kinds.items() if kind in (made, "all kinds")]
        exact = [p for p in pairs if _jaccard(sets[p[0]], sets[p[1]]) >= threshold]
        found = sum(pair in together for pair in exact)
        rows.append(
            {
                "kind of copy": kind,
                "copies": str(len(pairs)),
                "resemblance >= t": str(len(exact)),
                "recall there": f"{found / len(exact):.3f}" if exact else "-",
                "grouped of all": f"{sum(pair in together for pair in pairs) / len(pairs):.3f}",
                "mean resemblance": f"{sum(_jaccard(sets[a], sets[b]) for a, b in pairs) / len(pairs):.2f}",
            }
        )
    precision, recall = scores(together, truth)
    rows.append({"kind of copy": "every pair of the folder", "copies": f"{len(truth)} pairs >= t",
                 "resemblance >= t": "", "recall there": f"{recall:.3f}",
                 "grouped of all": f"precision {precision:.3f}", "mean resemblance": ""})  # fmt: skip
    return rows


def _jaccard(first: frozenset[int], second: frozenset[int]) -> float:
    shared = len(first & second)
    return shared / (len(first) + len(second) - shared) if first or second else 0.0


def build_worker(corpus: str, index_dir: str, copies: str) -> None:
    """A full build, with copy groups as shipped or patched out (no signature, no groups)."""
    if copies == "off":
        import search.engine
        from search.engine import PreparedDocument, analysis, writer

        shipped = analysis.prepare

        def prepare_without_fingerprint(document: Document) -> PreparedDocument:
            prepared = shipped(document)
            return PreparedDocument(prepared.document, prepared.title_terms, prepared.body_terms)

        for module in (analysis, writer, search.engine):
            setattr(module, "prepare", prepare_without_fingerprint)  # noqa: B010
        import search.engine.copies

        setattr(search.engine.copies, "copy_groups", lambda *args, **kwargs: ())  # noqa: B010
    started = time.perf_counter()
    index_corpus(Path(corpus), Path(index_dir), rebuild=True, allow_mass_removal=True)
    print(f"{time.perf_counter() - started:.1f}")


def build_time_rows(corpus: Path, work: Path) -> list[dict[str, str]]:
    rows = []
    for copies in ("on", "off"):
        index_dir = work / f"build-{copies}"
        shutil.rmtree(index_dir, ignore_errors=True)
        command = [sys.executable, "-m", "bench.copies", "--build-worker", str(corpus), str(index_dir)]
        command.append(copies)
        seconds = subprocess.run(command, capture_output=True, text=True, check=True).stdout.split()[-1]
        rows.append({"copy groups": copies, "full build s": seconds})
    return rows


def print_table(title: str, rows: list[dict[str, str]]) -> None:
    print(f"\n{title}\n")
    columns = list(rows[0])
    widths = [max(len(c), *(len(r.get(c, "")) for r in rows)) for c in columns]
    print("| " + " | ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(row.get(c, "").ljust(w) for c, w in zip(columns, widths, strict=True)) + " |")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--index", type=Path, default=SCALE_INDEX)
    parser.add_argument("--truth", type=Path, help="where the exact pairs are kept (default: by the index)")
    parser.add_argument("--synthetic", type=int, default=700, help="stories copied (0: none)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/news-search-copies"))
    parser.add_argument("--threshold", type=float, default=COPY_THRESHOLD)
    parser.add_argument("--build-time", type=Path, metavar="CORPUS")
    parser.add_argument("--build-worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.build_worker:
        build_worker(*args.build_worker)
        return
    args.work.mkdir(parents=True, exist_ok=True)
    if args.build_time:
        print_table(f"full build of {args.build_time}", build_time_rows(args.build_time, args.work))
        return
    if args.index.is_dir():
        truth = args.truth or args.index.parent / "copy-pairs.json"
        row = scale_row(args.index, truth, args.threshold)
        print_table(f"copy groups at resemblance {args.threshold}", [row])
    if args.synthetic:
        rows = synthetic_rows(args.synthetic, args.work, args.threshold)
        print_table(f"{args.synthetic} stories copied, among {4 * args.synthetic} others", rows)


if __name__ == "__main__":
    main()
