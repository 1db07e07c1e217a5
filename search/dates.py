"""Publication dates: read them from a page's metadata or from an article's clean lines, and
parse the partial dates users type (2012, 2012-03, 2012-03-23).

Only clean lines are searched, so a date inside removed boilerplate never counts, and only
where a publication date is written: a short line of the header around the headline and byline
('March 26, 2012', 'By Jane Doe | May 4, 2020'), or a dateline opening the story ('WASHINGTON,
March 23, 2012 — '). A date deeper in the text is an event's ('since Sept. 11, 2001'), a
caption's or a quoted tweet's: a story without a header date has no date, which is better than
a wrong one (a wrong date puts a story in the wrong place of every filter and sort).
"""

from __future__ import annotations

import calendar
import copy
import logging
import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from .errors import BadInputError

if TYPE_CHECKING:
    import lxml.html

log = logging.getLogger(__name__)

HEADER_LINES = 5  # the headline, a standfirst, a byline, a date line, a photo line: where a header ends
MAX_HEADER_WORDS = 14  # a longer line is a paragraph of the story, not a header line
MAX_SENTENCE_HEADER_WORDS = 6  # a line ending as a sentence ends is a header line only this short
MAX_BYLINE_WORDS = 40  # 'By <seven names> | December 7, 2014' is still a header line
MIN_PARAGRAPH_WORDS = 12  # a page's first paragraph of this many words is where its header ends
# A photo caption ends with its credit: '... November 13, 2018 (Al Drago/Reuters)'.
CAPTION_CREDIT_RE = re.compile(r"\([^()]*/[^()]*\)\s*$")
# A quoted tweet's attribution line: '— Matthew Miller (@StateDeptSpox) June 19, 2023'.
TWEET_ATTRIBUTION_RE = re.compile(r"^[—–-]\s.*\(@\w+\)")
# A dateline opening a story: the date within its first words, then a dash, a parenthesis or a colon.
DATELINE_CHARS = 60
# What may stand before a dateline's date: a place in capitals ('WASHINGTON, D.C.', 'BAMAKO, Mali'), a
# weekday.
DATELINE_PLACE_RE = re.compile(
    r"^(?:[A-Z][A-Z.'’ -]{1,30}(?:,\s*[A-Z][\w.'’ ]{0,20})?,?\s*)?"
    r"(?:(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs)?|Fri|Sat(?:ur)?|Sun)(?:day)?\.?,?\s*)?$"
)
DATELINE_END_RE = re.compile(r"^[\s,.]*(?:\([^()]{1,40}\)\s*)?[—–:-]|^[\s,.]*\(")
EARLIEST = date(1900, 1, 1)
MONTHS = {name: number for number, name in enumerate(calendar.month_name) if name} | {"Sept": 9}
MONTH_RE = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
DAY_RE = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
YEAR_RE = r"(?P<year>(?:19|20)\d\d)"
DATE_PATTERNS = [
    # Mar 23, 2012 / March 26, 2012 / Saturday, Jan. 19, 2013
    re.compile(rf"\b{MONTH_RE}\s+{DAY_RE},?\s+{YEAR_RE}\b", re.IGNORECASE),
    # 19 June 2023 / 19th of June, 2023
    re.compile(rf"\b{DAY_RE}\s+(?:of\s+)?{MONTH_RE},?\s+{YEAR_RE}\b", re.IGNORECASE),
    # 2023-06-19
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b"),
    # 26.03.2012, day first as everywhere dots are used
    re.compile(r"\b(?P<day>[0-3]?\d)\.(?P<month>[01]?\d)\.(?P<year>(?:19|20)\d\d)\b"),
]
# 06/19/2023 is unambiguous (month first, as no month is 19); 03/04/2012 is not, and is skipped.
SLASHED_RE = re.compile(r"\b(?P<first>[01]?\d|[23]\d)/(?P<second>[0-3]?\d)/(?P<year>(?:19|20)\d\d)\b")
USER_DATE_RE = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>\d{1,2})(?:-(?P<day>\d{1,2}))?)?$")


def _month_number(text: str) -> int:
    if text.isdigit():
        return int(text)
    key = text.rstrip(".").capitalize()
    return next(n for name, n in MONTHS.items() if name.startswith(key[:3]))


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def dates_in(line: str) -> list[date]:
    """Every valid calendar date written in a line, in the usual news forms."""
    found: list[tuple[int, date]] = []
    for pattern in DATE_PATTERNS:
        for match in pattern.finditer(line):
            value = _valid(int(match["year"]), _month_number(match["month"]), int(match["day"]))
            if value:
                found.append((match.start(), value))
    for match in SLASHED_RE.finditer(line):
        first, second = int(match["first"]), int(match["second"])
        if first == second or (first <= 12 < second):
            value = _valid(int(match["year"]), first, second)
        elif second <= 12 < first:
            value = _valid(int(match["year"]), second, first)
        else:
            value = None  # 03/04/2012: March 4 or 3 April, nobody can tell
        if value:
            found.append((match.start(), value))
    return [value for _, value in sorted(found, key=lambda item: item[0])]


def is_plausible(value: date, today: date) -> bool:
    """A publication date is not before 1900 and not after tomorrow."""
    return EARLIEST <= value <= today + timedelta(days=1)


def _dates_with_ends(line: str) -> list[tuple[int, int, date]]:
    """Every date written in a line with where it starts and ends."""
    found = []
    for pattern in [*DATE_PATTERNS, SLASHED_RE]:
        for match in pattern.finditer(line):
            value = dates_in(match.group())
            if value:
                found.append((match.start(), match.end(), value[0]))
    return sorted(found)


def text_date(lines: Sequence[str], title: str = "", today: date | None = None) -> tuple[date, str] | None:
    """The publication date written in a story's header or dateline, and which: 'header' or 'dateline'.

    The header is the first HEADER_LINES lines but the headline: a date in one of its short lines
    counts (not in a sentence of the story: 'Since Sept. 11, 2001, the country has spent trillions.'),
    as does one that opens a longer line as a dateline. None when neither holds one.
    """
    today = today or date.today()
    for line in lines[:HEADER_LINES]:
        if line == title or TWEET_ATTRIBUTION_RE.match(line):
            continue
        dates = [(start, end, d) for start, end, d in _dates_with_ends(line) if is_plausible(d, today)]
        if not dates:
            continue
        if CAPTION_CREDIT_RE.search(line):
            continue
        words = len(line.split())
        sentence = line.endswith((".", "!", "?"))
        if (
            words <= MAX_SENTENCE_HEADER_WORDS
            or (words <= MAX_HEADER_WORDS and not sentence)
            or (words <= MAX_BYLINE_WORDS and not sentence and line[:3].lower() == "by ")
        ):
            return dates[0][2], "header"
        start, end, value = dates[0]
        if (
            start <= DATELINE_CHARS
            and DATELINE_PLACE_RE.match(line[:start])
            and DATELINE_END_RE.match(line[end:])
        ):
            return value, "dateline"
    return None


def _metadata_only(page: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """A copy of a page holding only what states its dates: the head, and the body's JSON-LD and meta tags.

    htmldate, given a whole page, also reads dates from the body's elements, and a teaser list's
    'January 24, 2016' beside another story's headline beat the article's own <time> (52 of 600
    pages of bench/realistic.py).
    """
    import lxml.etree
    import lxml.html

    kept = lxml.html.Element("html")
    head = page.find("head")
    if head is not None:
        kept.append(copy.deepcopy(head))
    body = lxml.etree.SubElement(kept, "body")
    for element in page.iter("script", "meta", "link"):
        if element.getparent() is not head and (
            element.tag != "script" or "ld+json" in (element.get("type") or "")
        ):
            body.append(copy.deepcopy(element))
    return kept


def _header_time(page: lxml.html.HtmlElement, today: date) -> date | None:
    """The date of the page's own <time>: one marked as the publication date, or the first one in the
    article's header (after its <h1>, before its first paragraph), not one among teasers further on."""
    order = {element: n for n, element in enumerate(page.iter())}
    headline = next(page.iter("h1"), None)
    start = order[headline] if headline is not None else -1
    first_paragraph = next(
        (
            p
            for p in page.iter("p")
            if order[p] > start and len(p.text_content().split()) >= MIN_PARAGRAPH_WORDS
        ),
        None,
    )
    end = order[first_paragraph] if first_paragraph is not None else -1
    times = [t for t in page.iter("time") if t.get("datetime")]
    marked = [t for t in times if t.get("itemprop") == "datePublished" or t.get("pubdate") is not None]
    in_header = [t for t in times if start < order[t] < end]
    for element in [*marked, *in_header[:1]]:
        found = parse_given_date(element.get("datetime", ""), today)
        if found:
            return found
    return None


def page_date(page: lxml.html.HtmlElement, today: date | None = None) -> date | None:
    """The publication date a page declares: its metadata (meta tags, JSON-LD), read by htmldate from
    those alone, else the <time> of its header."""
    import htmldate  # imported here: only whole pages need it, and it is slow to import

    today = today or date.today()
    metadata = _metadata_only(page)
    try:
        found = htmldate.find_date(
            metadata,
            extensive_search=False,
            original_date=True,
            outputformat="%Y-%m-%d",
            max_date=(today + timedelta(days=1)).isoformat(),
        )
    except Exception as error:  # a third party's bug must never stop indexing
        log.debug("htmldate failed: %s", error)
        found = None
    return date.fromisoformat(found) if found else _header_time(page, today)


def as_datetime(value: date | None) -> datetime | None:
    """The index stores dates as datetimes at midnight."""
    return datetime(value.year, value.month, value.day) if value else None


def parse_user_date(text: str) -> tuple[date, date]:
    """The first and last day that '2012', '2012-03' or '2012-03-23' cover; BadInputError otherwise."""
    match = USER_DATE_RE.match(text.strip())
    if match:
        year = int(match["year"])
        month = int(match["month"]) if match["month"] else None
        day = int(match["day"]) if match["day"] else None
        try:
            if month is None:
                return date(year, 1, 1), date(year, 12, 31)
            if day is None:
                return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
            return date(year, month, day), date(year, month, day)
        except (ValueError, calendar.IllegalMonthError):
            pass
    raise BadInputError(f"bad date {text!r}: use YYYY, YYYY-MM or YYYY-MM-DD")


GIVEN_ISO_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[T\s])")
GIVEN_SLASHED_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})(?:$|[\s,T])")


def _two_digit_year(year: int, today: date) -> int:
    """'17' is 2017 and '98' is 1998: the century that puts the year at or before this one."""
    return 2000 + year if 2000 + year <= today.year else 1900 + year


def parse_given_date(text: str, today: date | None = None) -> date | None:
    """A date a user gave (sidecar, front matter, app): ISO 8601 with or without a time ('2020-05-04',
    '2020-05-04T10:00:00Z', '2020-05-04 10:00:00 -0400'), RFC 2822 ('Mon, 04 May 2020 10:00:00 GMT'),
    a news form ('May 4, 2020'), or slashes in US order ('5/4/20', '05/04/2020': month first, as US
    exports write them; day first only when the first number cannot be a month, '23/6/2017').

    None when it cannot be read or is implausible (before 1900, after tomorrow: '0001-11-30', '2050-...'),
    as for dates found in the text: Whoosh would store them without a word.
    """
    import email.utils

    today = today or date.today()
    text = text.strip()
    found: date | None = None
    if match := GIVEN_ISO_RE.match(text):
        found = _valid(int(match[1]), int(match[2]), int(match[3]))
    elif match := GIVEN_SLASHED_RE.match(text):
        first, second, year = int(match[1]), int(match[2]), int(match[3])
        year = _two_digit_year(year, today) if len(match[3]) == 2 else year
        found = _valid(year, first, second) if first <= 12 else _valid(year, second, first)
    else:
        try:
            found = email.utils.parsedate_to_datetime(text).date()
        except (TypeError, ValueError, IndexError):
            written = dates_in(text)
            found = written[0] if written else None
    return found if found and is_plausible(found, today) else None
