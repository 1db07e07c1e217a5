"""Put thousands of hostile queries to an index and report how long the slowest took and what failed.

    python -m bench.hostile INDEX_DIR [--queries 2000] [--seed 1] [--budget 2.0]

Anything a user can type or paste is a query: random printable junk, wildcards that would read the
whole vocabulary ('?*', '**', '*a*', 's*'), fuzzy words with large distances, field clauses naming
internal fields (`_stored_body:`, `words:`), broken date ranges, deep brackets, hundreds of ORs,
pasted news paragraphs up to the HTTP API's 1,000 characters, words of 1,000 letters, control and
right-to-left characters. Each goes through the Python API (`open_index(...).search(q, limit=10)`),
as `search serve` runs it. A query may be refused with one of our own errors (QueryError,
BadInputError); any other exception is a failure. The report gives the errors by kind, the time per
query (mean, p99, max), how many took longer than the budget, and the slowest queries.
"""

from __future__ import annotations

import argparse
import random
import string
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench.data import ALLSIDES, rows
from search import SearchError, open_index

MAX_QUERY_CHARS = 1_000  # the HTTP API's bound (search/server.py)
SYNTAX = '*?~^:"()[]{}+-!/\\&|<>=.,;'
FIELDS = ("title", "body", "actor", "date", "author", "_stored_body", "words", "id", "path", "url", "size")
WORDS = ("mali", "the", "coup", "trump", "russia", "a", "of", "senate", "s", "t", "election", "house")


@dataclass(frozen=True)
class Outcome:
    query: str
    seconds: float
    error: str  # '' when answered; our exception's name when refused; 'FAILURE: ...' otherwise


def pasted_paragraphs(count: int, rng: random.Random) -> list[str]:
    """Slices of real news text, as users paste them, up to the HTTP bound."""
    if not ALLSIDES.is_file():
        return []
    texts = [story["text"] for story in rows(ALLSIDES, stop=2_000)]
    chosen = []
    for _ in range(count):
        text = rng.choice(texts)
        start = rng.randrange(max(1, len(text) - 50))
        chosen.append(text[start : start + rng.randint(20, MAX_QUERY_CHARS)])
    return chosen


def hostile_queries(count: int, seed: int) -> list[str]:
    """A seeded mix of every kind of hostile query, `count` in all."""
    rng = random.Random(seed)

    def junk() -> str:
        return "".join(rng.choice(string.printable[:94] + " ") for _ in range(rng.randint(1, 200)))

    def wildcard() -> str:
        return rng.choice(["?*", "**", "*?", "*a*", "s*", "t*", "a?b*c", "?", "*", "??*??", "a*", "e*e*e*"])

    def fuzzy() -> str:
        return f"{rng.choice(WORDS)}~{rng.choice(['', '2', '5', '9', '99'])}"

    def field() -> str:
        value = rng.choice([*WORDS, '"a b c"', "[x to y]", "[2012 to]", "[to 1900]", "(mali OR *)", ""])
        return f"{rng.choice(FIELDS)}:{value}"

    def nested() -> str:
        depth = rng.randint(10, 200)
        return "(" * depth + rng.choice(WORDS) + ")" * rng.randint(0, depth)

    def many_ors() -> str:
        return " OR ".join(
            rng.choice(WORDS) + rng.choice(["", "*", "~"]) for _ in range(rng.randint(50, 300))
        )

    def odd_unicode() -> str:
        chars = "\u202e\u200b\u0000\u0007\ufeff\U0001f600\u0301é日本語" + SYNTAX
        return "".join(rng.choice(chars) for _ in range(rng.randint(1, 60)))

    def mixed() -> str:
        parts = [rng.choice([junk, wildcard, fuzzy, field, rng.choice(WORDS).__str__])() for _ in range(4)]
        return " ".join(parts)

    makers = [
        junk,
        wildcard,
        fuzzy,
        field,
        nested,
        many_ors,
        odd_unicode,
        mixed,
        lambda: "a" * rng.randint(100, 1000),
    ]
    pasted = pasted_paragraphs(count // 10, rng)
    queries = [rng.choice(makers)() for _ in range(count - len(pasted))] + pasted
    rng.shuffle(queries)
    return [query[:MAX_QUERY_CHARS] for query in queries]


def run(index_dir: Path, queries: list[str]) -> list[Outcome]:
    """Each query through the Python API, timed; our errors are refusals, anything else a failure."""
    index = open_index(index_dir)
    outcomes = []
    for query in queries:
        started = time.perf_counter()
        try:
            index.search(query, limit=10)
            error = ""
        except SearchError as refused:
            error = type(refused).__name__
        except Exception as failure:  # what this benchmark exists to find
            error = f"FAILURE: {type(failure).__name__}: {failure}"
        outcomes.append(Outcome(query, time.perf_counter() - started, error))
    return outcomes


def report(outcomes: list[Outcome], budget: float) -> None:
    seconds = sorted(outcome.seconds for outcome in outcomes)
    kinds = Counter(outcome.error.split(":")[0] if outcome.error else "answered" for outcome in outcomes)
    over = [outcome for outcome in outcomes if outcome.seconds > budget]
    print(
        f"| queries | answered | refused (ours) | failures | mean ms | p99 ms | max ms | over {budget:g} s |"
    )
    print("|---|---|---|---|---|---|---|---|")
    refused = sum(n for kind, n in kinds.items() if kind not in ("answered", "FAILURE"))
    print(
        f"| {len(outcomes)} | {kinds['answered']} | {refused} | {kinds['FAILURE']} "
        f"| {1000 * sum(seconds) / len(seconds):.1f} | {1000 * seconds[int(0.99 * (len(seconds) - 1))]:.1f} "
        f"| {1000 * seconds[-1]:.1f} | {len(over)} |"
    )
    print("\nrefusals and failures:", dict(kinds))
    print("\nslowest:")
    for outcome in sorted(outcomes, key=lambda o: -o.seconds)[:10]:
        print(f"  {1000 * outcome.seconds:8.1f} ms  {outcome.query[:90]!r}  {outcome.error}")
    for outcome in outcomes:
        if outcome.error.startswith("FAILURE"):
            print(f"FAILURE on {outcome.query[:120]!r}: {outcome.error}")


def main(argv: list[str] | None = None) -> list[Outcome]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("index_dir", type=Path)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--budget", type=float, default=2.0, help="seconds a query may take")
    args = parser.parse_args(argv)
    outcomes = run(args.index_dir, hostile_queries(args.queries, args.seed))
    report(outcomes, args.budget)
    return outcomes


if __name__ == "__main__":
    main()
