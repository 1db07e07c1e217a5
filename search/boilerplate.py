"""Learn a site's chrome from the corpus: lines that recur across many documents of one folder or site.

A line counts as chrome when it occurs in at least MIN_DOCUMENTS documents and in at least
MIN_SHARE of the documents of the same folder (the usual way articles from one site end
up together), or of the same site when documents say theirs (a page's og:site_name, a
sidecar's source): a site's pages are often mixed with others' in one folder ("Our Standards:
The Trust Principles." closing every page of one outlet). Datelines never count. A line
learned in one group is removed wherever it stands. What is learned is stored with the index,
so that every document is cleaned the same way until the next full rebuild relearns it.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from posixpath import dirname

from .lines import looks_like_date

MIN_DOCUMENTS = 3
MIN_SHARE = 0.25
# A site's documents are counted only for their short lines (chrome is short; a site's groups cannot be
# dropped once counted, as a folder's can, so this is what bounds their memory).
MAX_SITE_LINE_WORDS = 12
RULE_NAME = "repeated across documents"
SITE_GROUP = "\x00site:"  # a prefix no folder path has


def folder_of(document_id: str) -> str:
    """The group a document is counted in: its folder relative to the corpus root."""
    return dirname(document_id)


def _line_key(line: str) -> int:
    """A compact key for a line, so that counting a large corpus keeps little in memory."""
    return int.from_bytes(hashlib.blake2b(line.encode("utf-8"), digest_size=8).digest(), "big")


@dataclass
class RepetitionCounter:
    """Counts, for each folder, how many of its documents hold each line.

    expected (documents to come per folder), when given, bounds the memory: once a folder has
    all its documents counted, only its chrome is kept, not the count of every line it held.
    """

    expected: Counter[str] = field(default_factory=Counter)
    documents: Counter[str] = field(default_factory=Counter)
    lines: defaultdict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    texts: defaultdict[str, dict[int, str]] = field(default_factory=lambda: defaultdict(dict))
    finished: set[str] = field(default_factory=set)  # the chrome of the folders counted in full

    def add(self, document_id: str, lines: Iterable[str], site: str = "") -> None:
        """Count one document's distinct lines, in its folder and, when it names one, in its site."""
        folder = folder_of(document_id)
        distinct = set(lines)
        self._count(folder, distinct)
        if site:
            self._count(
                SITE_GROUP + site.lower(),
                {line for line in distinct if len(line.split()) <= MAX_SITE_LINE_WORDS},
            )
        if self.documents[folder] == self.expected[folder]:
            self.finished.update(self._chrome(folder))
            del self.lines[folder], self.texts[folder]

    def _count(self, group: str, lines: set[str]) -> None:
        self.documents[group] += 1
        counts, texts = self.lines[group], self.texts[group]
        for line in lines:
            key = _line_key(line)
            counts[key] += 1
            if counts[key] == MIN_DOCUMENTS and not looks_like_date(line):
                texts[key] = line

    def _chrome(self, folder: str) -> set[str]:
        needed = max(MIN_DOCUMENTS, MIN_SHARE * self.documents[folder])
        texts = self.texts[folder]
        return {texts[key] for key, n in self.lines[folder].items() if n >= needed and key in texts}

    def learned(self) -> frozenset[str]:
        """The lines that recur in enough documents of their folder to be its chrome."""
        return frozenset(self.finished.union(*(self._chrome(folder) for folder in self.lines)))
