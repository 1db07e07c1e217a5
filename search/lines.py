"""The cleaner's line rules: what a line is (a headline, a dateline, furniture, a link, a credit) and the
rules that mark chrome among an article's lines, each returning the pieces with more marked as removed.
cleaning.py runs them on plain text and on the text extracted from a page."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import pairwise

from .config import read_toml

INVISIBLE_CHARS = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))

WORD_RE = re.compile(r"[^\W\d_]+")

LIST_ITEM_RE = re.compile(r"^(\d{1,3})[.)]\s+(\S.*)$")

BARE_LINK_RE = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)

EMBED_LINK_RE = re.compile(
    r"\s*(?:https?://)?(?:t\.co|pic\.twitter\.com|bit\.ly|ow\.ly|buff\.ly|dlvr\.it|trib\.al|"
    r"goo\.gl|tinyurl\.com|youtu\.be|fb\.me|lnkd\.in)/\S+",
    re.IGNORECASE,
)

HANDLE_LINE_RE = re.compile(r"^[\W_]*@\w{1,30}[\W_]*$")

AGENCY_SIGNOFF_RE = re.compile(r"^[a-z]{1,4}(?:/[a-z]{1,4})+\s*\([^()]{1,60}\)$")

CREDIT_NOTE_RE = re.compile(
    r"^\((?:with|reporting|additional reporting|editing|writing|compiled|sources?)\b[^()]{0,200}\)$",
    re.IGNORECASE,
)

DATE_LINE_RE = re.compile(
    r"^(?:\w+,?\s+)?(?:\d{1,2}\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
    r"(?:\s+\d{1,2},?)?\s+\d{4}\b.{0,30}$|^\d{4}-\d{2}-\d{2}\b.{0,30}$|^\d{1,2}[./]\d{1,2}[./]\d{2,4}\b.{0,30}$",
    re.IGNORECASE,
)

TRAILING_FURNITURE = " \t:»›>|•·-–—"

# A byline ('By Claudia Grisales | May 4, 2020', 'By FRANK JAMES, NPR'): never a headline.
BYLINE_RE = re.compile(r"^by\s+[^\W\d_][\w.'’-]*(?:\s+\S+){0,14}$", re.IGNORECASE)

# A one-word headline has at least this many letters ('Obamacare'); shorter lone words are widgets.
MIN_ONE_WORD_HEADLINE = 4

MAX_CHROME_WORDS = 8

MAX_FURNITURE_START_WORDS = 40  # a longer line starting 'Related:' is a paragraph of the story

MAX_WIDGET_CHARS = 3

MIN_WIDGET_RUN = 3


@dataclass(frozen=True)
class Piece:
    """A line of the raw text, or a part cut from one, with the rule that removed it ('' if kept)."""

    text: str
    removed_by: str = ""


def normalise_line(line: str) -> str:
    """Collapse white space and drop invisible characters."""
    return " ".join(line.translate(INVISIBLE_CHARS).split())


def looks_like_headline(line: str) -> bool:
    """True when a line can be a headline: words ('Faithless Electors' is one), not a list item, a bare
    link, a byline or a dateline."""
    words = WORD_RE.findall(line)
    return (
        (len(words) >= 2 or (len(words) == 1 and len(words[0]) >= MIN_ONE_WORD_HEADLINE))
        and not LIST_ITEM_RE.match(line)
        and not BARE_LINK_RE.match(line)
        and not BYLINE_RE.match(line)
        and not looks_like_date(line)
        and not is_furniture(line)
    )


def looks_like_date(line: str) -> bool:
    """True for a dateline such as 'March 26, 2012' or 'Saturday, Jan. 19, 2013'."""
    return bool(DATE_LINE_RE.match(line))


@cache
def _boilerplate() -> dict[str, list[str]]:
    """The page-furniture patterns, photo-credit words and furniture line starts shipped as package data."""
    data: dict[str, list[str]] = read_toml(
        resources.files("search").joinpath("data/boilerplate.toml").read_text("utf-8")
    )
    return data


@cache
def _furniture() -> tuple[re.Pattern[str], frozenset[str]]:
    """The page-furniture patterns (whole lines) and the photo-credit words."""
    data = _boilerplate()
    pattern = re.compile("|".join(f"(?:{p})" for p in data["chrome_lines"]), re.IGNORECASE)
    return pattern, frozenset(data["credit_prefixes"])


@cache
def _furniture_starts() -> re.Pattern[str]:
    """The starts of lines that are a picture's or a teaser's furniture, whatever follows."""
    return re.compile("|".join(f"(?:{p})" for p in _boilerplate()["line_starts"]), re.IGNORECASE)


Rule = Callable[[list[Piece]], list[Piece]]


def _kept(pieces: list[Piece]) -> list[int]:
    return [i for i, p in enumerate(pieces) if not p.removed_by]


def _remove(pieces: list[Piece], indices: Iterable[int], rule: str) -> list[Piece]:
    marked = set(indices)
    return [Piece(p.text, rule) if i in marked else p for i, p in enumerate(pieces)]


def _headline_at(pieces: list[Piece]) -> int | None:
    """Where the headline stands: the first kept line that can be one."""
    return next((i for i in _kept(pieces) if looks_like_headline(pieces[i].text)), None)


def drop_repeated_blocks(pieces: list[Piece]) -> list[Piece]:
    """Teasers: a run of two or more different lines that each recur in the page goes, every copy.

    But the headline's first copy: a text may give it twice, beside a photo line that recurs.
    """
    kept = _kept(pieces)
    headline = _headline_at(pieces)
    counts = Counter(pieces[i].text for i in kept)
    teaser_texts: set[str] = set()
    run: list[int] = []
    for i in [*kept, -1]:
        if i >= 0 and counts[pieces[i].text] > 1:
            run.append(i)
            continue
        if len({pieces[j].text for j in run}) >= 2:
            teaser_texts.update(pieces[j].text for j in run)
        run = []
    return _remove(
        pieces, (i for i in kept if pieces[i].text in teaser_texts and i != headline), "repeated block"
    )


def drop_repeated_captions(pieces: list[Piece]) -> list[Piece]:
    """A line repeated right after itself is a picture's alt text and caption: both go.

    Not the headline: plain text often gives it twice (a file's title line, then the story's own
    first line), and the first copy stays (the next rule drops the second).
    """
    kept = _kept(pieces)
    headline = _headline_at(pieces)
    doubled = {
        index
        for a, b in pairwise(kept)
        if pieces[a].text == pieces[b].text and a != headline
        for index in (a, b)
    }
    return _remove(pieces, doubled, "repeated caption")


def drop_repeated_lines(pieces: list[Piece]) -> list[Piece]:
    """A line seen earlier in the document is kept once."""
    seen: set[str] = set()
    later = []
    for i in _kept(pieces):
        if pieces[i].text in seen:
            later.append(i)
        seen.add(pieces[i].text)
    return _remove(pieces, later, "repeated line")


def _data_rows(pieces: list[Piece], run: list[int]) -> bool:
    """Most items hold a figure besides their number: results or standings ("1. Michelle Freeman
    (Jamaica) 12.71 seconds"), the story's own data, not a list of links (CoNLL-2003's sports stories
    lost 188 named athletes to this rule before it looked)."""
    with_figures = sum(any(c.isdigit() for c in pieces[i].text.split(None, 1)[-1]) for i in run)
    return with_figures * 2 > len(run)


def drop_navigation_lists(pieces: list[Piece]) -> list[Piece]:
    """Two or more consecutive numbered short items without sentence ends are a link list, unless
    they are rows of figures."""
    kept = _kept(pieces)
    navigation: list[int] = []
    run: list[int] = []
    expected = None
    for i in [*kept, -1]:
        match = LIST_ITEM_RE.match(pieces[i].text) if i >= 0 else None
        is_link = bool(
            match
            and len(match[2].split()) <= MAX_CHROME_WORDS
            and not match[2].rstrip().endswith((".", "?", "!"))
        )
        if is_link and match and (expected is None or int(match[1]) == expected):
            run.append(i)
            expected = int(match[1]) + 1
            continue
        if len(run) >= 2 and not _data_rows(pieces, run):
            navigation.extend(run)
        run, expected = ([i], int(match[1]) + 1) if is_link and match else ([], None)
    return _remove(pieces, navigation, "navigation list")


def drop_widget_runs(pieces: list[Piece]) -> list[Piece]:
    """Three or more consecutive tiny lines (XS SM MD LG, A- A A+) are an interface widget."""
    kept = _kept(pieces)
    widgets: list[int] = []
    run: list[int] = []
    for i in [*kept, -1]:
        if i >= 0 and len(pieces[i].text) <= MAX_WIDGET_CHARS:
            run.append(i)
            continue
        if len(run) >= MIN_WIDGET_RUN:
            widgets.extend(run)
        run = []
    return _remove(pieces, widgets, "widget")


def is_furniture(line: str) -> bool:
    """True for a whole line of generic page furniture ('Skip to content', 'Read more', 'Breaking News')."""
    pattern, _ = _furniture()
    return len(line.split()) <= MAX_CHROME_WORDS and bool(pattern.fullmatch(line.strip(TRAILING_FURNITURE)))


def drop_furniture_lines(pieces: list[Piece]) -> list[Piece]:
    """Whole lines that are generic page furniture ('Skip to content', 'Read more', 'Breaking News')."""
    return _remove(pieces, [i for i in _kept(pieces) if is_furniture(pieces[i].text)], "page furniture")


def drop_furniture_starts(pieces: list[Piece]) -> list[Piece]:
    """Lines that start as a photo viewer's buttons or an inline teaser do ('Enlarge this image toggle
    caption <credit>', 'Image 1 of 2', 'Read more: <another story's headline>')."""
    starts = _furniture_starts()
    furniture = [
        i
        for i in _kept(pieces)
        if len(pieces[i].text.split()) <= MAX_FURNITURE_START_WORDS
        and starts.match(pieces[i].text.lstrip(" •·-–—>»"))
    ]
    return _remove(pieces, furniture, "picture or teaser")


def _cut(pieces: list[Piece], pattern: re.Pattern[str], rule: str, needs: str = "") -> list[Piece]:
    """Cut every match of pattern out of kept lines, keeping the cut parts in the trace; `needs`: a
    string every match holds, looked for first (far faster than the pattern's search in each line)."""
    result: list[Piece] = []
    for piece in pieces:
        if piece.removed_by or needs not in piece.text or not pattern.search(piece.text):
            result.append(piece)
            continue
        result.extend(Piece(m.group().strip(), rule) for m in pattern.finditer(piece.text))
        rest = normalise_line(pattern.sub(" ", piece.text))
        if rest:
            result.append(Piece(rest))
    return result


def drop_links(pieces: list[Piece]) -> list[Piece]:
    """Lines that are only a link or a social handle go; short and picture links are cut from lines."""
    # Every such link has a "/": searching each line for EMBED_LINK_RE took 1.9 s of a one-process
    # rebuild of 2,000 articles (~50 s), looking for "/" first 0.07 s.
    pieces = _cut(pieces, EMBED_LINK_RE, "embed link", needs="/")
    links = [
        i for i in _kept(pieces) if BARE_LINK_RE.match(pieces[i].text) or HANDLE_LINE_RE.match(pieces[i].text)
    ]
    return _remove(pieces, links, "link")


def drop_photo_credits(pieces: list[Piece]) -> list[Piece]:
    """'Image: picture-alliance/ZUMAPRESS' lines go, and such a credit glued to a caption's end."""
    _, prefixes = _furniture()
    words = "|".join(sorted(prefixes))
    glued = re.compile(rf"(?<=[.!?\"”’)])\s*(?:{words}):\s*[^.!?]{{1,60}}$", re.IGNORECASE)
    whole = re.compile(rf"^(?:{words})(?:\s+credit)?\s*:\s*\S.*$", re.IGNORECASE)
    pieces = _cut(pieces, glued, "photo credit")
    credits = [i for i in _kept(pieces) if len(pieces[i].text.split()) <= 10 and whole.match(pieces[i].text)]
    return _remove(pieces, credits, "photo credit")


def drop_signoffs(pieces: list[Piece]) -> list[Piece]:
    """Agency sign-offs ('tm/ng (AFP, AP)', '(Reporting by ...; Editing by ...)')."""
    signoffs = [
        i
        for i in _kept(pieces)
        if AGENCY_SIGNOFF_RE.match(pieces[i].text) or CREDIT_NOTE_RE.match(pieces[i].text)
    ]
    return _remove(pieces, signoffs, "sign-off")


# Rules for any text, extracted from a page or not.
SHAPE_RULES: tuple[Rule, ...] = (
    drop_navigation_lists,
    drop_widget_runs,
    drop_furniture_lines,
    drop_furniture_starts,
    drop_links,
    drop_photo_credits,
    drop_signoffs,
)

PAGE_RULES: tuple[Rule, ...] = (drop_repeated_captions, *SHAPE_RULES)

# Plain text has no structure to tell teasers from the article: repetition is the signal.
# On whole pages the extractor has already used the structure, and repetition there is
# more often the article's own (a meal plan's days, a list of product links).
PLAIN_TEXT_RULES: tuple[Rule, ...] = (
    drop_repeated_blocks,
    drop_repeated_captions,  # before the next rule, which would keep one copy of a caption
    drop_repeated_lines,
    *SHAPE_RULES,
)


def apply_rules(lines: Iterable[str], rules: Iterable[Rule]) -> list[Piece]:
    """Normalise lines, drop blank ones, and run the rules in order."""
    pieces = [Piece(line) for line in map(normalise_line, lines) if line]
    for rule in rules:
        pieces = rule(pieces)
    return pieces
