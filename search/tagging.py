"""Which words of a story name a person, an organisation, a place or another name: a trained tagger.

The model is an averaged structured perceptron (Collins 2002) over the tags B-/I-PER, ORG, LOC, MISC
and O, trained on the CoNLL-2003 English training split by `python -m bench.tagger train` and shipped
as package data (search/data/tagger.npz). Every feature describes one word seen from one position
(the word itself, or a neighbour up to two words away): the word, its shape, its affixes, whether our
package lists name it (a country, a demonym, a city, a title) and how the rest of the story writes it
(only capitalised, also in lower case). Because no feature joins two words, a word's score vectors are
computed once per word and cached, and a sentence's scores are a few numpy additions; the tags are
then decoded with Viterbi over the learnt tag-to-tag transitions, with the impossible ones (O then
I-ORG) ruled out.

Headlines in capitals ("VOLCKER SEES ...") are tagged from what the story's other lines say about the
same words, not from their shape: a capitalised word is only a name when the story writes it so.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from io import BytesIO
from itertools import repeat

import numpy as np
import numpy.typing as npt

from .config import package_toml

TAGS = ("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC")
KINDS = ("PER", "ORG", "LOC", "MISC")
OFFSETS = (-2, -1, 0, 1, 2)
EDGE = "\0edge"
# Initials and dotted acronyms stay one word ("U.S.", "J."); other words end before a full stop.
TOKEN_RE = re.compile(r"(?:[^\W\d_]\.)+(?![^\W\d_])|\w+(?:[-'’.&]\w+)*|[^\w\s]")
SENTENCE_ENDS = frozenset(".?!")
# Words whose scores a tagger keeps (each 5 x 9 floats in a table, and its key): cleared past this. At
# 400,000 a worker process of a rebuild held ~200 MB of them (docs/benchmarks.md, step 6).
MAX_CACHED_WORDS = 100_000
MAX_WORD_CHARS = 40  # longer "words" (URLs, hashes) are described by their shape alone
MAX_DECODED_WORDS = 256  # longer stretches of possible names are decoded in pieces of this many words

Floats = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Span:
    """A tagged name in one line: its characters [start, end), its kind (PER, ORG, LOC, MISC)."""

    start: int
    end: int
    kind: str


def tokenize(line: str) -> list[tuple[int, int]]:
    """The (start, end) of each word and punctuation mark of a line."""
    return [match.span() for match in TOKEN_RE.finditer(line)]


def shape(word: str) -> str:
    """What a word looks like, runs squeezed: 'Xx', 'XX', 'd', 'X.X.', 'Xx-Xx'."""
    out: list[str] = []
    for char in word:
        mapped = "X" if char.isupper() else "x" if char.islower() else "d" if char.isdigit() else char
        if not (len(out) >= 2 and out[-1] == mapped and out[-2] == mapped):
            out.append(mapped)
    return "".join(out)


@dataclass(frozen=True)
class Lexicon:
    """Word lists from our package data that a feature may name: no user file changes the tagger."""

    words: dict[str, tuple[str, ...]]  # lower-cased word -> the lists it is in
    clusters: dict[str, str]  # lower-cased word -> its row's other columns: a cluster a grain, the case

    def of(self, lower: str) -> tuple[str, ...]:
        return self.words.get(lower, ())

    def cluster(self, lower: str) -> tuple[str, ...]:
        """The word's cluster at each grain ('0:17', '1:305') and its case profile ('case:low')."""
        row = self.clusters.get(lower)
        if row is None:
            return ()
        *grains, case = row.split("\t")
        return (*(f"{grain}:{number}" for grain, number in enumerate(grains)), "case:" + case)


@cache
def lexicon() -> Lexicon:
    """Countries, demonyms, organisations, cities and titles, one word each, and the word clusters
    (bench/clusters.py), from search/data."""
    actors = package_toml("actors.toml").get("actor", [])
    places = package_toml("places.toml").get("places", {})
    people = package_toml("people.toml")
    lists: dict[str, set[str]] = {}

    def add(text: str, name: str) -> None:
        if " " not in text:
            lists.setdefault(text.lower(), set()).add(name)

    for entry in actors:
        kind = "country" if entry.get("type") == "country" else "organisation"
        for text in (entry.get("name", ""), *entry.get("aliases", [])):
            add(text, kind)
        for text in entry.get("demonyms", []):
            add(text, "demonym")
        for text in entry.get("cities", []):
            add(text, "place")
    for place in places:
        add(place, "place")
    for title in (*people["titles"], *people["lowercase_titles"]):
        add(title.rstrip("."), "title")
    # Rows are split when a word is looked up: splitting all 40,000 took 0.3 s of every tagging
    # process's start, and a process meets a few thousand of them.
    rows = gzip.decompress(resources.files("search").joinpath("data/clusters.tsv.gz").read_bytes())
    clusters = dict(
        row.split("\t", 1) for row in rows.decode("utf-8").split("\n") if row and not row.startswith("#")
    )
    return Lexicon({word: tuple(sorted(names)) for word, names in lists.items()}, clusters)


def case_says_nothing(words: Sequence[str]) -> bool:
    """Whether a line's capitals say nothing about names: written in capitals ("VOLCKER SEES ..."), or
    in headline style, every longer word capitalised ("U.S. Condemns Military Seizure of Power")."""
    joined = "".join(words)
    if joined == joined.upper():
        return True
    longer, upper = 0, False  # (a loop that stops at the first longer word in lower case)
    for word in words:
        if len(word) >= 4 and word.isalpha():
            if word[0].islower():
                return False
            longer += 1
            upper = upper or word[0].isupper()
    return longer >= 2 and upper


def case_evidence(
    lines: Sequence[Sequence[str]], starts: Sequence[Sequence[int]], shouting: Sequence[bool]
) -> dict[str, str]:
    """How the story writes each word away from a sentence's start, where case says something:
    'cap' only capitalised, 'low' only in lower case, 'both'. `lines` are the story's lines as words,
    `starts` their sentence_starts(), `shouting` their case_says_nothing(): those lines are left out."""
    inside: set[str] = set()  # the words written somewhere other than a sentence's start
    for words, line_starts, says_nothing in zip(lines, starts, shouting, strict=True):
        if says_nothing:
            continue
        previous = 0
        for index in line_starts:
            inside.update(words[previous:index])
            previous = index + 1
        inside.update(words[previous:])
    capitalised: set[str] = set()
    lower: set[str] = set()
    for word in inside:
        first = word[:1]
        if first.isupper():
            if first.isalpha():
                capitalised.add(word.lower())
        elif first.islower():
            lower.add(word)
    evidence = dict.fromkeys(capitalised, "cap")
    evidence.update(dict.fromkeys(lower - capitalised, "low"))
    evidence.update(dict.fromkeys(lower & capitalised, "both"))
    return evidence


WordParts = tuple[list[str], list[str], list[str], str]


def word_parts(word: str, shouting: bool, evidence: str) -> WordParts:
    """What the features of a word (not EDGE) say whatever the distance it is seen from, worked out
    once: the features seen from any distance, its clusters (seen from one word away at most), the
    features of the word being tagged, and its last three letters (seen from one word away).

    `shouting`: the word's line is in capitals or headline style (case_says_nothing), so a capital
    says nothing about names.
    `evidence`: how the rest of the story writes the word (case_evidence), '' when it never does.
    """
    lower = word.lower()
    if len(lower) > MAX_WORD_CHARS:
        lower = "<long>"
    shaped = "shout" if shouting and word[:1].isupper() and len(word) > 1 else shape(word[:MAX_WORD_CHARS])
    seen = ["w=" + lower, "s=" + shaped, "e=" + evidence]
    seen.extend("l=" + name for name in lexicon().of(lower.rstrip(".")))
    clusters = ["c=" + cluster for cluster in lexicon().cluster(lower)]
    own = ["bias", f"s={shaped}|e={evidence}", "p2=" + lower[:2], "p3=" + lower[:3], "x2=" + lower[-2:]]
    own.extend(("x3=" + lower[-3:], "x4=" + lower[-4:]))
    return seen, clusters, own, "x3=" + lower[-3:]


def features_at(parts: WordParts | None, distance: int) -> list[str]:
    """The features of a word seen from `distance` words away, from its word_parts() (None: EDGE)."""
    at = f"{distance}:"
    if parts is None:
        return [at + "edge"]
    seen, clusters, own, suffix = parts
    found = [at + feature for feature in seen]
    if -1 <= distance <= 1:
        found.extend(at + cluster for cluster in clusters)
    if distance == 0:
        found.extend(own)
    elif distance in (-1, 1):
        found.append(at + suffix)
    return found


def sentence_starts(words: Sequence[str]) -> list[int]:
    """Where the sentences of a line begin: its first word, and each word after . ? ! that ends a
    sentence (not the full stop of an abbreviation such as "Corp." or "Sen.")."""
    starts = [0] if words else []
    for index in [i for i, word in enumerate(words) if word in SENTENCE_ENDS]:
        before = words[index - 1] if index else ""
        abbreviation = words[index] == "." and len(before) <= 4 and before[:1].isupper()
        if index + 1 < len(words) and not abbreviation:
            starts.append(index + 1)
    return starts


def token_features(
    words: Sequence[str], starts: Sequence[int], shouting: bool, evidence: dict[str, str]
) -> list[list[str]]:
    """Every feature of every word of a line, as training sees them (the tagger sums the same ones
    from its per-word table). `starts`: the line's sentence_starts()."""
    parts = [None, None, *(word_parts(w, shouting, evidence.get(w.lower(), "")) for w in words), None, None]
    opening = set(starts)
    return [
        (["first"] if index in opening else [])
        + [feature for distance in OFFSETS for feature in features_at(parts[index + 2 + distance], distance)]
        for index in range(len(words))
    ]


def allowed_transitions() -> Floats:
    """0 where a tag may follow another (row 0: the line's start), -inf where it may not: an I-X only
    after B-X or I-X."""
    allowed = np.zeros((len(TAGS) + 1, len(TAGS)), dtype=np.float32)
    for row, before in enumerate(("<s>", *TAGS)):
        for column, tag in enumerate(TAGS):
            if tag.startswith("I-") and before[2:] != tag[2:]:
                allowed[row, column] = -np.inf
    return allowed


def viterbi(emissions: Floats, transitions: Floats) -> list[int]:
    """The best tag sequence for one line's scores; transitions[0] scores the first tag."""
    path: list[int] = viterbi_lines(emissions[None], np.array([len(emissions)]), transitions)[0].tolist()
    return path


def viterbi_lines(
    emissions: Floats,
    lengths: npt.NDArray[np.int64],
    transitions: Floats,
    after_o: npt.NDArray[np.bool_] | None = None,
    before_o: npt.NDArray[np.bool_] | None = None,
) -> npt.NDArray[np.intp]:
    """The best tag sequence of each of several pieces of lines at once (emissions: pieces x longest x
    tags, each padded after its end), as rows padded with 0 past each piece's length: one numpy step a
    word position, not one a word. A piece that
    `after_o` starts after a word tagged O (not at a sentence's start), and one that `before_o` ends
    before a word tagged O, is scored with those transitions."""
    count, longest, tags = emissions.shape
    # Longest pieces first, so that each step works on the pieces still going: a prefix.
    order = np.argsort(-lengths, kind="stable")
    emissions, lengths = emissions[order], lengths[order]
    going = (lengths[:, None] > np.arange(longest)[None]).sum(axis=0).tolist()
    back = np.zeros((longest, count, tags), dtype=np.intp)
    scores = np.zeros((longest, count, tags), dtype=np.float32)
    starting = transitions[np.where(after_o[order], 1, 0)] if after_o is not None else transitions[0]
    scores[0] = starting + emissions[:, 0]
    between = transitions[1:]
    for index in range(1, longest):
        pieces = going[index]
        candidates = scores[index - 1, :pieces, :, None] + between
        back[index, :pieces] = chosen = candidates.argmax(axis=1)
        scores[index, :pieces] = (
            np.take_along_axis(candidates, chosen[:, None], axis=1)[:, 0] + emissions[:pieces, index]
        )
    final = scores[lengths - 1, np.arange(count)]
    if before_o is not None:
        final[before_o[order]] += between[:, 0]
    path = np.zeros((count, longest), dtype=np.intp)
    path[np.arange(count), lengths - 1] = final.argmax(axis=1)
    for index in range(longest - 1, 0, -1):
        pieces = going[index]
        path[:pieces, index - 1] = back[index, np.arange(pieces), path[:pieces, index]]
    unsorted = np.empty_like(path)
    unsorted[order] = path
    return unsorted


def spans_of(tags: Sequence[int] | npt.NDArray[np.intp]) -> list[tuple[int, int, str]]:
    """(first word, end word, kind) of each tagged name, from a line's tag numbers (indexes of TAGS);
    an I- tag after another kind, or after O, starts a name of its own."""
    found: list[tuple[int, int, str]] = []
    named = np.flatnonzero(np.asarray(tags))
    for position, tag in zip(named.tolist(), np.asarray(tags)[named].tolist(), strict=True):
        kind = KINDS[(tag - 1) // 2]
        if tag % 2 == 0 and found and found[-1][1] == position and found[-1][2] == kind:
            found[-1] = (found[-1][0], position + 1, kind)
        else:
            found.append((position, position + 1, kind))
    return found


class Tagger:
    """A trained model: feature weights per tag, tag-to-tag transitions, and a table of word vectors.

    Each distinct (word, line in capitals, case evidence) gets a row of `_table` holding its score
    vector seen from each of OFFSETS, made once from its features; a story's scores are then one
    gather over its words and five shifted additions, and its lines are decoded together.
    """

    def __init__(self, features: Sequence[str], weights: Floats, transitions: Floats) -> None:
        self._features = tuple(features)
        self._index = {feature: row for row, feature in enumerate(features)}
        self._stored = (weights, transitions)
        self._weights = np.concatenate([weights, np.zeros((1, len(TAGS)))]).astype(np.float32)
        self._transitions = transitions.astype(np.float32) + allowed_transitions()
        self._first = self._weights[self._index.get("first", len(self._weights) - 1)]
        finite = self._transitions[np.isfinite(self._transitions)]
        self._sure_o = 2.0 * float(finite.max() - finite.min()) if finite.size else 0.0
        self._rows: dict[tuple[str, bool, str], int] = {}
        self._table = np.zeros((1024, len(OFFSETS), len(TAGS)), dtype=np.float32)

    @classmethod
    def load(cls, data: bytes) -> Tagger:
        """A tagger from the bytes of a model file that bench/tagger.py wrote."""
        with np.load(BytesIO(data), allow_pickle=False) as stored:
            features = bytes(stored["features"]).decode("utf-8").split("\n")
            return cls(features, stored["weights"], stored["transitions"])

    def arrays(self) -> tuple[tuple[str, ...], npt.NDArray[np.floating], Floats]:
        """The model as it is stored: feature names, their weights per tag, the transitions."""
        return self._features, self._stored[0], self._stored[1]

    def _add_rows(self, keys: Collection[tuple[str, bool, str]]) -> None:
        """Make the rows of `_table` for these (word, line in capitals, case evidence) not yet in it:
        every feature row of every key gathered at once and summed a segment a vector. When the table
        is full it starts again, with these keys."""
        missing = [key for key in keys if key not in self._rows]
        if not missing:
            return
        if len(self._rows) + len(missing) > MAX_CACHED_WORDS:
            self._rows.clear()
            missing = list(keys)
        first = len(self._rows)
        while first + len(missing) > len(self._table):
            self._table = np.concatenate([self._table, np.zeros_like(self._table)])
        index, nothing = self._index, len(self._weights) - 1  # the last row: zeros, for unknown features
        picked: list[int] = []
        segments: list[int] = []
        for word, shouting, evidence in missing:
            parts = None if word == EDGE else word_parts(word, shouting, evidence)
            for distance in OFFSETS:
                segments.append(len(picked))  # (never empty: a word has features from any distance)
                picked.extend(map(index.get, features_at(parts, distance), repeat(nothing)))
        sums = np.add.reduceat(self._weights[picked], segments, axis=0)
        self._table[first : first + len(missing)] = sums.reshape(len(missing), len(OFFSETS), len(TAGS))
        self._rows.update(zip(missing, range(first, first + len(missing)), strict=True))

    def tag_words(
        self,
        lines: Sequence[Sequence[str]],
        starts: Sequence[Sequence[int]],
        shouting: Sequence[bool],
        evidence: dict[str, str],
    ) -> list[npt.NDArray[np.intp]]:
        """The tag of each word of each line of one story (indexes of TAGS), the lines laid end to end
        (two edge marks between them, as each line's own edges): one gather and five additions score
        them all."""
        if not lines:
            return []
        rows: list[int] = []
        where: list[int] = []  # where each line's first word is in `rows`
        # Each distinct word's row, once a story for each kind of line it is in; the edges' features
        # are the same in every line.
        keys: dict[bool, dict[str, tuple[str, bool, str]]] = {kind: {} for kind in set(shouting)}
        for words, says_nothing in zip(lines, shouting, strict=True):
            of_kind = keys[says_nothing]
            for word in words:
                if word not in of_kind:
                    of_kind[word] = (word, says_nothing, evidence.get(word.lower(), ""))
        edge_key = (EDGE, False, "")
        self._add_rows([edge_key, *(key for of_kind in keys.values() for key in of_kind.values())])
        known = self._rows
        row_of = {kind: {word: known[key] for word, key in of_kind.items()} for kind, of_kind in keys.items()}
        edge = known[edge_key]
        for words, says_nothing in zip(lines, shouting, strict=True):
            rows += (edge, edge)
            where.append(len(rows))
            rows += map(row_of[says_nothing].__getitem__, words)
        rows += (edge, edge)
        table = self._table[np.array(rows)]
        size = len(rows)
        scores = np.zeros((size, len(TAGS)), dtype=np.float32)
        for column, distance in enumerate(OFFSETS):
            scores[2 : size - 2] += table[2 + distance : size - 2 + distance, column]
        opening = np.zeros(size, dtype=np.bool_)
        opening[[where[line] + index for line, indexes in enumerate(starts) for index in indexes]] = True
        scores[opening] += self._first
        is_word = np.zeros(size, dtype=np.bool_)
        for line, words in enumerate(lines):
            is_word[where[line] : where[line] + len(words)] = True
        # Decode only the stretches where a name may be: a word whose O score beats every other tag's
        # by more than any transitions could make up (`_sure_o`) is O whatever its neighbours are.
        maybe = is_word & ((scores[:, 0] - scores[:, 1:].max(axis=1)) <= self._sure_o)
        before = np.concatenate([[False], maybe[:-1]])
        after = np.concatenate([maybe[1:], [False]])
        firsts = np.flatnonzero(maybe & (~before | opening)).tolist()
        ends = (np.flatnonzero(maybe & (~after | np.concatenate([opening[1:], [False]]))) + 1).tolist()
        pieces = [
            (first, min(first + MAX_DECODED_WORDS, end))
            for start, end in zip(firsts, ends, strict=True)
            for first in range(start, end, MAX_DECODED_WORDS)
        ]
        flat = np.zeros(size, dtype=np.intp)
        if pieces:
            begin = np.array([first for first, _ in pieces])
            lengths = np.array([end - first for first, end in pieces], dtype=np.int64)
            positions = np.minimum(begin[:, None] + np.arange(int(lengths.max()))[None], size - 1)
            stop = begin + lengths
            paths = viterbi_lines(
                scores[positions], lengths, self._transitions, ~opening[begin], is_word[stop] & ~opening[stop]
            )
            inside = np.arange(paths.shape[1])[None] < lengths[:, None]
            flat[positions[inside]] = paths[inside]
        return [flat[where[line] : where[line] + len(words)] for line, words in enumerate(lines)]

    def tag_lines(self, lines: Sequence[str]) -> list[list[Span]]:
        """The names in each line of one story (its headline among them)."""
        words = [TOKEN_RE.findall(line) for line in lines]
        starts = [sentence_starts(line_words) for line_words in words]
        shouting = [case_says_nothing(line_words) for line_words in words]
        evidence = case_evidence(words, starts, shouting)
        # A line without a capital letter names no one: most lines of a long story are skipped here.
        chosen = [number for number, line in enumerate(lines) if words[number] and not line.islower()]
        tags = self.tag_words(
            [words[n] for n in chosen], [starts[n] for n in chosen], [shouting[n] for n in chosen], evidence
        )
        found: list[list[Span]] = [[] for _ in lines]
        for number, line_tags in zip(chosen, tags, strict=True):
            spans = spans_of(line_tags)
            if spans:  # where the words are, for the few lines that name someone
                at = list(TOKEN_RE.finditer(lines[number]))
                found[number] = [
                    Span(at[first].start(), at[end - 1].end(), kind) for first, end, kind in spans
                ]
        return found


def is_common_word(word: str) -> bool:
    """Whether running news text writes the word in lower case four times in five or more away from a
    sentence's start ("policy", "device"; bench/clusters.py): a capital on it is the sentence's or the
    headline's."""
    return "case:low" in lexicon().cluster(word.lower())


@cache
def default_tagger() -> Tagger:
    """The tagger shipped with the package, loaded once."""
    return Tagger.load(resources.files("search").joinpath("data/tagger.npz").read_bytes())
