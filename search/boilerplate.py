"""Learn a site's chrome from the corpus: lines that recur across many documents of one folder.

A line counts as chrome when it occurs in at least MIN_DOCUMENTS documents and in at least
MIN_SHARE of the documents of the same folder (the usual way articles from one site end
up together). Datelines never count. A line learned in one folder is removed wherever it
stands: the same site's pages may be spread over several folders. What is learned is
stored with the index, so that every document is cleaned the same way until the next full
rebuild relearns it.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from posixpath import dirname

from .cleaning import looks_like_date

MIN_DOCUMENTS = 3
MIN_SHARE = 0.25
RULE_NAME = "repeated across documents"


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

    def add(self, document_id: str, lines: Iterable[str]) -> None:
        """Count one document's distinct lines."""
        folder = folder_of(document_id)
        self.documents[folder] += 1
        counts, texts = self.lines[folder], self.texts[folder]
        for line in set(lines):
            key = _line_key(line)
            counts[key] += 1
            if counts[key] == MIN_DOCUMENTS and not looks_like_date(line):
                texts[key] = line
        if self.documents[folder] == self.expected[folder]:
            self.finished.update(self._chrome(folder))
            del self.lines[folder], self.texts[folder]

    def _chrome(self, folder: str) -> set[str]:
        needed = max(MIN_DOCUMENTS, MIN_SHARE * self.documents[folder])
        texts = self.texts[folder]
        return {texts[key] for key, n in self.lines[folder].items() if n >= needed and key in texts}

    def learned(self) -> frozenset[str]:
        """The lines that recur in enough documents of their folder to be its chrome."""
        return frozenset(self.finished.union(*(self._chrome(folder) for folder in self.lines)))
