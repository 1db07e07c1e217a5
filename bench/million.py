"""A folder of a million news articles made from the 41,578 real ones beside the project, for measuring
the product at the size of a newsroom's archive (issue 21).

    python -m bench.million FOLDER [--articles 1000000] [--seed 21]

Each article recombines real sentences within one topic (the AllSides topic, 108 of them; the Reuters
story's first topic, 'reuters' for the untagged ones): a real article of the topic is the template,
and each of its sentences is replaced by a sentence drawn from the whole topic, paragraph breaks kept.
So lengths, paragraphing and which words go together follow real news, and a word's document
frequency grows with the archive as news vocabularies do (a topic's words stay in its articles)
rather than as a shuffle of every sentence would make it. The headline is a real one of the topic,
the outlet the template's ('Reuters' for Reuters stories), the date any day of 2000-2025, all given
in front matter as users' exports carry them. Ids are new: 1,000 folders of 1,000 files
(0000/0000000.txt ...). Same seed, same folder; a complete folder is not written again.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from bench.data import ALLSIDES, REUTERS, rows

FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2025, 12, 31)
PER_FOLDER = 1_000
# A sentence ends at ., ! or ? (a closing quote may follow) before a space and a capital or a quote.
SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"'”’]))\s+(?=[A-Z\"“‘])")
COMPLETE = ".complete"  # written last, holding the article count and seed


@dataclass(frozen=True)
class Template:
    """A real article: its headline, outlet and paragraphs, each a list of sentences."""

    title: str
    source: str
    paragraphs: tuple[tuple[str, ...], ...]


def _paragraphs(text: str) -> tuple[tuple[str, ...], ...]:
    blocks = [" ".join(block.split()) for block in re.split(r"\n\s*\n", text)]
    return tuple(tuple(SENTENCE_END.split(block)) for block in blocks if block)


def topics(limit: int | None = None) -> dict[str, list[Template]]:
    """The real articles by topic (at most `limit` of each corpus, for tests)."""
    found: dict[str, list[Template]] = defaultdict(list)
    for story in rows(REUTERS, stop=limit):
        given = story.get("topics") or []  # a list, or its repr in some rows ("['cocoa']")
        tags = given if isinstance(given, list) else re.findall(r"'([^']+)'", given)
        paragraphs = _paragraphs(story["text"])
        if paragraphs and story["title"].strip():
            found[f"reuters-{tags[0]}" if tags else "reuters"].append(
                Template(story["title"].strip(), "Reuters", paragraphs)
            )
    for article in rows(ALLSIDES, stop=limit):
        paragraphs = _paragraphs(article["text"])
        if paragraphs and article["title"].strip():
            found[f"allsides-{article.get('topic') or 'none'}"].append(
                Template(article["title"].strip(), article.get("source") or "", paragraphs)
            )
    return dict(found)


def generate(count: int, seed: int, limit: int | None = None) -> Iterator[tuple[str, str]]:
    """(relative path, file text) of each of `count` articles, in order."""
    rng = random.Random(seed)
    by_topic = topics(limit)
    names = sorted(by_topic)
    weights = [len(by_topic[name]) for name in names]  # topics as common as in the real news
    sentences = {
        name: [sentence for template in by_topic[name] for block in template.paragraphs for sentence in block]
        for name in names
    }
    days = (LAST_DAY - FIRST_DAY).days
    for n in range(count):
        topic = rng.choices(names, weights)[0]
        template = rng.choice(by_topic[topic])
        pool = sentences[topic]
        body = "\n\n".join(" ".join(rng.choice(pool) for _ in block) for block in template.paragraphs)
        title = rng.choice(by_topic[topic]).title
        day = FIRST_DAY + timedelta(days=rng.randrange(days + 1))
        front = f"title: {_quoted(title)}\ndate: {day.isoformat()}\nsource: {_quoted(template.source)}"
        yield f"{n // PER_FOLDER:04d}/{n:07d}.txt", f"---\n{front}\n---\n{title}\n\n{body}\n"


def _quoted(text: str) -> str:
    """A front matter value: one line, double-quoted (a headline may hold ': ', '#' or quotes)."""
    escaped = " ".join(text.split()).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def write(folder: Path, count: int, seed: int, limit: int | None = None) -> None:
    """Write the folder, unless it is complete with this count and seed."""
    stamp = f"{count} {seed} {limit}"
    if (folder / COMPLETE).is_file() and (folder / COMPLETE).read_text() == stamp:
        return
    shutil.rmtree(folder, ignore_errors=True)
    made = None
    for relative, text in generate(count, seed, limit):
        path = folder / relative
        if path.parent != made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made = path.parent
        path.write_text(text, encoding="utf-8")
    (folder / COMPLETE).write_text(stamp)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("folder", type=Path)
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=21)
    args = parser.parse_args(argv)
    write(args.folder, args.articles, args.seed)
    print(f"{args.articles:,} articles in {args.folder}")


if __name__ == "__main__":
    main()
