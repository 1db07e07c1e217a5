"""Publication dates: read them from a page's metadata or from an article's clean lines, and
parse the partial dates users type (2012, 2012-03, 2012-03-23).

Only clean lines are searched, so a date inside removed boilerplate never counts. A date
near the headline or dateline wins; otherwise the latest plausible date in the text (a
quoted tweet's, an event's) is the best guess; otherwise there is no date.
"""

from __future__ import annotations

import calendar
import logging
import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from .errors import BadInputError

if TYPE_CHECKING:
    import lxml.html

log = logging.getLogger(__name__)

HEADER_LINES = 3
# A quoted tweet's attribution line: '— Matthew Miller (@StateDeptSpox) June 19, 2023'.
TWEET_ATTRIBUTION_RE = re.compile(r"^[—–-]\s.*\(@\w+\)")
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


def text_date(lines: Sequence[str], today: date | None = None) -> date | None:
    """The date near the headline or dateline, else the latest plausible date anywhere in the text."""
    today = today or date.today()
    for line in lines[:HEADER_LINES]:
        if TWEET_ATTRIBUTION_RE.match(line):
            continue
        header = [d for d in dates_in(line) if is_plausible(d, today)]
        if header:
            return header[0]
    everywhere = [d for line in lines for d in dates_in(line) if is_plausible(d, today)]
    return max(everywhere, default=None)


def page_date(page: lxml.html.HtmlElement, today: date | None = None) -> date | None:
    """The publication date a page's metadata declares (meta tags, JSON-LD, time elements), via htmldate."""
    import htmldate  # imported here: only whole pages need it, and it is slow to import

    today = today or date.today()
    try:
        found = htmldate.find_date(
            page,
            extensive_search=False,
            original_date=True,
            outputformat="%Y-%m-%d",
            max_date=(today + timedelta(days=1)).isoformat(),
        )
    except Exception as error:  # a third party's bug must never stop indexing
        log.debug("htmldate failed: %s", error)
        return None
    return date.fromisoformat(found) if found else None


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


def parse_given_date(text: str, today: date | None = None) -> date | None:
    """A date a user gave (sidecar, front matter, app): ISO 8601 (with or without a time) or a news form.

    None when it cannot be read or is implausible (before 1900, after tomorrow: '0001-11-30', '2050-...'),
    as for dates found in the text: Whoosh would store them without a word.
    """
    text = text.strip()
    try:
        found = [datetime.fromisoformat(text.replace("Z", "+00:00")).date()]
    except ValueError:
        found = dates_in(text)
    return found[0] if found and is_plausible(found[0], today or date.today()) else None
