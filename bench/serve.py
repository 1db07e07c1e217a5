"""Load the HTTP API from a second process: concurrent clients on loopback, latency and errors; or time the
web page's views one request at a time.

    python -m bench.serve [--files 5000] [--clients 8] [--seconds 30] [--folder DIR]
    python -m bench.serve --pages INDEX_DIR [--rounds 3]

Indexes --files Reuters-21578 stories (the folder bench/reindex.py writes, reused), starts
`search serve` on a free port as its own process, then runs --clients threads here, each
sending /search requests one after another for --seconds: 2-3 words drawn from the stories'
titles (fixed seed), top 10 with snippets. Prints requests, errors, requests per second and
latency mean, p50, p95 and p99.

With --pages, serves INDEX_DIR (built already: the scale folder's) and asks, one request at a time, for
the search page (hits, facets and the timeline) of each of the 40 words most frequent in the corpora's
headlines (common words: 'trump', 'house', 'says'), then the document page of each one's first hit with
its word marked, --rounds times after one round to warm up; prints mean, p50, p95 and max of each view
and of the first search page the server answered (asked for 3 s after it said it was serving).
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

from bench.data import ALLSIDES, REUTERS, rows
from bench.reindex import write_folder
from search import index_corpus

SEARCH = Path(sys.executable).with_name("search")
FIRST_VISIT = 3.0  # seconds from the server's "serving" line to the first page asked for (a person's pace)


def title_queries(count: int, seed: int = 20261122) -> list[str]:
    """count queries of 2-3 words of four letters or more, drawn from Reuters headlines."""
    titles = [story["title"] for story in rows(REUTERS)]
    rng = random.Random(seed)
    queries: list[str] = []
    while len(queries) < count:
        words = [w.strip(".,'\"()").lower() for w in rng.choice(titles).split()]
        words = [w for w in words if len(w) >= 4 and w.isalpha()]
        if len(words) >= 2:
            queries.append(" ".join(rng.sample(words, min(len(words), rng.choice((2, 3))))))
    return queries


def load(url: str, queries: list[str], clients: int, seconds: float) -> tuple[list[float], list[str]]:
    """Latencies of every answered request, and what went wrong with the others."""
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + seconds

    def client(number: int) -> None:
        with httpx.Client(base_url=url, timeout=60) as http:
            n = number
            while time.monotonic() < deadline:
                started = time.perf_counter()
                try:
                    response = http.get("/search", params={"q": queries[n % len(queries)], "limit": 10})
                    if response.status_code != 200:
                        errors.append(f"{response.status_code} {response.text[:100]}")
                    else:
                        latencies.append(time.perf_counter() - started)
                except httpx.HTTPError as error:
                    errors.append(repr(error))
                n += clients

    threads = [threading.Thread(target=client, args=(number,)) for number in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors


def common_words(count: int = 40) -> list[str]:
    """The words of five letters or more most frequent in Reuters' and AllSides' headlines."""
    counted: Counter[str] = Counter()
    for path in (REUTERS, ALLSIDES):
        for story in rows(path):
            words = (w.strip(".,'\"()?:;!").lower() for w in story["title"].split())
            counted.update(w for w in words if len(w) >= 5 and w.isalpha())
    return [word for word, _ in counted.most_common(count)]


def _figures(seconds: list[float]) -> dict[str, float]:
    ms = sorted(1000 * s for s in seconds)
    return {
        "requests": len(ms),
        "mean ms": statistics.fmean(ms),
        "p50 ms": ms[len(ms) // 2],
        "p95 ms": ms[int(0.95 * (len(ms) - 1))],
        "max ms": ms[-1],
    }


def time_pages(index_dir: Path, rounds: int) -> dict[str, dict[str, float]]:
    """Each view's latency, one request at a time, from a `search serve` of index_dir."""
    served = subprocess.Popen(
        [str(SEARCH), "serve", "--index-dir", str(index_dir), "--port", "0"],
        stderr=subprocess.PIPE,
        text=True,
    )
    views: dict[str, list[float]] = {"search page": [], "document page": [], "first search page": []}
    try:
        url = served.stderr.readline().split(" on ")[1].split()[0]  # type: ignore[union-attr]
        words = common_words()
        time.sleep(FIRST_VISIT)
        with httpx.Client(base_url=url, timeout=60) as http:

            def timed(path: str, params: dict[str, str]) -> tuple[float, httpx.Response]:
                started = time.perf_counter()
                answer = http.get(path, params=params)
                elapsed = time.perf_counter() - started
                if answer.status_code != 200:
                    raise SystemExit(f"{path} {params}: {answer.status_code} {answer.text[:200]}")
                return elapsed, answer

            first_ids = {}
            for number, word in enumerate(words):  # the warm-up round: ids to read, the first page's time
                elapsed, answer = timed("/", {"q": word})
                if number == 0:
                    views["first search page"].append(elapsed)
                first_ids[word] = answer.text.split('href="/read?id=', 1)[1].split("&amp;", 1)[0]
            for _ in range(rounds):
                for word in words:
                    views["search page"].append(timed("/", {"q": word})[0])
                    document_id = httpx.QueryParams("id=" + first_ids[word])["id"]
                    views["document page"].append(timed("/read", {"id": document_id, "q": word})[0])
    finally:
        served.terminate()
        served.wait(timeout=30)
    figures = {view: _figures(seconds) for view, seconds in views.items()}
    print(f"search serve's pages, {index_dir}, {len(words)} common words, {rounds} rounds, one at a time")
    print("| view | " + " | ".join(figures["search page"]) + " |")
    print("|---|" + "|".join("---" for _ in figures["search page"]) + "|")
    for view, row in figures.items():
        cells = (f"{v:.0f}" if k == "requests" else f"{v:.1f}" for k, v in row.items())
        print(f"| {view} | " + " | ".join(cells) + " |")
    return figures


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/news-search-reindex"))
    parser.add_argument("--pages", type=Path, metavar="INDEX_DIR", help="Time the web page's views instead.")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    if args.pages is not None:
        pages = time_pages(args.pages, args.rounds)
        return {f"{view} {name}": value for view, row in pages.items() for name, value in row.items()}
    corpus, index_dir = args.folder / f"corpus-{args.files}", args.folder / f"serve-index-{args.files}"
    write_folder(corpus, args.files)
    shutil.rmtree(index_dir, ignore_errors=True)
    index_corpus(corpus, index_dir)
    served = subprocess.Popen(
        [str(SEARCH), "serve", "--index-dir", str(index_dir), "--port", "0"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        announced = served.stderr.readline()  # type: ignore[union-attr]
        url = announced.split(" on ")[1].split()[0]
        queries = title_queries(200)
        load(url, queries[:20], args.clients, 2.0)  # warm up: imports, caches, first segment reads
        latencies, errors = load(url, queries, args.clients, args.seconds)
    finally:
        served.terminate()
        served.wait(timeout=30)
    ms = sorted(1000 * s for s in latencies)
    figures = {
        "requests": len(ms) + len(errors),
        "errors": len(errors),
        "requests/s": len(ms) / args.seconds,
        "mean ms": statistics.fmean(ms),
        "p50 ms": ms[len(ms) // 2],
        "p95 ms": ms[int(0.95 * (len(ms) - 1))],
        "p99 ms": ms[int(0.99 * (len(ms) - 1))],
    }
    print(f"search serve, {args.files} documents, {args.clients} clients, {args.seconds:.0f} s, top 10")
    print("| " + " | ".join(figures) + " |")
    print("|" + "|".join("---" for _ in figures) + "|")
    print(
        "| "
        + " | ".join(f"{v:.0f}" if k in ("requests", "errors") else f"{v:.1f}" for k, v in figures.items())
        + " |"
    )
    for error in errors[:5]:
        print("error:", error)
    return figures


if __name__ == "__main__":
    main()
