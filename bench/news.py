"""A news-shaped relevance check: what users of a news folder type, with pseudo-relevance feedback on and off.

    python -m bench.news [--stories N] [--queries Q] [--reuters R] [--seed S]

bench/relevance.py scores the ranking on library test collections (Cranfield, CISI) whose queries are
questions about abstracts. News searches look different: a headline pasted whole, a few words of one
remembered, a topic with a year, a commodity or market. This builds two small news indexes from
../shared/corpora and puts those queries to each, once with feedback and once without (a per-search
switch, so both columns come from the same index in the same run). It is a regression guard for the
ranking, not a target to tune it on: the definitions below are fixed and the figures are only compared
with earlier runs of the same command.

AllSides (N stories, written as front matter files with title, date and outlet, as bench/realistic.py
writes them):
  headline        Q stories; the query is the headline as typed; success@1 and MRR@10 of the story.
  versions        the same queries; recall@10 of the story's versions from other outlets (below).
  partial         the 3 longest content words of the headline (4 when it has more than 6); success@10, MRR.
  dated           a topic phrase with a year ("immigration 2018"), for each year the index holds 5 stories
                  of the topic: the share of the top 10 dated that year (by the source's date), beside
                  the share for the phrase alone. The year is typed as a plain word (no date: clause), and
                  stories mention years not their own: both rows are printed so that a gain shows as one.
Reuters-21578 (R stories with at least one topic label):
  topics          a short phrase (what a user types) and a long sentence ("news about ... and how ...")
                  for each of 28 frequent topic codes (those at least 5 sampled stories carry);
                  relevant = labelled with the code; nDCG@10.

Same-event versions are computed once over all 20,000 AllSides stories: two stories are versions of one
event when they have the same AllSides topic, come from different outlets, are dated at most 3 days apart,
and their headline + first 50 content words (stemmed, stop words out) have a Jaccard overlap of at least
0.2 (read by hand at 0.2-0.25: the same event, reported differently). A random 10% sample would hold both
halves of ~1% of pairs, so half of the headline queries are drawn among stories that have versions and
their versions are indexed too; the other half are drawn from the rest of the sample.
"""

from __future__ import annotations

import argparse
import random
import re
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from bench.data import REUTERS, reuters_text, rows
from bench.realistic import STOP_WORDS, WORD_RE, Story, fold, load_stories, print_table, site_name, slug, stem
from bench.trec import ndcg_at
from search import BadInputError, QueryError, SearchIndex, index_corpus, open_index

DEFAULT_SEED = 20260301
DEFAULT_STORIES = 2_000
DEFAULT_QUERIES = 200
DEFAULT_REUTERS = 3_000
DEPTH = 10  # every measure looks at the first page only

EVENT_DAYS = 3
EVENT_LEAD_WORDS = 50
EVENT_JACCARD = 0.2

MIN_YEAR_STORIES = 5  # a topic-year pair is queried when the index holds this many of the topic's stories
MIN_TOPIC_STORIES = 5  # a Reuters code is queried when this many stories in the sample carry it

# AllSides topic -> what a user types for it; the year is added as a word.
TOPIC_PHRASES = {
    "immigration": "immigration", "healthcare": "health care", "gun_control_and_gun_rights": "gun control",
    "supreme_court": "supreme court", "federal_budget": "budget", "economy_and_jobs": "jobs economy",
    "middle_east": "middle east", "environment": "climate change", "terrorism": "terrorism",
    "taxes": "tax reform", "trade": "trade tariffs", "abortion": "abortion", "education": "schools education",
    "elections": "election", "white_house": "white house", "us_senate": "senate vote",
}  # fmt: skip

# Reuters topic code -> what a user types for it, and a long natural-language version of it.
REUTERS_SHORT = {
    "earn": "quarterly earnings profit",
    "acq": "takeover merger acquisition",
    "money-fx": "foreign exchange currency markets",
    "crude": "crude oil prices",
    "grain": "grain exports wheat corn",
    "trade": "trade deficit tariffs",
    "interest": "interest rates",
    "ship": "shipping vessels ports",
    "dlr": "dollar exchange rate",
    "oilseed": "oilseeds soybeans rapeseed",
    "money-supply": "money supply",
    "sugar": "sugar prices",
    "gnp": "economic growth gross national product",
    "coffee": "coffee export quotas",
    "veg-oil": "vegetable oil palm oil",
    "gold": "gold",
    "nat-gas": "natural gas",
    "bop": "balance of payments",
    "livestock": "cattle hogs livestock",
    "cpi": "consumer prices inflation",
    "reserves": "foreign exchange reserves",
    "copper": "copper",
    "cocoa": "cocoa",
    "jobs": "unemployment jobs",
    "ipi": "industrial production",
    "iron-steel": "steel industry",
    "cotton": "cotton",
    "rice": "rice",
}
REUTERS_LONG = {
    "earn": "news about company quarterly earnings and how net profit compared with last year",
    "acq": "news about companies buying other companies and takeover bids for their shares",
    "money-fx": "news about foreign exchange markets and how central banks intervene to move currencies",
    "crude": "news about crude oil prices and how OPEC output affects the oil market",
    "grain": "news about grain harvests and exports and how they affect world grain trade",
    "trade": "news about trade deficits between countries and how tariffs affect imports and exports",
    "interest": "news about central banks changing interest rates and how it affects lending",
    "ship": "news about shipping and ports and how strikes affect vessels and cargo",
    "dlr": "news about the US dollar exchange rate and how it moves against other currencies",
    "oilseed": "news about oilseed crops like soybeans and rapeseed and how much is sold abroad",
    "money-supply": "news about the growth of the money supply and how central banks target it",
    "sugar": "news about the sugar market and how crops and exports affect sugar prices",
    "gnp": "news about gross national product figures and how fast the economy is growing",
    "coffee": "news about coffee producers and how export quotas affect coffee prices",
    "veg-oil": "news about vegetable oils such as palm oil and how their trade is changing",
    "gold": "news about gold mining and the price of gold and how much gold is produced",
    "nat-gas": "news about natural gas production and pipelines and how gas prices change",
    "bop": "news about a country's balance of payments and how its current account changed",
    "livestock": "news about livestock farming and how cattle and hog numbers change",
    "cpi": "news about consumer price index figures and how fast inflation is rising",
    "reserves": "news about a central bank's foreign currency reserves and how they rose or fell",
    "copper": "news about copper mines and smelters and how copper prices change",
    "cocoa": "news about the cocoa market and how the buffer stock affects cocoa prices",
    "jobs": "news about unemployment figures and how many people are out of work",
    "ipi": "news about industrial production figures and how factory output changed",
    "iron-steel": "news about steel makers and how steel production and imports are changing",
    "cotton": "news about cotton crops and how cotton exports and prices are changing",
    "rice": "news about rice harvests and how much rice countries export and import",
}

Figures = dict[str, dict[str, float]]  # measure -> {"on": .., "off": .., "queries": n}
MODES = (("on", True), ("off", False))


# ---------------------------------------------------------------------------------------------------------
# Definitions: same-event versions, query makers


def content_words(text: str) -> list[str]:
    """The words of text (folded) that say something: not stop words, not single letters."""
    return [w for w in WORD_RE.findall(fold(text)) if len(w) > 1 and w not in STOP_WORDS]


def event_words(story: Story) -> frozenset[str]:
    """The stems a story's event is recognised by: its headline and the first content words of its text."""
    lead = content_words(story.text[: EVENT_LEAD_WORDS * 20])[:EVENT_LEAD_WORDS]
    return frozenset(stem(w) for w in content_words(story.title) + lead)


def same_event_links(stories: Sequence[Story]) -> dict[str, set[str]]:
    """Each story's versions from other outlets (see the module docstring); symmetric, dated stories only."""
    words = {s.id: event_words(s) for s in stories if s.date}
    by_topic: dict[str, list[Story]] = defaultdict(list)
    for story in stories:
        if story.date and story.topic:
            by_topic[story.topic].append(story)
    links: dict[str, set[str]] = defaultdict(set)
    for group in by_topic.values():
        group.sort(key=lambda s: (s.date, s.id))
        for i, first in enumerate(group):
            for second in group[i + 1 :]:
                assert first.date and second.date
                if (second.date - first.date).days > EVENT_DAYS:
                    break
                if site_name(first.source) == site_name(second.source):
                    continue
                a, b = words[first.id], words[second.id]
                if a and b and len(a & b) / len(a | b) >= EVENT_JACCARD:
                    links[first.id].add(second.id)
                    links[second.id].add(first.id)
    return dict(links)


def partial_query(title: str) -> str | None:
    """What a user remembers of a headline: its 3 longest content words (4 of a headline with more than 6),
    in headline order, as written; None when it has fewer than 3."""
    seen: dict[str, tuple[int, str]] = {}
    for position, word in enumerate(re.findall(r"\w+(?:['’]\w+)*", title)):
        folded = fold(word)
        if len(folded) > 2 and folded not in STOP_WORDS and folded not in seen:
            seen[folded] = (position, word)
    if len(seen) < 3:
        return None
    count = 3 if len(seen) <= 6 else 4
    longest = sorted(seen.values(), key=lambda pw: (-len(pw[1]), pw[0]))[:count]
    return " ".join(word for _, word in sorted(longest))


def dated_queries(stories: Iterable[Story]) -> list[tuple[str, int]]:
    """(topic phrase, year) for each phrase and each year the index holds MIN_YEAR_STORIES of its topic."""
    counts = Counter((s.topic, s.date.year) for s in stories if s.date and s.topic in TOPIC_PHRASES)
    return [(TOPIC_PHRASES[t], y) for (t, y), n in sorted(counts.items()) if n >= MIN_YEAR_STORIES]


# ---------------------------------------------------------------------------------------------------------
# The samples and their files


def sample_allsides(
    stories: Sequence[Story], links: dict[str, set[str]], count: int, queries: int, seed: int
) -> tuple[list[Story], list[Story]]:
    """`count` stories to index and `queries` of them to query: half drawn among stories with versions
    (their versions indexed too), half among the rest of the sample; all chosen by seed."""
    rng = random.Random(seed)
    by_id = {s.id: s for s in stories}
    chosen: dict[str, Story] = {}
    linked = [s for s in stories if s.id in links]
    asked: list[Story] = []
    for story in rng.sample(linked, min(len(linked), queries // 2)):
        group = [story, *(by_id[v] for v in sorted(links[story.id]) if v not in chosen)]
        if story.id in chosen or len(chosen) + len(group) > count:
            continue
        asked.append(story)
        chosen.update((s.id, s) for s in group)
    rest = [s for s in stories if s.id not in chosen]
    chosen.update((s.id, s) for s in rng.sample(rest, max(0, min(count - len(chosen), len(rest)))))
    asked_ids = {s.id for s in asked}
    others = [s for s in chosen.values() if s.id not in asked_ids]
    asked += rng.sample(others, min(len(others), queries - len(asked)))
    return list(chosen.values()), asked


def front_matter(story: Story) -> str:
    """The file as bench/realistic.py writes its front matter shape: title, date, outlet, then the text."""
    title = story.title.replace("\\", "\\\\").replace('"', '\\"')
    lines = ["---", f'title: "{title}"']
    if story.date:
        lines.append(f"date: {story.date.isoformat()}")
    lines += [f"source: {site_name(story.source)}", "---"]
    return "\n".join(lines) + "\n" + story.text + "\n"


def allsides_path(story: Story) -> str:
    return f"{slug(story.title)}-{story.id}.txt"


def build_index(folder: Path, files: dict[str, str]) -> tuple[SearchIndex, float]:
    """Write files (path -> content) under folder/corpus, index them, open the index; and the seconds."""
    corpus = folder / "corpus"
    for path, content in files.items():
        (corpus / path).parent.mkdir(parents=True, exist_ok=True)
        (corpus / path).write_text(content, encoding="utf-8")
    started = time.perf_counter()
    index_corpus(corpus, folder / "index")
    return open_index(folder / "index"), time.perf_counter() - started


# ---------------------------------------------------------------------------------------------------------
# Measuring


class Searcher:
    """One index, asked each query with feedback on and off; a query the engine rejects finds nothing."""

    def __init__(self, index: SearchIndex) -> None:
        self.index = index
        self.failures: list[tuple[str, str]] = []

    def both(self, query: str) -> dict[str, list[str]]:
        return {mode: self.ranked(query, feedback) for mode, feedback in MODES}

    def ranked(self, query: str, feedback: bool) -> list[str]:
        try:
            results = self.index.search(query, limit=DEPTH, feedback=feedback)
        except (QueryError, BadInputError) as error:
            self.failures.append((query, f"feedback {'on' if feedback else 'off'}: {error}"))
            return []
        return [hit.id for hit in results.hits]


def rank_of(ranking: Sequence[str], target: str) -> int | None:
    return ranking.index(target) + 1 if target in ranking[:DEPTH] else None


def reciprocal_rank(ranking: Sequence[str], target: str) -> float:
    rank = rank_of(ranking, target)
    return 1 / rank if rank else 0.0


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


def row(per_mode: dict[str, list[float]]) -> dict[str, float]:
    return {"on": mean(per_mode["on"]), "off": mean(per_mode["off"]), "queries": len(per_mode["on"])}


Miss = tuple[str, int | None, int | None]  # a headline query whose story is not first: its ranks on, off


def measure_allsides(
    searcher: Searcher, sample: Sequence[Story], asked: Sequence[Story], links: dict[str, set[str]]
) -> tuple[Figures, list[Miss]]:
    """The headline, versions, partial and dated rows; and the headline queries that missed the story."""
    misses: list[Miss] = []
    path_of = {s.id: allsides_path(s) for s in sample}
    scores: dict[str, dict[str, list[float]]] = defaultdict(lambda: {"on": [], "off": []})
    for story in asked:
        target = path_of[story.id]
        versions = {path_of[v] for v in links.get(story.id, ()) if v in path_of}
        rankings = searcher.both(story.title)
        if any(r[:1] != [target] for r in rankings.values()):
            misses.append((story.title, rank_of(rankings["on"], target), rank_of(rankings["off"], target)))
        for mode, ranking in rankings.items():
            scores["headline_success1"][mode].append(float(ranking[:1] == [target]))
            scores["headline_mrr10"][mode].append(reciprocal_rank(ranking, target))
            if versions:
                scores["versions_recall10"][mode].append(len(versions & set(ranking)) / len(versions))
        partial = partial_query(story.title)
        if partial:
            for mode, ranking in searcher.both(partial).items():
                scores["partial_success10"][mode].append(float(target in ranking))
                scores["partial_mrr10"][mode].append(reciprocal_rank(ranking, target))
    year_of = {path_of[s.id]: s.date.year for s in sample if s.date}
    dated = dated_queries(sample)
    alone = {phrase: searcher.both(phrase) for phrase in dict.fromkeys(phrase for phrase, _ in dated)}
    for phrase, year in dated:  # the share of the hits on the first page (fewer than 10 when fewer match)
        for key, rankings in (("dated_with_year", searcher.both(f"{phrase} {year}")),
                              ("dated_without_year", alone[phrase])):  # fmt: skip
            for mode, ranking in rankings.items():
                share = sum(year_of.get(p) == year for p in ranking) / len(ranking) if ranking else 0.0
                scores[key][mode].append(share)
    return {key: row(per_mode) for key, per_mode in scores.items()}, misses


def measure_reuters(searcher: Searcher, labels: dict[str, list[str]]) -> Figures:
    """nDCG@10 of the short and the long query of each code that MIN_TOPIC_STORIES stories carry."""
    relevant: dict[str, dict[str, int]] = defaultdict(dict)
    for path, codes in labels.items():
        for code in codes:
            relevant[code][path] = 1
    scores: dict[str, dict[str, list[float]]] = defaultdict(lambda: {"on": [], "off": []})
    for code, short in REUTERS_SHORT.items():
        long = REUTERS_LONG[code]
        if len(relevant[code]) < MIN_TOPIC_STORIES:
            continue
        for key, query in (("reuters_ndcg10_short", short), ("reuters_ndcg10_long", long)):
            for mode, ranking in searcher.both(query).items():
                scores[key][mode].append(ndcg_at(ranking, relevant[code], DEPTH))
    return {key: row(per_mode) for key, per_mode in scores.items()}


def reuters_sample(count: int, seed: int) -> dict[str, tuple[str, list[str]]]:
    """path -> (file content, topic codes) for `count` labelled Reuters stories chosen by seed."""
    labelled = [r for r in rows(REUTERS) if r.get("topics")]
    chosen = random.Random(f"{seed}:reuters").sample(labelled, min(count, len(labelled)))
    return {f"{r['id']}.txt": (reuters_text(r), list(r["topics"])) for r in chosen}


# ---------------------------------------------------------------------------------------------------------

LABELS = {
    "headline_success1": "headline as typed: story at 1 (success@1)",
    "headline_mrr10": "headline as typed: MRR@10",
    "versions_recall10": "headline as typed: other outlets' versions, recall@10",
    "partial_success10": "3-4 longest headline words: story in top 10",
    "partial_mrr10": "3-4 longest headline words: MRR@10",
    "dated_with_year": "topic + year: share of top 10 dated that year",
    "dated_without_year": "topic alone: share of top 10 dated that year",
    "reuters_ndcg10_short": "Reuters topics, short query: nDCG@10",
    "reuters_ndcg10_long": "Reuters topics, long query: nDCG@10",
}


def cell(value: float) -> str:
    return "-" if value != value else f"{value:.3f}"


def arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--stories", type=int, default=DEFAULT_STORIES, help="AllSides stories to index")
    parser.add_argument("--queries", type=int, default=DEFAULT_QUERIES, help="headline queries among them")
    parser.add_argument("--reuters", type=int, default=DEFAULT_REUTERS, help="Reuters stories to index")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    if args.stories < 1 or args.reuters < 1 or not 2 <= args.queries <= args.stories:
        parser.error("--stories and --reuters must be 1 or more, --queries between 2 and --stories")
    return args


def main(argv: Sequence[str] | None = None) -> Figures:
    args = arguments(argv)
    started = time.perf_counter()
    stories = load_stories()
    links = same_event_links(stories)
    sample, asked = sample_allsides(stories, links, args.stories, args.queries, args.seed)
    reuters = reuters_sample(args.reuters, args.seed)
    figures: Figures = {}
    failures: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="news-") as tmp:
        files = {allsides_path(s): front_matter(s) for s in sample}
        allsides, allsides_s = build_index(Path(tmp, "allsides"), files)
        searcher = Searcher(allsides)
        found, misses = measure_allsides(searcher, sample, asked, links)
        figures |= found
        failures += searcher.failures
        index, reuters_s = build_index(Path(tmp, "reuters"), {p: c for p, (c, _) in reuters.items()})
        searcher = Searcher(index)
        figures |= measure_reuters(searcher, {p: codes for p, (_, codes) in reuters.items()})
        failures += searcher.failures
    seconds = time.perf_counter() - started
    with_versions = figures.get("versions_recall10", {}).get("queries", 0)
    print(f"AllSides: {len(sample)} stories indexed in {allsides_s:.1f} s; {len(asked)} headline queries, "
          f"{with_versions:.0f} with an other outlet's version in the index ({len(links)} of "
          f"{len(stories)} stories have one in the whole corpus)")  # fmt: skip
    print(f"Reuters-21578: {len(reuters)} labelled stories indexed in {reuters_s:.1f} s\n")
    print_table(
        ("measure", "queries", "feedback on", "feedback off"),
        [(label, int(figures[k]["queries"]), cell(figures[k]["on"]), cell(figures[k]["off"]))
         for k, label in LABELS.items() if k in figures],
    )  # fmt: skip
    if misses:
        print(f"\n{len(misses)} headline queries miss their story at 1, with feedback or without; e.g.")
        for title, on, off in misses[:5]:
            print(f"  {title[:90]!r}: rank {on or '-'} with feedback, {off or '-'} without")
    if failures:
        print(f"\n{len(failures)} queries rejected by the engine (scored as finding nothing), e.g.")
        for query, message in failures[:3]:
            print(f"  {query[:100]!r} -> {message}")
    print(f"\n{seconds:.0f} s in all (seed {args.seed})")
    return figures


if __name__ == "__main__":
    main()
