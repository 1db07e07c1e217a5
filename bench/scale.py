"""Index and search folders of 1,000 to ~41,600 news articles, beside textbook Whoosh, ripgrep and Recoll.

    python -m bench.scale [--sizes 1000,10000,all] [--queries 200] [--process-queries 30]
                          [--folder DIR] [--no-textbook] [--no-recoll] [--baseline PATH/TO/search]
                          [--workbench-only] [--latency-only] [--million DIR]

Builds (once, then reuses) folders of .txt articles from ../shared/corpora: the Reuters-21578
stories and the AllSides articles, in one fixed shuffled order, so each folder holds the first N.
For each folder, in the same run:
- ours: a full `search index` process (cleaning, dates, actors, indexing): wall time, docs/s,
  peak memory (PSS of the process and its workers), index size against the text; a no-op
  rerun; a rerun after changing 100 files;
  query latency for top 10 with snippets over fixed queries (2-3 words from titles, fixed seed),
  in-process through the library and as a whole `search query` process;
- textbook Whoosh (title and body TEXT(StemmingAnalyzer()) stored, one writer, limitmb=256) indexing
  the same documents from memory, without cleaning, in a process of its own;
- ripgrep (`rg -il WORD`) and Recoll (`recollindex`, `recollq -n 10 -A -g 3`), when installed;
- with --baseline, another installed `search` (an earlier commit, in a virtual environment of its own):
  its full build of the same folder, just before ours, to compare two versions in one run;
- the analyst's workbench on our index: timelines of common words (in-process, split by actor, and as
  a whole `search timeline` process), browsing by each of the 20 most frequent actors (first page),
  an export of about 10,000 hits as CSV (`search query WORD --all --format csv`: time, peak memory)
  and a batch of 1,000 queries (`search batch`); --workbench-only measures these alone on the
  folders' built indexes; --latency-only measures the in-process query latencies alone (run it
  with two installs of the program, alternately, to compare them).
With --million DIR, also bench.million's folder DIR (`python -m bench.million DIR` writes it): ours
(build, no-op, changed files, queries in-process, as processes and through `search serve`) and
ripgrep, queries drawn from a fixed sample of its files' headlines; its index goes beside the others.
Prints one table a folder.
"""

from __future__ import annotations

import argparse
import compileall
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.data import ALLSIDES, REUTERS, reuters_text, rows

SEARCH = Path(sys.executable).with_name("search")
SEED = 20261122
CHANGED_FILES = 100


@dataclass(frozen=True)
class Article:
    title: str
    text: str  # the file's whole content


def articles() -> list[Article]:
    """Every Reuters story and AllSides article, as a user's .txt file would hold it, shuffled once."""
    found = []
    found = [Article(story["title"], reuters_text(story) + "\n") for story in rows(REUTERS)]
    for article in rows(ALLSIDES):
        header = " - ".join(part for part in (article.get("source"), article.get("date")) if part)
        found.append(Article(article["title"], f"{article['title']}\n{header}\n\n{article['text']}\n"))
    random.Random(SEED).shuffle(found)
    return found


MILLION_SAMPLE = 5_000  # files of a --million folder whose headlines the queries are drawn from


def sampled_articles(folder: Path, count: int) -> list[Article]:
    """count files of a bench.million folder, a fixed sample, with their front matter's headlines."""
    paths = sorted(folder.glob("*/*.txt"))
    chosen = random.Random(SEED).sample(paths, min(count, len(paths)))
    found = []
    for path in chosen:
        text = path.read_text(encoding="utf-8")
        title = next(line for line in text.splitlines() if line.startswith("title: "))[len("title: ") :]
        found.append(Article(title.strip('"').replace('\\"', '"'), text))
    return found


def write_folder(folder: Path, chosen: Sequence[Article]) -> None:
    """One .txt file an article, 1,000 a subfolder; nothing is written when the folder is complete."""
    done = folder / ".complete"
    if done.is_file() and done.read_text() == str(len(chosen)):
        return
    shutil.rmtree(folder, ignore_errors=True)
    for n, article in enumerate(chosen):
        path = folder / f"{n // 1000:03}" / f"{n:06}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(article.text, encoding="utf-8")
    done.write_text(str(len(chosen)))


def title_queries(chosen: Sequence[Article], count: int) -> list[str]:
    """count queries of 2-3 words (four letters or more) from the folder's own titles, fixed seed."""
    rng = random.Random(SEED)
    queries: list[str] = []
    while len(queries) < count:
        words = [w.strip(".,;:'\"()?!").lower() for w in rng.choice(chosen).title.split()]
        words = list(dict.fromkeys(w for w in words if len(w) >= 4 and w.isalpha()))
        if len(words) >= 2:
            queries.append(" ".join(rng.sample(words, min(len(words), rng.choice((2, 3))))))
    return queries


PHRASE_STOP_WORDS = frozenset(
    ["the", "of", "to", "a", "in", "and", "for", "on", "at", "by", "with", "from", "is", "as", "his", "it"]
)


def phrase_queries(chosen: Sequence[Article], count: int) -> list[str]:
    """count quoted phrases of 3-4 consecutive title words, each holding a stop word ('"the white
    house"', '"lock her up"'), from the folder's own titles, fixed seed: a phrase reads the positions
    of its stop words, the costliest postings of the index."""
    rng = random.Random(SEED)
    queries: list[str] = []
    while len(queries) < count:
        words = [w.strip(".,;:'\"()?!").lower() for w in rng.choice(chosen).title.split()]
        size = rng.choice((3, 4))
        spans = [words[n : n + size] for n in range(len(words) - size + 1)]
        spans = [span for span in spans if all(w.isalpha() for w in span) and PHRASE_STOP_WORDS & set(span)]
        if spans:
            queries.append('"' + " ".join(rng.choice(spans)) + '"')
    return queries


def tree_memory_mb(pid: int) -> float:
    """Memory of a process and its descendants now, in MB: the sum of their proportional set sizes.

    PSS counts a page shared by several processes (a fork's, a library's) once in all, where
    summing RSS would count it in each: our full build forks a worker a core.
    """
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        total += next((int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:")), 0)
        pending.extend(int(child) for child in children)
    return total / 1024


def timed_process(
    command: Sequence[str], env: dict[str, str] | None = None, memory: bool = False
) -> tuple[float, float]:
    """Wall seconds of one process, which must succeed, and (memory=True) its peak memory in MB.

    The memory of the process and its children is sampled from /proc (ru_maxrss would count this
    benchmark's own memory, which a child holds between fork and exec) every 20 ms at first, then
    less often, to a second: reading a large process's memory map costs CPU the measured command
    would otherwise have (every 20 ms took a third of a core during a million-article build). Short
    commands are timed without sampling, which would round them up to the sampling period.
    """
    with tempfile.TemporaryFile() as stderr:  # a file, not a pipe: a chatty process must not block
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
        peak = 0.0
        while memory and process.poll() is None:
            peak = max(peak, tree_memory_mb(process.pid))
            time.sleep(min(1.0, 0.02 + (time.perf_counter() - started) / 100))
        process.wait()
        seconds = time.perf_counter() - started
        if process.returncode not in (0, 1):
            stderr.seek(0)
            raise RuntimeError(f"{' '.join(command)} failed: {stderr.read().decode()[-300:]}")
    return seconds, peak


def size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1_048_576


def latency(run: Callable[[str], object], queries: Sequence[str]) -> tuple[float, float]:
    """Mean and p95 milliseconds of run over the queries, after two warm-up runs."""
    for query in queries[:2]:
        run(query)
    times = []
    for query in queries:
        started = time.perf_counter()
        run(query)
        times.append(1000 * (time.perf_counter() - started))
    times.sort()
    return statistics.fmean(times), times[int(0.95 * (len(times) - 1))]


def change_files(corpus: Path, count: int, run: int) -> None:
    """Edit count files spread over the folder: a line appended, different on every run."""
    paths = sorted(corpus.rglob("*.txt"))
    for path in paths[:: max(1, len(paths) // count)][:count]:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"Updated story, edit {run}.\n")


@dataclass
class Row:
    system: str
    figures: dict[str, str] = field(default_factory=dict)


def measure_ours(
    corpus: Path, index_dir: Path, queries: list[str], process_queries: int, docs: int, phrases: list[str]
) -> Row:
    import search

    env = {k: v for k, v in os.environ.items() if not k.startswith("SEARCH_")} | {"NO_COLOR": "1"}
    index = [str(SEARCH), "index", str(corpus), "--index-dir", str(index_dir), "--quiet"]
    shutil.rmtree(index_dir, ignore_errors=True)
    seconds, rss = timed_process([*index, "--rebuild"], env, memory=True)
    noop, _ = timed_process(index, env)
    change_files(corpus, CHANGED_FILES, run=int(time.time()))
    changed, _ = timed_process(index, env)
    in_process = measure_latency(index_dir, queries, phrases)
    query = [str(SEARCH), "query", "--index-dir", str(index_dir), "--limit", "10", "--"]
    # As installed: an editable install has no bytecode until a first run writes it, and none is ever
    # written under PYTHONDONTWRITEBYTECODE; compiling each run would count ~25 ms of our own modules.
    compileall.compile_dir(Path(search.__file__).parent, quiet=1)
    whole = latency(lambda q: timed_process([*query, *q.split()], env), queries[:process_queries])
    resident = latency_with_resident(
        index_dir, env, lambda q: timed_process([*query, *q.split()], env), queries[:process_queries]
    )
    return Row("news-search", {
        "index s": f"{seconds:.1f}", "docs/s": f"{docs / seconds:.0f}", "peak memory MB": f"{rss:.0f}",
        "index MB": f"{size_mb(index_dir):.0f} ({size_mb(index_dir) / size_mb(corpus):.1f}x)",
        "no-op s": f"{noop:.2f}", f"{CHANGED_FILES} changed s": f"{changed:.2f}",
        **in_process.figures,
        "process ms mean/p95": f"{whole[0]:.0f} / {whole[1]:.0f}",
        "resident process ms mean/p95": f"{resident[0]:.0f} / {resident[1]:.0f}",
    })  # fmt: skip


def measure_latency(index_dir: Path, queries: list[str], phrases: list[str]) -> Row:
    """Top 10 with snippets, in-process through the library: title queries and quoted phrases."""
    from search import open_index

    opened = open_index(index_dir)
    mean, p95 = latency(lambda q: opened.search(q, limit=10), queries)
    phrase_mean, phrase_p95 = latency(lambda q: opened.search(q, limit=10), phrases)
    return Row("news-search", {
        "query ms mean/p95": f"{mean:.1f} / {p95:.1f}",
        "phrase ms mean/p95": f"{phrase_mean:.1f} / {phrase_p95:.1f}",
    })  # fmt: skip


def latency_with_resident(
    index_dir: Path, env: dict[str, str], step: Callable[[str], object], items: list[str]
) -> tuple[float, float]:
    """latency() of whole processes while a `search serve` holds the index open: they ask it."""
    from search.client import SOCKET_NAME

    serving = subprocess.Popen(
        [str(SEARCH), "serve", "--index-dir", str(index_dir), "--port", "0"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not (index_dir / SOCKET_NAME).exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        step(items[0])  # the serving process's first answer opens its searcher
        return latency(step, items)
    finally:
        serving.terminate()
        serving.wait(timeout=60)


EXPORT_HITS = 10_000  # the size of the export the workbench times (issue 18: under 5 s and 300 MB)
BATCH_QUERIES = 1_000


def common_words(chosen: Sequence[Article], count: int) -> list[str]:
    """The count most frequent title words of five letters or more: subjects a timeline is drawn for."""
    words = Counter(
        w for article in chosen for w in {w.strip(".,;:'\"()?!").lower() for w in article.title.split()}
        if len(w) >= 5 and w.isalpha() and w not in PHRASE_STOP_WORDS
    )  # fmt: skip
    return [word for word, _ in words.most_common(count)]


def measure_workbench(index_dir: Path, chosen: Sequence[Article], queries: list[str], work: Path) -> Row:
    """The analyst's workbench on a built index: timelines and browsing in-process (warm), a
    timeline as a whole process, an export of ~10,000 hits as CSV (time and peak memory), and a
    batch of title queries as a process."""
    from search import open_index

    env = {k: v for k, v in os.environ.items() if not k.startswith("SEARCH_")} | {"NO_COLOR": "1"}
    opened = open_index(index_dir)
    words = common_words(chosen, 20)
    timeline = latency(lambda w: opened.timeline(w), words)
    split = latency(lambda w: opened.timeline(w, split_by="actor"), words[:5])
    whole = latency(lambda _: opened.timeline(None), ["", "", "", "", ""])
    actors = [count.value for count in opened.actors(limit=20)]
    browse = latency(lambda a: opened.search(None, actors=[a], limit=10), actors)
    command = [str(SEARCH), "timeline", "--index-dir", str(index_dir)]
    process = latency(lambda w: timed_process([*command, w], env), words[:10])
    # The word whose matches come nearest 10,000 (every hit of it exported, a page at a time).
    totals = {w: opened.search(w, limit=1).total for w in common_words(chosen, 200)}
    word = min(totals, key=lambda w: abs(totals[w] - EXPORT_HITS))
    export = [str(SEARCH), "query", word, "--all", "--format", "csv", "--index-dir", str(index_dir)]
    export_s, export_mb = timed_process(export, env, memory=True)
    batch_file = work / "batch.txt"
    batch_file.write_text("\n".join((queries * (BATCH_QUERIES // len(queries) + 1))[:BATCH_QUERIES]) + "\n")
    batch_s, _ = timed_process([str(SEARCH), "batch", str(batch_file), "--index-dir", str(index_dir)], env)
    per_second = BATCH_QUERIES / batch_s
    return Row("news-search workbench", {
        "timeline ms mean/p95": f"{timeline[0]:.1f} / {timeline[1]:.1f}",
        "timeline of all ms": f"{whole[0]:.1f}",
        "split by actor ms": f"{split[0]:.0f} / {split[1]:.0f}",
        "timeline process ms": f"{process[0]:.0f} / {process[1]:.0f}",
        "browse by actor ms": f"{browse[0]:.1f} / {browse[1]:.1f}",
        "export s / MB": f"{export_s:.1f} / {export_mb:.0f} ({totals[word]:,} hits of {word!r})",
        "batch queries/s": f"{per_second:.0f} (100,000 in {100_000 / per_second / 60:.0f} min)",
    })  # fmt: skip


def measure_baseline(search: Path, corpus: Path, index_dir: Path, docs: int) -> Row:
    """A full build by another installed version of the program, for a before/after in one run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEARCH_")} | {"NO_COLOR": "1"}
    shutil.rmtree(index_dir, ignore_errors=True)
    command = [str(search), "index", str(corpus), "--index-dir", str(index_dir), "--quiet", "--rebuild"]
    seconds, rss = timed_process(command, env, memory=True)
    return Row(f"baseline ({search})", {
        "index s": f"{seconds:.1f}", "docs/s": f"{docs / seconds:.0f}", "peak memory MB": f"{rss:.0f}",
        "index MB": f"{size_mb(index_dir):.0f} ({size_mb(index_dir) / size_mb(corpus):.1f}x)",
    })  # fmt: skip


def textbook_worker(corpus: str, index_dir: str) -> None:
    """Textbook Whoosh on the folder's files, read into memory first; prints its indexing seconds."""
    import whoosh.index
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import ID, TEXT, Schema

    documents = []
    for path in sorted(Path(corpus).rglob("*.txt")):
        title, _, body = path.read_text(encoding="utf-8").partition("\n")
        documents.append((str(path), title, body))
    schema = Schema(path=ID(stored=True, unique=True), title=TEXT(StemmingAnalyzer(), stored=True),
                    body=TEXT(StemmingAnalyzer(), stored=True))  # fmt: skip
    shutil.rmtree(index_dir, ignore_errors=True)
    os.makedirs(index_dir)
    started = time.perf_counter()
    writer = whoosh.index.create_in(index_dir, schema).writer(limitmb=256)
    for name, title, body in documents:
        writer.add_document(path=name, title=title, body=body)
    writer.commit()
    print(time.perf_counter() - started)


def measure_textbook(corpus: Path, index_dir: Path, docs: int) -> Row:
    process = subprocess.run(
        [sys.executable, "-m", "bench.scale", "--textbook-worker", str(corpus), str(index_dir)],
        capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parent.parent,
    )  # fmt: skip
    seconds = float(process.stdout.strip().splitlines()[-1])
    return Row("textbook Whoosh", {
        "index s": f"{seconds:.1f}", "docs/s": f"{docs / seconds:.0f}",
        "index MB": f"{size_mb(index_dir):.0f} ({size_mb(index_dir) / size_mb(corpus):.1f}x)",
    })  # fmt: skip


def measure_ripgrep(corpus: Path, queries: list[str], count: int) -> Row:
    words = [q.split()[0] for q in queries[:count]]
    mean, p95 = latency(lambda w: timed_process(["rg", "-il", w, str(corpus)]), words)
    return Row("ripgrep (one word)", {"process ms mean/p95": f"{mean:.0f} / {p95:.0f}"})


def measure_recoll(corpus: Path, work: Path, queries: list[str], count: int, docs: int) -> Row:
    config = work / "recoll-config"
    shutil.rmtree(config, ignore_errors=True)
    config.mkdir(parents=True)
    (config / "recoll.conf").write_text(f"topdirs = {corpus}\nidxflushmb = 50\n")
    seconds, rss = timed_process(["recollindex", "-c", str(config), "-z"], memory=True)
    noop, _ = timed_process(["recollindex", "-c", str(config)])
    change_files(corpus, CHANGED_FILES, run=int(time.time()))
    changed, _ = timed_process(["recollindex", "-c", str(config)])
    query = ["recollq", "-c", str(config), "-n", "10", "-A", "-g", "3"]
    whole = latency(lambda q: timed_process([*query, q]), queries[:count])
    index_mb = size_mb(config / "xapiandb")
    return Row("Recoll", {
        "index s": f"{seconds:.1f}", "docs/s": f"{docs / seconds:.0f}", "peak memory MB": f"{rss:.0f}",
        "index MB": f"{index_mb:.0f} ({index_mb / size_mb(corpus):.1f}x)", "no-op s": f"{noop:.2f}",
        f"{CHANGED_FILES} changed s": f"{changed:.2f}",
        "process ms mean/p95": f"{whole[0]:.0f} / {whole[1]:.0f}",
    })  # fmt: skip


def print_table(title: str, rows: list[Row]) -> None:
    columns = list(dict.fromkeys(name for row in rows for name in row.figures))
    print(f"\n{title}\n")
    print("| system | " + " | ".join(columns) + " |")
    print("|---|" + "---|" * len(columns))
    for row in rows:
        print(f"| {row.system} | " + " | ".join(row.figures.get(c, "-") for c in columns) + " |")


def main(argv: list[str] | None = None) -> dict[int, list[Row]]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,10000,all", help="sizes; 'all': every article; '': none")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--process-queries", type=int, default=30)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/news-search-scale"))
    parser.add_argument("--no-textbook", action="store_true")
    parser.add_argument("--no-recoll", action="store_true")
    parser.add_argument("--baseline", type=Path, help="another installed search command to time beside ours")
    parser.add_argument(
        "--workbench-only", action="store_true",
        help="only the workbench figures (timelines, browsing, export, batch), on each folder's built index",
    )  # fmt: skip
    parser.add_argument(
        "--latency-only", action="store_true",
        help="only the in-process query latencies, on each folder's built index (to compare two installs "
        "of the program: run it with each, alternately)",
    )  # fmt: skip
    parser.add_argument("--million", type=Path, help="also a folder written by bench.million (ours, ripgrep)")
    parser.add_argument("--textbook-worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.textbook_worker:
        textbook_worker(*args.textbook_worker)
        return {}
    everything = articles()
    tables: dict[int, list[Row]] = {}
    for size in [len(everything) if s == "all" else int(s) for s in args.sizes.split(",") if s]:
        chosen = everything[:size]
        corpus, work = args.folder / f"corpus-{size}", args.folder / f"work-{size}"
        write_folder(corpus, chosen)
        queries = title_queries(chosen, args.queries)
        phrases = phrase_queries(chosen, args.queries)
        if args.latency_only:
            rows = [measure_latency(work / "index", queries, phrases)]
            print_table(f"{size:,} articles, {os.cpu_count()} cores: queries in-process", rows)
            tables[size] = rows
            continue
        if args.workbench_only:
            rows = [measure_workbench(work / "index", chosen, queries, work)]
            print_table(f"{size:,} articles, {os.cpu_count()} cores: the workbench", rows)
            tables[size] = rows
            continue
        rows = [measure_baseline(args.baseline, corpus, work / "baseline", size)] if args.baseline else []
        rows.append(measure_ours(corpus, work / "index", queries, args.process_queries, size, phrases))
        rows.append(measure_workbench(work / "index", chosen, queries, work))
        if not args.no_textbook:
            rows.append(measure_textbook(corpus, work / "textbook", size))
        if shutil.which("rg"):
            rows.append(measure_ripgrep(corpus, queries, args.process_queries))
        if not args.no_recoll and shutil.which("recollindex"):
            rows.append(measure_recoll(corpus, work, queries, args.process_queries, size))
        print_table(f"{size:,} articles ({size_mb(corpus):.0f} MB of text), {os.cpu_count()} cores", rows)
        tables[size] = rows
    if args.million:
        tables[-1] = measure_million(args.million, args.folder / "work-million", args)
    return tables


def measure_million(corpus: Path, work: Path, args: argparse.Namespace) -> list[Row]:
    """Ours and ripgrep on a bench.million folder (textbook Whoosh would take hours more)."""
    sample = sampled_articles(corpus, MILLION_SAMPLE)
    queries, phrases = title_queries(sample, args.queries), phrase_queries(sample, args.queries)
    docs = sum(1 for _ in corpus.glob("*/*.txt"))
    rows = [measure_ours(corpus, work / "index", queries, args.process_queries, docs, phrases)]
    if shutil.which("rg"):
        rows.append(measure_ripgrep(corpus, queries, args.process_queries))
    text_mb = size_mb(corpus)
    print_table(f"{docs:,} bench.million articles ({text_mb:.0f} MB of text), {os.cpu_count()} cores", rows)
    return rows


if __name__ == "__main__":
    main()
