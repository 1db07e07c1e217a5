"""Score our search ranking on classic relevance test collections, beside reference engines.

    python -m bench.relevance [DIR ...] [--limit-queries N] [--systems news-search,bm25s,tantivy,fts5]
                              [--set NAME=VALUE ...] [--loo]

Each DIR is laid out like ../shared/eval/cranfield/ (the default: Cranfield, CISI, NPL and LISA):
docs.jsonl ({"id", "title", "text"} a line), queries.tsv (query_id<TAB>text) and qrels.tsv
(query_id<TAB>doc_id<TAB>grade, grade >= 1 relevant). Our engine indexes each document as a
file <doc_id>.txt (title on the first line, then the text) with index_corpus and answers each
query as typed, through open_index(...).search(). bm25s (with PyStemmer), tantivy and SQLite
FTS5 are scored in the same run when installed (pip install -e '.[bench]'); every query is
put to every system in turn, so machine noise hits all of them alike.

Metrics follow trec_eval (see bench/trec.py): nDCG@10 with linear gains, MAP@100 and
Recall@100, over the queries with at least one relevant document; a query that returns
nothing, or that our search rejects, scores 0. A last table gives every collection's nDCG@10 side
by side, with the mean.

--set changes one of our ranking parameters (search.models.Ranking; as the config file's [ranking]
table would). --loo scores ours alone under each change of CANDIDATES, one at a time, on every
collection, and judges each by leave-one-collection-out: a change is adopted only when, with each
collection left out in turn, it gains on the others and does not lose on the one left out.
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol

from bench.data import SHARED
from bench.trec import average_precision, ndcg_at, recall_at, relevant_ids
from search import BadInputError, QueryError, Ranking, index_corpus, open_index
from search.config import with_ranking

EVAL_DIR = SHARED / "eval"
DEFAULT_DIRS = tuple(EVAL_DIR / name for name in ("cranfield", "cisi", "npl", "lisa"))
DEPTH = 100  # documents retrieved per query, and the cut-off of MAP and recall
NDCG_DEPTH = 10
OURS = "news-search"

# (id, title, text)
Doc = tuple[str, str, str]
Figures = dict[str, float]


@dataclass
class TestCollection:
    """A relevance test collection: documents, queries in file order and graded judgements."""

    name: str
    docs: list[Doc]
    queries: list[tuple[str, str]]
    qrels: dict[str, dict[str, int]]

    def judged_queries(self) -> list[tuple[str, str]]:
        """The queries with at least one relevant document, in file order: the ones scored."""
        return [(qid, text) for qid, text in self.queries if relevant_ids(self.qrels.get(qid, {}))]


def load_collection(folder: Path) -> TestCollection:
    """Read docs.jsonl, queries.tsv and qrels.tsv from folder."""
    docs: list[Doc] = []
    with (folder / "docs.jsonl").open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                record = json.loads(line)
                docs.append((str(record["id"]), record.get("title") or "", record.get("text") or ""))
    queries: list[tuple[str, str]] = []
    for line in (folder / "queries.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip():
            query_id, _, text = line.partition("\t")
            queries.append((query_id.strip(), text.strip()))
    qrels: dict[str, dict[str, int]] = {}
    for line in (folder / "qrels.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip():
            query_id, doc_id, grade = line.split("\t")
            qrels.setdefault(query_id.strip(), {})[doc_id.strip()] = int(grade)
    return TestCollection(folder.resolve().name, docs, queries, qrels)


class System(Protocol):
    """A search engine under test: build() indexes the documents and returns the seconds it took."""

    name: str
    failures: list[tuple[str, str]]

    def build(self, docs: list[Doc]) -> float: ...

    def search(self, query: str) -> list[str]: ...

    def close(self) -> None: ...


@dataclass
class Ours:
    """Our engine through the CLI's library calls: a .txt file per document, index_corpus, search."""

    name: str = OURS
    failures: list[tuple[str, str]] = field(default_factory=list)
    ranking: Ranking = field(default_factory=Ranking)
    _tmp: tempfile.TemporaryDirectory[str] | None = None
    index: Any = None  # the opened index, for callers that search it themselves

    def build(self, docs: list[Doc]) -> float:
        self._tmp = tempfile.TemporaryDirectory(prefix="relevance-")
        corpus, index_dir = Path(self._tmp.name, "corpus"), Path(self._tmp.name, "index")
        corpus.mkdir()
        for doc_id, title, text in docs:
            content = f"{title}\n{text}" if title.strip() else text
            (corpus / f"{doc_id}.txt").write_text(content, encoding="utf-8")
        started = time.perf_counter()
        index_corpus(corpus, index_dir)
        elapsed = time.perf_counter() - started
        self.index = open_index(index_dir, self.ranking)
        return elapsed

    def rank_with(self, ranking: Ranking) -> None:
        """Rank the built index's results another way from now on."""
        self.ranking = ranking
        self.index = open_index(self.index.index_dir, ranking)

    def search(self, query: str) -> list[str]:
        try:
            results = self.index.search(query, limit=DEPTH)
        except (QueryError, BadInputError) as error:
            self.failures.append((query, f"{type(error).__name__}: {error}"))
            return []
        return [hit.id.removesuffix(".txt") for hit in results.hits]

    def close(self) -> None:
        self.index = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


@dataclass
class Bm25s:
    """bm25s (BM25, Lucene variant) over title + text, English stop words, PyStemmer English stemmer."""

    name: str = "bm25s"
    failures: list[tuple[str, str]] = field(default_factory=list)
    _retriever: Any = None
    _stemmer: Any = None
    _ids: list[str] = field(default_factory=list)

    def build(self, docs: list[Doc]) -> float:
        import bm25s
        import Stemmer

        started = time.perf_counter()
        self._stemmer = Stemmer.Stemmer("english")
        self._ids = [doc_id for doc_id, _, _ in docs]
        tokens = bm25s.tokenize(
            [f"{title}\n{text}" for _, title, text in docs],
            stopwords="en",
            stemmer=self._stemmer,
            show_progress=False,
        )
        self._retriever = bm25s.BM25()
        self._retriever.index(tokens, show_progress=False)
        return time.perf_counter() - started

    def search(self, query: str) -> list[str]:
        import bm25s

        tokens = bm25s.tokenize(
            query, stopwords="en", stemmer=self._stemmer, return_ids=False, show_progress=False
        )
        if not tokens or not tokens[0]:
            return []
        documents, scores = self._retriever.retrieve(
            tokens, k=min(DEPTH, len(self._ids)), show_progress=False
        )
        # Documents sharing no word with the query score 0: they were not found.
        return [self._ids[i] for i, s in zip(documents[0], scores[0], strict=True) if s > 0]

    def close(self) -> None:
        self._retriever = None


@dataclass
class Tantivy:
    """tantivy, in RAM: title and body fields with the en_stem tokenizer, parse_query_lenient over both."""

    name: str = "tantivy"
    failures: list[tuple[str, str]] = field(default_factory=list)
    _index: Any = None
    _searcher: Any = None

    def build(self, docs: list[Doc]) -> float:
        import tantivy

        started = time.perf_counter()
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("id", stored=True, tokenizer_name="raw")
        builder.add_text_field("title", tokenizer_name="en_stem")
        builder.add_text_field("body", tokenizer_name="en_stem")
        self._index = tantivy.Index(builder.build())
        writer = self._index.writer()
        for doc_id, title, text in docs:
            writer.add_document(tantivy.Document(id=doc_id, title=title, body=text))
        writer.commit()
        writer.wait_merging_threads()
        self._index.reload()
        self._searcher = self._index.searcher()
        return time.perf_counter() - started

    def search(self, query: str) -> list[str]:
        parsed, _errors = self._index.parse_query_lenient(query, ["title", "body"])
        hits = self._searcher.search(parsed, limit=DEPTH).hits
        return [self._searcher.doc(address)["id"][0] for _score, address in hits]

    def close(self) -> None:
        self._searcher = self._index = None


@dataclass
class Fts5:
    """SQLite FTS5 in memory, porter unicode61: the query's words quoted and ORed, ranked by bm25()."""

    name: str = "fts5"
    failures: list[tuple[str, str]] = field(default_factory=list)
    _db: sqlite3.Connection | None = None
    _ids: list[str] = field(default_factory=list)

    def build(self, docs: list[Doc]) -> float:
        started = time.perf_counter()
        self._db = sqlite3.connect(":memory:")
        self._db.execute("CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize='porter unicode61')")
        self._ids = [doc_id for doc_id, _, _ in docs]
        self._db.executemany(
            "INSERT INTO docs(rowid, title, body) VALUES (?, ?, ?)",
            ((row, title, text) for row, (_, title, text) in enumerate(docs)),
        )
        self._db.commit()
        return time.perf_counter() - started

    def search(self, query: str) -> list[str]:
        assert self._db is not None
        words = re.findall(r"\w+", query)
        if not words:
            return []
        match = " OR ".join(f'"{word}"' for word in words)
        rows = self._db.execute(
            "SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?", (match, DEPTH)
        )
        return [self._ids[row] for (row,) in rows]

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def _fts5_available() -> bool:
    try:
        sqlite3.connect(":memory:").execute("CREATE VIRTUAL TABLE t USING fts5(x)")
    except sqlite3.Error:
        return False
    return True


def _bm25s() -> System:
    import bm25s  # noqa: F401
    import Stemmer  # noqa: F401

    return Bm25s(name="bm25s " + metadata.version("bm25s"))


def _tantivy() -> System:
    import tantivy  # noqa: F401

    return Tantivy(name="tantivy " + metadata.version("tantivy"))


def _fts5() -> System:
    if not _fts5_available():
        raise ImportError(f"this SQLite ({sqlite3.sqlite_version}) has no FTS5")
    return Fts5(name=f"SQLite FTS5 {sqlite3.sqlite_version}")


# --systems key: (how to make the system, raising ImportError when it is not installed; how to install it)
SYSTEMS: dict[str, tuple[Callable[[], System], str]] = {
    OURS: (Ours, ""),
    "bm25s": (_bm25s, "pip install bm25s PyStemmer"),
    "tantivy": (_tantivy, "pip install tantivy"),
    "fts5": (_fts5, "a Python whose sqlite3 has FTS5"),
}


def available(keys: Sequence[str]) -> list[str]:
    """The systems asked for that can run here; a line for each that cannot."""
    found = []
    for key in keys:
        make, install = SYSTEMS[key]
        try:
            make()
        except ImportError as error:
            print(f"{key}: not available ({error}), skipped; {install}")
            continue
        found.append(key)
    return found


def _queries(collection: TestCollection, limit_queries: int | None) -> list[tuple[str, str]]:
    queries = collection.judged_queries()
    return queries if limit_queries is None else queries[:limit_queries]


def score(collection: TestCollection, queries: list[tuple[str, str]], rankings: list[list[str]]) -> Figures:
    """nDCG@10, MAP@100 and Recall@100 of one system's rankings, averaged over the queries."""
    ndcg = map_ = recall = 0.0
    for (query_id, _), ranking in zip(queries, rankings, strict=True):
        grades = collection.qrels[query_id]
        relevant = relevant_ids(grades)
        ndcg += ndcg_at(ranking, grades, NDCG_DEPTH)
        map_ += average_precision(ranking, relevant, DEPTH)
        recall += recall_at(ranking, relevant, DEPTH)
    count = max(len(queries), 1)
    return {"ndcg10": ndcg / count, "map100": map_ / count, "recall100": recall / count}


def evaluate(
    collection: TestCollection, systems: list[System], limit_queries: int | None
) -> dict[str, Figures]:
    """Index the collection with every system, put each judged query to each in turn, and score them."""
    queries = _queries(collection, limit_queries)
    index_seconds = {system.name: system.build(collection.docs) for system in systems}
    rankings: dict[str, list[list[str]]] = {system.name: [] for system in systems}
    search_seconds = dict.fromkeys(rankings, 0.0)
    for _, text in queries:
        for system in systems:
            started = time.perf_counter()
            ranking = system.search(text)
            search_seconds[system.name] += time.perf_counter() - started
            rankings[system.name].append(ranking)
    count = max(len(queries), 1)
    return {
        system.name: {
            **score(collection, queries, rankings[system.name]),
            "index_s": index_seconds[system.name],
            "ms_per_query": 1000 * search_seconds[system.name] / count,
            "failed_queries": len(system.failures),
        }
        for system in systems
    }


# Each a change of our ranking's defaults, judged alone by --loo: every parameter a step either way, and
# feedback off.
CANDIDATES: dict[str, dict[str, object]] = {
    "feedback off": {"feedback": False},
    "feedback_weight 0.2": {"feedback_weight": 0.2},
    "feedback_weight 0.7": {"feedback_weight": 0.7},
    "feedback_documents 5": {"feedback_documents": 5},
    "feedback_documents 20": {"feedback_documents": 20},
    "feedback_terms 5": {"feedback_terms": 5},
    "feedback_terms 20": {"feedback_terms": 20},
    "rerank_depth 100": {"rerank_depth": 100},
    "k1 0.9": {"k1": 0.9},
    "k1 1.5": {"k1": 1.5},
    "b 0.45": {"b": 0.45},
    "b 0.75": {"b": 0.75},
    "title_b 0.4": {"title_b": 0.4},
    "title_weight 0": {"title_weight": 0.0},
    "title_weight 0.5": {"title_weight": 0.5},
    "all_words_bonus 0": {"all_words_bonus": 0.0},
    "all_words_bonus 2": {"all_words_bonus": 2.0},
}
DEFAULTS = "defaults"


def leave_one_out(ndcg: dict[str, dict[str, float]]) -> dict[str, str]:
    """Each candidate's verdict from its nDCG@10 on every collection beside the defaults': with each
    collection left out in turn, does the change gain on the mean of the others (it would be chosen)
    and not lose on the one left out? Adopted only when that holds for every collection."""
    base = ndcg[DEFAULTS]
    verdicts = {}
    for name, scores in ndcg.items():
        if name == DEFAULTS:
            continue
        losses = []
        for left_out in base:
            others = [scores[c] - base[c] for c in base if c != left_out]
            if sum(others) <= 0:
                losses.append(f"no gain without {left_out}")
            elif scores[left_out] < base[left_out]:
                losses.append(f"loses {left_out}")
        verdicts[name] = (
            "adopt" if not losses else "; ".join(losses[:2]) + ("; ..." if len(losses) > 2 else "")
        )
    return verdicts


def run_loo(collections: list[TestCollection], base: Ranking, limit_queries: int | None) -> None:
    """Score ours under the defaults and every candidate on every collection; print the table."""
    candidates = {DEFAULTS: base} | {
        name: with_ranking(base, changes, f"candidate {name!r}") for name, changes in CANDIDATES.items()
    }
    ndcg: dict[str, dict[str, float]] = {name: {} for name in candidates}
    for collection in collections:
        queries = _queries(collection, limit_queries)
        ours = Ours(ranking=base)
        ours.build(collection.docs)
        try:
            for name, ranking in candidates.items():
                ours.rank_with(ranking)
                rankings = [ours.search(text) for _, text in queries]
                ndcg[name][collection.name] = score(collection, queries, rankings)["ndcg10"]
        finally:
            ours.close()
    verdicts = leave_one_out(ndcg)
    names = [collection.name for collection in collections]
    print(
        f"\nnDCG@10 of each change alone, and its leave-one-collection-out verdict ({len(names)} collections)"
    )
    print("| change | " + " | ".join(names) + " | mean | verdict |")
    print("|---|" + "---|" * len(names) + "---|---|")
    for name, scores in ndcg.items():
        cells = [f"{scores[c]:.4f}" for c in names]
        mean = sum(scores.values()) / len(scores)
        print(f"| {name} | " + " | ".join(cells) + f" | {mean:.4f} | {verdicts.get(name, '')} |")
    print("\nWith each collection left out, the setting best on the others' mean, scored on the one left out")
    print("| left out | chosen on the others | its nDCG@10 there | the defaults' |")
    print("|---|---|---|---|")
    for left_out in names:
        chosen = max(ndcg, key=lambda name: sum(ndcg[name][c] for c in names if c != left_out))
        print(f"| {left_out} | {chosen} | {ndcg[chosen][left_out]:.4f} | {ndcg[DEFAULTS][left_out]:.4f} |")


def print_summary(results: dict[str, dict[str, Figures]]) -> None:
    """Every collection's nDCG@10 side by side, each system a row, with the mean over the collections."""
    names = list(results)
    systems = list(dict.fromkeys(system for figures in results.values() for system in figures))
    print("\nnDCG@10, every collection")
    print("| system | " + " | ".join(names) + " | mean |")
    print("|---|" + "---|" * (len(names) + 1))
    for system in systems:
        scores = [results[name][system]["ndcg10"] for name in names if system in results[name]]
        mean = f"{sum(scores) / len(scores):.4f}" if len(scores) == len(names) else "-"
        print(f"| {system} | " + " | ".join(f"{score:.4f}" for score in scores) + f" | {mean} |")


def print_table(collection: TestCollection, evaluated: int, figures: dict[str, Figures]) -> None:
    judged = len(collection.judged_queries())
    print(
        f"{collection.name}: {len(collection.docs)} docs, {len(collection.queries)} queries "
        f"({judged} with relevance judgements"
        + (f", first {evaluated} evaluated" if evaluated != judged else "")
        + ")"
    )
    width = max([13, *(len(name) for name in figures)])
    print(f"| {'system':<{width}} | nDCG@10 | MAP@100 | R@100 | index s | ms/query |")
    print(f"|{'-' * (width + 2)}|---------|---------|-------|---------|----------|")
    for name, f in figures.items():
        print(
            f"| {name:<{width}} | {f['ndcg10']:.3f}   | {f['map100']:.3f}   | {f['recall100']:.3f} "
            f"| {f['index_s']:7.2f} | {f['ms_per_query']:8.2f} |"
        )


def main(argv: list[str] | None = None) -> dict[str, dict[str, Figures]]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("folders", nargs="*", type=Path, default=list(DEFAULT_DIRS), metavar="DIR")
    parser.add_argument(
        "--limit-queries",
        type=int,
        metavar="N",
        help="evaluate only the first N judged queries of each collection",
    )
    parser.add_argument(
        "--systems",
        default=",".join(SYSTEMS),
        help=f"comma list of systems to run, among {', '.join(SYSTEMS)} (default: all available)",
    )
    parser.add_argument(
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="one of our ranking parameters (search.models.Ranking), e.g. --set feedback=false",
    )
    parser.add_argument(
        "--loo",
        action="store_true",
        help="judge every change of CANDIDATES by leave-one-collection-out (ours alone)",
    )
    args = parser.parse_args(argv)
    keys = [key.strip() for key in args.systems.split(",") if key.strip()]
    unknown = [key for key in keys if key not in SYSTEMS]
    if unknown or not keys:
        parser.error(f"unknown system {unknown[0]!r}: use {', '.join(SYSTEMS)}" if unknown else "no system")
    if args.limit_queries is not None and args.limit_queries < 1:
        parser.error("--limit-queries must be 1 or more")
    if any("=" not in setting for setting in args.settings):
        parser.error("--set takes NAME=VALUE")
    try:
        ranking = with_ranking(Ranking(), dict(s.split("=", 1) for s in args.settings), "--set")
    except BadInputError as error:
        parser.error(str(error))
    collections = [load_collection(folder) for folder in args.folders]
    if args.loo:
        run_loo(collections, ranking, args.limit_queries)
        return {}
    keys = available(keys)
    results: dict[str, dict[str, Figures]] = {}
    for collection in collections:
        systems = [Ours(ranking=ranking) if key == OURS else SYSTEMS[key][0]() for key in keys]
        try:
            figures = evaluate(collection, systems, args.limit_queries)
        finally:
            for system in systems:
                system.close()
        evaluated = len(_queries(collection, args.limit_queries))
        print()
        print_table(collection, evaluated, figures)
        for system in systems:
            if system.failures:
                print(
                    f"\n{system.name}: {len(system.failures)} of {evaluated} queries raised, scored 0; e.g."
                )
                for query, message in system.failures[:2]:
                    print(f"  {query[:100]!r}\n    -> {message}")
        results[collection.name] = figures
    if len(results) > 1:
        print_summary(results)
    return results


if __name__ == "__main__":
    main()
