"""bench/million.py on a small scale: the folder it writes is what its docstring says, and indexes."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from bench import million
from bench.data import ALLSIDES, REUTERS
from search import index_corpus, open_index

pytestmark = pytest.mark.skipif(
    not (REUTERS.is_file() and ALLSIDES.is_file()), reason="../shared/corpora is not beside the project"
)
SOURCES = 400  # the first of each corpus: enough topics, read in a moment


def test_each_article_recombines_real_sentences_of_one_topic(tmp_path: Path) -> None:
    articles = list(million.generate(60, seed=3, limit=SOURCES))
    assert articles == list(million.generate(60, seed=3, limit=SOURCES))  # same seed, same folder
    assert [path for path, _ in articles][:2] == ["0000/0000000.txt", "0000/0000001.txt"]
    by_topic = million.topics(SOURCES)
    pools = {
        name: {s for t in templates for block in t.paragraphs for s in block}
        for name, templates in by_topic.items()
    }
    titles = {name: {t.title for t in templates} for name, templates in by_topic.items()}
    for _, text in articles:
        front, title, body = re.fullmatch(r"---\n(.*?)\n---\n(.*?)\n\n(.*)\n", text, re.DOTALL).groups()  # type: ignore[union-attr]
        day = date.fromisoformat(re.search(r"^date: (\S+)$", front, re.MULTILINE).group(1))  # type: ignore[union-attr]
        assert million.FIRST_DAY <= day <= million.LAST_DAY
        topics = [name for name in by_topic if title in titles[name]]
        # Every paragraph is sentences of the headline's topic (one of them, when headlines repeat).
        assert any(all(_made_of(p, pools[name]) for p in body.split("\n\n")) for name in topics), title


def _made_of(paragraph: str, sentences: set[str]) -> bool:
    """Whether the paragraph is some of the sentences joined by spaces."""
    reachable, ends = {0}, set()
    while reachable - ends:
        start = min(reachable - ends)
        ends.add(start)
        for sentence in sentences:
            end = start + len(sentence)
            if paragraph.startswith(sentence, start) and paragraph[end : end + 1] in ("", " "):
                reachable.add(end + 1)
    return len(paragraph) + 1 in reachable


def test_the_folder_indexes_with_its_dates_outlets_and_headlines(tmp_path: Path) -> None:
    million.write(tmp_path / "folder", 40, seed=5, limit=SOURCES)
    assert len(list((tmp_path / "folder").rglob("*.txt"))) == 40
    report = index_corpus(tmp_path / "folder", tmp_path / "index")
    assert (report.added, report.skipped) == (40, ())
    index = open_index(tmp_path / "index")
    for path, text in million.generate(40, seed=5, limit=SOURCES):
        stored = index.document(path)
        given = dict(re.findall(r'^(\w+): "?(.*?)"?$', text.split("---")[1], re.MULTILINE))
        assert (stored.title, str(stored.date)[:10], stored.source) == (
            given["title"].replace('\\"', '"'),
            given["date"],
            given["source"],
        )
    million.write(tmp_path / "folder", 40, seed=5, limit=SOURCES)  # complete: left as it is
    assert index_corpus(tmp_path / "folder", tmp_path / "index").unchanged == 40
