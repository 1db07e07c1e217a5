"""A regression folder of real news stories in the five shapes users keep them, and a check of what we index.

    python -m bench.realistic build DIR --stories N [--seed S]
    python -m bench.realistic check DIR [--index-dir D] [--reuse-index]

The sample corpus is five files; users point us at folders where one story is a bare .txt, the next
carries a byline and a date line, a third has a NAME.meta.json sidecar, a fourth front matter, and a
fifth is a whole saved web page with its menus, cookie banner and teasers. `build` writes N AllSides
stories (../shared/corpora, chosen by seed) in those five shapes, evenly, a few outlets in folders of
their own, and records what is true of each file in DIR/truth.jsonl (the indexer reads only .txt and
.html, so the truth is never indexed). `check` indexes DIR through the Python API and reports, per
shape, how often the title is the story's own, whether the date is right, wrong or missing (apart for
files that carry a date and those that do not), which chrome phrases survive cleaning, whether quoted
phrases with stop words count what they should, and whether `date:` and `actor:` clauses give the
same documents as the since/until/actors arguments. The targets are printed beside the figures; the
exit status is 0 either way (it is a report), and main() returns the report for a test to assert on.
"""

from __future__ import annotations

import argparse
import contextlib
import html
import itertools
import json
import random
import re
import shutil
import sys
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

import Stemmer

from bench.data import ALLSIDES, rows
from search import Document, SearchError, SearchIndex, index_corpus, open_index

SHAPES = ("plain", "byline", "sidecar", "frontmatter", "html")
DEFAULT_SEED = 20261129
TRUTH = "truth.jsonl"
# AllSides dates outside these years are the source's mistakes ('0001-11-30', '2050-...'), not dates.
FIRST_YEAR, LAST_YEAR = 1990, 2021
OUTLET_FOLDERS = 6  # the most common outlets of a folder get a subfolder each, as users keep them
COPYRIGHT_YEAR = 2021  # the year the pages were saved, as their footers say
SEARCH_LIMIT = 10_000

# Targets the product should meet; printed beside the figures, asserted by a test once met.
TITLE_TARGET = 0.995
DATE_TARGET = 0.995

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # fmt: skip
AP_MONTHS = ("Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec.")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# The Snowball English stop list: which words make a phrase 'one with stop words'.
STOP_LIST = """i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what which who whom
    this that these those am is are was were be been being have has had having do does did doing would
    should could ought a an the and but if or because as until while of at by for with about against
    between into through during before after above below to from up down in out on off over under again
    further then once here there when where why how all any both each few more most other some such no
    nor not only own same so than too very can will just"""
STOP_WORDS = frozenset(STOP_LIST.split())
# Well-known phrases that hold stop words; kept when the folder holds them (and stemming is aside).
KNOWN_PHRASES = (
    "lock her up", "no collusion", "me too", "the white house", "of the united states", "in the wake of",
    "on the other hand", "at the end of the day", "the military", "build the wall", "drain the swamp",
    "make america great again", "the supreme court", "the second amendment", "the rule of law",
    "the fake news", "the deep state", "the middle east", "the american people", "the islamic state",
    "the affordable care act", "the department of justice", "for the first time", "one of the most",
    "at the same time", "as well as", "in order to", "the state of the union", "on the ground", "a lot of",
    "the president of the united states", "the law of the land", "the united nations",
    "the federal government", "the new york times", "in the first place", "black lives matter",
)  # fmt: skip
PHRASE_COUNT = 50
# Date ranges for `WORD date:[A to B]` against since=A, until=B.
DATE_RANGES = (("2016-01", "2017-06"), ("2018-03", "2019-02"), ("2013", "2014"), ("2019-07", "2020-12"),
               ("2012-06", "2012-11"), ("2015-01-15", "2015-08-31"))  # fmt: skip
FILTER_WORDS = 7

WORD_RE = re.compile(r"\w+")
# What \w+ makes of "we're", "don't": a phrase starting or ending there is half a word.
CONTRACTION_TAILS = frozenset({"s", "t", "re", "ve", "ll", "d", "m"})
STEMMER = Stemmer.Stemmer("english")


# ---------------------------------------------------------------------------------------------------------
# The stories


@dataclass(frozen=True)
class Story:
    """One AllSides article, with its date only when the source gave a real one."""

    id: str
    title: str  # whitespace-normalised
    date: date | None
    text: str
    source: str
    url: str
    authors: tuple[str, ...]  # plausible names only: the source's author field is often page debris
    topic: str


def normalise_space(text: str) -> str:
    return " ".join(text.split())


def known_date(raw: str | None) -> date | None:
    """The source's date when it is ISO YYYY-MM-DD between FIRST_YEAR and LAST_YEAR; else unknown."""
    if not raw or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        return None
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        return None
    return value if FIRST_YEAR <= value.year <= LAST_YEAR else None


NOT_NAME_WORDS = frozenset({"Analysis", "Editorial", "Board", "Count", "Tags", "Staff", "Of", "In", "Story",
                            "Opinion", "Contributor", "Writer", "Backgroundurl", "Avatar_Large",
                            "Comment"})  # fmt: skip
NAME_RE = re.compile(r"[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){1,3}")


def author_names(field_text: str) -> tuple[str, ...]:
    """The plausible personal names in an author field ('Chris Stirewalt, In July Of' gives one)."""
    names = []
    for part in re.split(r",\s*|\s+and\s+|\s*&\s*", field_text or ""):
        part = normalise_space(part)
        if NAME_RE.fullmatch(part) and not NOT_NAME_WORDS & set(part.split()):
            names.append(part)
    return tuple(dict.fromkeys(names))


def load_stories() -> list[Story]:
    """Every AllSides article, in the file's order."""
    stories = []
    for row in rows(ALLSIDES):
        stories.append(
            Story(
                id=row["id"],
                title=normalise_space(row["title"]),
                date=known_date(row.get("date")),
                text=row["text"],
                source=row.get("source") or "",
                url=row.get("url") or "",
                authors=author_names(row.get("authors") or ""),
                topic=row.get("topic") or "",
            )
        )
    return stories


def assign_shapes(chosen: Sequence[Story]) -> list[tuple[Story, str]]:
    """Each story's shape, a fifth each: bylines carry a real date, so they take dated stories first."""
    byline_quota = len(chosen) // len(SHAPES) + (1 if len(chosen) % len(SHAPES) > 1 else 0)
    bylines = {s.id for s in [s for s in chosen if s.date][:byline_quota]}
    others = [shape for shape in SHAPES if shape != "byline"]
    assigned, n = [], 0
    for story in chosen:
        if story.id in bylines:
            assigned.append((story, "byline"))
        else:
            assigned.append((story, others[n % len(others)]))
            n += 1
    return assigned


# ---------------------------------------------------------------------------------------------------------
# How dates and names are written


def long_date(value: date) -> str:
    return f"{MONTHS[value.month - 1]} {value.day}, {value.year}"


def us_clock(hour: int, minute: int) -> str:
    """12:33 p.m., as US papers write it."""
    return f"{(hour - 1) % 12 + 1}:{minute:02} {'a.m.' if hour < 12 else 'p.m.'}"


def nth_sunday(year: int, month: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(6 - first.weekday()) % 7 + 7 * (n - 1))


def eastern_offset(value: date) -> str:
    """US Eastern time's offset on a day: summer time from March's second Sunday to November's first."""
    summer = nth_sunday(value.year, 3, 2) <= value < nth_sunday(value.year, 11, 1)
    return "-04:00" if summer else "-05:00"


def iso_local(value: date, hour: int, minute: int) -> str:
    return f"{value.isoformat()}T{hour:02}:{minute:02}:00{eastern_offset(value)}"


def join_names(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def slug(text: str, limit: int = 60) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:limit].rstrip("-") or "story"


def site_name(source: str) -> str:
    """The name a site calls itself, from AllSides' outlet label ('CNN (Web News)' is CNN)."""
    name = re.sub(r"\s*\([^)]*\)|\s+-\s+.*$|\s+Online News$", "", source).strip()
    return name or "The Daily Report"


def yaml_title(title: str, rng: random.Random) -> tuple[str, str]:
    """A title as people write it in front matter: bare, or quoted YAML's two ways; and which."""
    risky = title[:1] in "'\"‘“[{>|*&!%@`#" or ": " in title or " #" in title or title.endswith(":")
    roll = rng.random()
    if (not risky and roll < 0.7) or (risky and roll < 0.3):
        return title, "bare-risky" if risky else "bare"
    if roll < 0.8 or "'" not in title:
        return '"' + title.replace("\\", "\\\\").replace('"', '\\"') + '"', "double-quoted"
    return "'" + title.replace("'", "''") + "'", "single-quoted"


# ---------------------------------------------------------------------------------------------------------
# The five shapes: each writes its file(s) and says what the truth is


@dataclass(frozen=True)
class Written:
    """What build wrote for one story: the record that truth.jsonl keeps."""

    path: str
    shape: str
    variant: str  # the form the shape took (byline form, date form, template): what a miss is traced to
    title: str
    date: str | None
    date_in_file: bool
    source: str
    text: str
    teasers: tuple[str, ...] = ()  # headlines of other stories in a page's teaser blocks
    teaser_dates: tuple[str, ...] = ()  # dates a page shows beside its teasers
    modified: str | None = None  # the modified date a page's metadata declares, a day or two later


def plain_file(story: Story) -> tuple[str, str]:
    return f"{story.title}\n\n{story.text}\n", "title-blank-text"


def byline_file(story: Story, names: Sequence[str], rng: random.Random) -> tuple[str, str]:
    """Title, a byline with the date in one of the forms news sites use, then the text."""
    assert story.date is not None
    day, site = story.date, site_name(story.source)
    hour, minute = rng.randint(6, 18), rng.randrange(60)
    form = rng.randrange(6)
    if form == 0:
        header, variant = f"By {join_names(names)} | {long_date(day)}", "by-pipe-date"
    elif form == 1:
        header, variant = f"By {join_names(names)}\n{long_date(day)}", "by-newline-date"
    elif form == 2:
        weekday, month = WEEKDAYS[day.weekday()][:3], MONTHS[day.month - 1][:3]
        stamp = f"{us_clock(hour, minute)} ET, {weekday} {month} {day.day}, {day.year}"
        header = f"{names[0]}, {site}\nPublished {stamp}"
        variant = "published-et"
    elif form == 3:
        header, variant = f"By {join_names(names)}\nUpdated: {day.isoformat()}", "updated-iso"
    elif form == 4:
        edt = "EDT" if eastern_offset(day) == "-04:00" else "EST"
        when = f"{AP_MONTHS[day.month - 1]} {day.day}, {day.year} {us_clock(hour, minute)} {edt}"
        header, variant = f"By {join_names(names).upper()}, {site}\n{when}", "ap-date-time"
    else:
        header, variant = (
            f"{join_names(names)}\n{day.day} {MONTHS[day.month - 1]} {day.year}",
            "day-month-year",
        )
    return f"{story.title}\n{header}\n\n{story.text}\n", variant


def sidecar_date(day: date, rng: random.Random) -> tuple[str, str]:
    """A date in one of the forms found in metadata people export: ISO, ISO with time, long, US slashes."""
    form = rng.randrange(6)
    hour, minute = rng.randint(10, 18), rng.randrange(60)
    if form == 0:
        return day.isoformat(), "iso"
    if form == 1:
        return f"{day.isoformat()}T{hour:02}:{minute:02}:00Z", "iso-time-z"
    if form == 2:
        return long_date(day), "long"
    if form == 3:
        return f"{day.month}/{day.day}/{day.year % 100:02}", "us-short"
    if form == 4:
        return f"{day.month:02}/{day.day:02}/{day.year}", "us-long"
    weekday, month = WEEKDAYS[day.weekday()][:3], MONTHS[day.month - 1][:3]
    return f"{weekday}, {day.day:02} {month} {day.year} {hour:02}:{minute:02}:00 GMT", "rfc2822"


def sidecar_files(
    story: Story, names: Sequence[str], rng: random.Random
) -> tuple[str, dict[str, object], str]:
    """The text alone, and the metadata beside it as a sidecar (title, date, source, url, authors)."""
    meta: dict[str, object] = {"title": story.title}
    variant = "no-date"
    if story.date:
        meta["date"], variant = sidecar_date(story.date, rng)
    meta |= {"source": site_name(story.source), "url": story.url, "authors": list(names)}
    return f"{story.text}\n", meta, variant


def front_matter_file(story: Story, names: Sequence[str], rng: random.Random) -> tuple[str, str]:
    """A '---' block as static-site generators and note apps write it, then the text."""
    title, quoting = yaml_title(story.title, rng)
    lines = ["---", f"title: {title}"]
    date_form = "no-date"
    if story.date:
        hour, minute = rng.randint(6, 18), rng.randrange(60)
        roll = rng.random()
        if roll < 0.6:
            lines.append(f"date: {story.date.isoformat()}")
            date_form = "iso"
        elif roll < 0.8:
            offset = eastern_offset(story.date).replace(":", "")
            lines.append(f"date: {story.date.isoformat()} {hour:02}:{minute:02}:00 {offset}")
            date_form = "jekyll"
        else:
            lines.append(f"date: {iso_local(story.date, hour, minute)}")
            date_form = "iso-time-offset"
    lines.append(f"source: {site_name(story.source)}")
    roll = rng.random()
    if roll < 0.4:
        lines.append(f"authors: [{', '.join(names)}]")
    elif roll < 0.7:
        lines.append("authors:")
        lines.extend(f"  - {name}" for name in names)
    else:
        lines.append(f"author: {names[0]}")
    if story.topic:
        lines.append(f"tags: [{story.topic.replace('_', ' ')}]")
    lines.append("---")
    gap = "\n" if rng.random() < 0.5 else ""
    return "\n".join(lines) + "\n" + gap + story.text + "\n", f"{quoting}/{date_form}"


# Whole pages: four site templates, so that no single layout dominates.

CAPTIONS = ("Protesters gather outside the Capitol.", "Reporters wait outside a hearing room.",
            "Voters line up at a polling station.", "A view of the city skyline at dusk.",
            "Supporters listen during a campaign rally.",
            "Officials arrive for a closed-door meeting.")  # fmt: skip
PHOTOGRAPHERS = ("Saul Loeb/AFP via Getty Images", "Alex Wong/Getty Images", "J. Scott Applewhite/AP",
                 "Jonathan Ernst/Reuters", "Drew Angerer/Getty Images", "Susan Walsh/AP")  # fmt: skip
NAV = {
    "daily": ("Home", "U.S.", "World", "Politics", "Business", "Opinion", "Health", "Sports"),
    "magazine": ("Latest", "Politics", "Culture", "Ideas", "Science", "Podcasts", "Newsletters"),
    "wire": ("World", "Business", "Markets", "Legal", "Technology", "Breakingviews"),
    "blog": ("News", "Opinion", "Video", "Podcasts", "Shop", "Donate"),
}
TEMPLATES = tuple(NAV)


@dataclass(frozen=True)
class PageDates:
    """The dates a page shows that are not its story's: a trap for a date finder."""

    teasers: tuple[str, ...] = ()
    modified: str | None = None


@dataclass(frozen=True)
class Teaser:
    title: str
    date: date | None


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def paragraphs(text: str) -> list[str]:
    return [normalise_space(p) for p in text.split("\n\n") if p.strip()]


def nav_links(template: str) -> str:
    return " ".join(f'<a href="/{slug(word)}">{esc(word)}</a>' for word in NAV[template])


def teaser_items(teasers: Sequence[Teaser], dated: bool) -> str:
    items = []
    for teaser in teasers:
        when = f' <span class="date">{long_date(teaser.date)}</span>' if dated and teaser.date else ""
        items.append(f'<li><a href="/story/{slug(teaser.title)}">{esc(teaser.title)}</a>{when}</li>')
    return "\n".join(items)


def figure(rng: random.Random, credit_label: str) -> str:
    caption, credit = rng.choice(CAPTIONS), rng.choice(PHOTOGRAPHERS)
    return (
        f'<figure class="lead-image"><img src="/img/{rng.randrange(10**6)}.jpg" alt="">'
        f'<figcaption>{esc(caption)} <span class="credit">{credit_label}{esc(credit)}</span>'
        f"</figcaption></figure>"
    )


NEWSLETTER = """<section class="newsletter"><h3>Sign up for our newsletter</h3>
<p>Get the day's top headlines delivered to your inbox every morning.</p>
<form action="/newsletter" method="post"><input type="email" name="email" placeholder="Enter your email">
<button type="submit">Sign up</button></form></section>"""


def html_page(
    story: Story, template: str, names: Sequence[str], teasers: Sequence[Teaser], rng: random.Random
) -> tuple[str, str, PageDates]:
    """A saved article page with its site's chrome around the story; the date in meta, <time> or JSON-LD."""
    site, title, day = site_name(story.source), story.title, story.date
    hour, minute = rng.randint(6, 18), rng.randrange(60)
    carrier = "none"
    if day:
        roll = rng.random()
        carrier = "meta" if roll < 0.5 else "time" if roll < 0.75 else "json-ld"
    modified = day + timedelta(days=rng.randrange(1, 3)) if day and rng.random() < 0.35 else None
    head = [
        f"<title>{esc(title)} | {esc(site)}</title>",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta property="og:site_name" content="{esc(site)}">',
        '<meta property="og:type" content="article">',
        f'<meta property="og:url" content="{esc(story.url)}">',
        f'<meta name="description" content="{esc(normalise_space(story.text)[:150])}">',
    ]
    if template != "blog":
        head.insert(1, f'<meta property="og:title" content="{esc(title)}">')
    if carrier == "meta" and day:
        head.append(f'<meta property="article:published_time" content="{iso_local(day, hour, minute)}">')
        if modified:
            head.append(f'<meta property="article:modified_time" content="{iso_local(modified, 9, 5)}">')
    ld: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": title,
        "author": [{"@type": "Person", "name": n} for n in names],
        "publisher": {"@type": "Organization", "name": site},
        "mainEntityOfPage": story.url,
    }
    if carrier == "json-ld" and day:
        ld["datePublished"] = iso_local(day, hour, minute)
        if modified:
            ld["dateModified"] = iso_local(modified, 9, 5)
    if carrier == "json-ld" or template == "blog":
        script = json.dumps(ld, ensure_ascii=False).replace("</", "<\\/")
        head.append(f'<script type="application/ld+json">{script}</script>')
    head.append('<link rel="stylesheet" href="/static/site.css">')
    when = ""
    if day and carrier == "time":
        when = f'<time datetime="{iso_local(day, hour, minute)}">{long_date(day)}</time>'
    elif day and carrier == "meta":
        when = f'<span class="published">{long_date(day)}</span>'
    paras = [f"<p>{esc(p)}</p>" for p in paragraphs(story.text)]
    with_figure = rng.random() < 0.5
    byline = esc(join_names(names))
    if template == "daily":
        body = f"""<div id="cookie-banner" class="cookie-consent" role="dialog"><p>We use cookies to give you
the best experience on our website. By continuing to browse, you agree to our use of cookies.</p>
<button>Accept cookies</button> <a href="/privacy#cookies">Manage settings</a></div>
<header class="site-header"><a class="logo" href="/">{esc(site)}</a>
<nav class="main-nav">{nav_links(template)}</nav>
<a class="subscribe" href="/subscribe">Subscribe</a> <a href="/login">Log in</a></header>
<main><article class="story">
<h1 class="headline">{esc(title)}</h1>
<div class="byline">By <a href="/staff/{slug(names[0])}">{byline}</a> {when}</div>
<div class="share"><a href="https://www.facebook.com/sharer/sharer.php">Share on Facebook</a>
<a href="https://twitter.com/intent/tweet">Share on Twitter</a>
<a href="mailto:?subject=story">Email</a></div>
{figure(rng, "Photograph: ") if with_figure else ""}
<div class="story-body">
{chr(10).join(paras)}
</div></article>
<aside class="related"><h2>Related stories</h2><ul>
{teaser_items(teasers, dated=False)}
</ul></aside>
{NEWSLETTER}
</main>
<footer class="site-footer"><nav><a href="/about">About Us</a> <a href="/contact">Contact Us</a>
<a href="/privacy">Privacy Policy</a> <a href="/terms">Terms of Use</a></nav>
<p>© {COPYRIGHT_YEAR} {esc(site)}. All rights reserved.</p></footer>"""
    elif template == "magazine":
        middle = len(paras) // 2
        if teasers and len(paras) > 3:
            read_more = (
                f'<p class="inline-link"><strong>Read more:</strong> '
                f'<a href="/story/{slug(teasers[0].title)}">{esc(teasers[0].title)}</a></p>'
            )
            paras = [*paras[:middle], read_more, *paras[middle:]]
        body = f"""<div class="consent-overlay"><div class="consent"><p>This site uses cookies to
personalise content and ads and to analyse our traffic.</p><button class="accept">Accept cookies</button>
<button class="reject">Reject all</button></div></div>
<header><div class="masthead"><a href="/">{esc(site)}</a></div>
<nav aria-label="Sections">{nav_links(template)}</nav></header>
<div class="content"><article>
<header><p class="kicker">{esc(story.topic.replace("_", " ").title())}</p><h1>{esc(title)}</h1>
<p class="byline">{byline}</p>{when}</header>
{figure(rng, "Credit: ") if with_figure else ""}
<section class="article-body">
{chr(10).join(paras)}
</section>
<footer class="article-tools"><button>Share</button> <a href="#">Facebook</a> <a href="#">Twitter</a>
<a href="#">LinkedIn</a> <button>Copy link</button></footer>
</article>
<aside class="more"><h2>Read more</h2><ul>
{teaser_items(teasers[1:], dated=True)}
</ul></aside></div>
{NEWSLETTER}
<footer><ul><li><a href="/about">About</a></li><li><a href="/careers">Careers</a></li>
<li><a href="/advertise">Advertise</a></li><li><a href="/privacy">Privacy Policy</a></li></ul>
<small>Copyright © {COPYRIGHT_YEAR} {esc(site)} Media. All rights reserved.</small></footer>"""
    elif template == "wire":
        gallery = ""
        if with_figure:
            gallery = f"""<div class="gallery">{figure(rng, "")}
<div class="gallery-controls"><span>Image 1 of 3</span> <button>previous Image</button>
<button>next Image</button></div></div>"""
        minutes = max(1, len(story.text.split()) // 230)
        body = f"""<header class="top-bar"><a class="brand" href="/">{esc(site)}</a>
<nav><ul>{"".join(f'<li><a href="/{slug(w)}">{esc(w)}</a></li>' for w in NAV[template])}</ul></nav>
<form role="search"><input type="search" placeholder="Search"></form></header>
<main id="main-content"><article>
<h1 data-testid="Heading">{esc(title)}</h1>
<div class="article-info">{byline} {when} <span>{minutes} min read</span></div>
{gallery}
{chr(10).join(paras)}
<p class="trust">Our Standards: The Trust Principles.</p>
</article>
<aside><h2>Related stories</h2><ul>
{teaser_items(teasers, dated=True)}
</ul></aside></main>
<div class="cookie-notice">By clicking "Accept cookies", you agree to the storing of cookies on your device
to enhance site navigation. <button>Accept cookies</button> <button>Cookie settings</button></div>
<footer><a href="/privacy">Privacy Policy</a> <a href="/terms">Terms of Use</a>
<p>All quotes delayed a minimum of 15 minutes.
© {COPYRIGHT_YEAR} {esc(site)}. All rights reserved.</p></footer>"""
    else:
        body = f"""<header><a class="site-title" href="/">{esc(site)}</a>
<nav class="menu">{nav_links(template)}</nav></header>
<div id="cookie-notice"><p>We use cookies to improve your experience.</p>
<a class="button">Accept cookies</a></div>
<div class="wrap"><main><article class="post">
<h1 class="entry-title">{esc(title)}</h1>
<div class="entry-meta">Posted by {byline} {when}</div>
<div class="social-share">Share: <a href="#">Facebook</a> <a href="#">Twitter</a> <a href="#">Email</a>
<a href="#">Print</a></div>
<div class="entry-content">
{chr(10).join(paras)}
</div>
<div class="post-tags">Tags: <a href="/tag/{slug(story.topic)}">{esc(story.topic.replace("_", " "))}</a></div>
</article>
<section id="comments"><h3>Join the conversation</h3><p>Comments are moderated. Please keep it civil.</p>
</section></main>
<aside class="sidebar"><h3>Trending now</h3><ol>
{teaser_items(teasers, dated=False)}
</ol>{NEWSLETTER}</aside></div>
<footer>© {COPYRIGHT_YEAR} {esc(site)} · All rights reserved · <a href="/privacy">Privacy Policy</a>
· <a href="/terms">Terms</a></footer>"""
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        + "\n".join(head)
        + f'\n</head>\n<body class="article-page">\n{body}\n</body>\n</html>\n'
    )
    dated_teasers = {"magazine": teasers[1:], "wire": teasers}.get(template, ())
    shown = PageDates(tuple(t.date.isoformat() for t in dated_teasers if t.date),
                      modified.isoformat() if modified and carrier != "time" else None)  # fmt: skip
    return page, f"{template}/{carrier}" + ("/modified" if shown.modified else ""), shown


# ---------------------------------------------------------------------------------------------------------
# build


@dataclass(frozen=True)
class BuildSummary:
    """What build wrote."""

    folder: str
    files: int
    by_shape: tuple[tuple[str, int], ...]
    dated: int
    seconds: float


def outlet_folders(assigned: Sequence[tuple[Story, str]]) -> dict[str, str]:
    """A subfolder for each of the few most common outlets; the rest stay at the top."""
    counts = Counter(site_name(story.source) for story, _ in assigned)
    return {site: slug(site, 40) for site, _ in counts.most_common(OUTLET_FOLDERS)}


def site_templates(assigned: Sequence[tuple[Story, str]]) -> dict[str, str]:
    """One template a site, as on the web, dealt so that each template gets about as many pages."""
    pages = Counter(site_name(story.source) for story, shape in assigned if shape == "html")
    load = dict.fromkeys(TEMPLATES, 0)
    templates = {}
    for site, count in sorted(pages.items(), key=lambda item: (-item[1], item[0])):
        templates[site] = min(TEMPLATES, key=lambda t: load[t])
        load[templates[site]] += count
    return templates


def story_path(story: Story, shape: str, folders: dict[str, str], biggest: str | None) -> str:
    """Where a user would keep the story: its outlet's folder (the biggest one by year), its title as name."""
    site = site_name(story.source)
    name = f"{slug(story.title)}-{story.id[:6].lower()}" + (".html" if shape == "html" else ".txt")
    if site not in folders:
        return name
    if site == biggest:
        return f"{folders[site]}/{story.date.year if story.date else 'undated'}/{name}"
    return f"{folders[site]}/{name}"


def build(folder: Path, count: int, seed: int = DEFAULT_SEED) -> BuildSummary:
    """Write `count` stories, chosen by seed, in the five shapes, and truth.jsonl at the top."""
    started = time.perf_counter()
    if folder.exists() and any(folder.iterdir()):
        if not (folder / TRUTH).is_file():
            raise SystemExit(
                f"realistic.py: {folder} holds files that are not a folder of ours; not touching it"
            )
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stories = load_stories()
    name_pool = sorted({name for story in stories for name in story.authors})
    chosen = random.Random(seed).sample(stories, count)
    assigned = assign_shapes(chosen)
    folders = outlet_folders(assigned)
    templates = site_templates(assigned)
    biggest = next(iter(folders), None)
    written: list[Written] = []
    for story, shape in assigned:
        rng = random.Random(f"{seed}:{story.id}")
        names = story.authors or (rng.choice(name_pool),)
        rel = story_path(story, shape, folders, biggest)
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        teasers: tuple[str, ...] = ()
        shown = PageDates()
        if shape == "plain":
            content, variant = plain_file(story)
        elif shape == "byline":
            content, variant = byline_file(story, names, rng)
        elif shape == "sidecar":
            content, meta, variant = sidecar_files(story, names, rng)
            sidecar = (
                path.with_suffix(".meta.json")
                if rng.random() < 0.7
                else path.with_name(path.name + ".meta.json")
            )
            sidecar.write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
            variant += "/" + (
                "name.txt.meta.json" if sidecar.name.endswith(".txt.meta.json") else "name.meta.json"
            )
        elif shape == "frontmatter":
            content, variant = front_matter_file(story, names, rng)
        else:
            others = [s for s in rng.sample(stories, 6) if s.id != story.id][: rng.randint(3, 5)]
            template = templates[site_name(story.source)]
            content, variant, shown = html_page(
                story, template, names, [Teaser(s.title, s.date) for s in others], rng
            )
            teasers = tuple(s.title for s in others)
        path.write_text(content, encoding="utf-8")
        date_in_file = story.date is not None and shape != "plain"
        written.append(
            Written(
                path=rel,
                shape=shape,
                variant=variant,
                title=story.title,
                date=story.date.isoformat() if story.date else None,
                date_in_file=date_in_file,
                source=story.source,
                text=story.text,
                teasers=teasers,
                teaser_dates=shown.teasers,
                modified=shown.modified,
            )
        )
    with (folder / TRUTH).open("w", encoding="utf-8") as out:
        for record in written:
            out.write(json.dumps(asdict(record), ensure_ascii=False) + "\n")
    by_shape = Counter(w.shape for w in written)
    return BuildSummary(
        str(folder),
        len(written),
        tuple((s, by_shape[s]) for s in SHAPES),
        sum(1 for w in written if w.date),
        time.perf_counter() - started,
    )


def read_truth(folder: Path) -> list[Written]:
    records = []
    with (folder / TRUTH).open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            lists = {key: tuple(record.get(key) or ()) for key in ("teasers", "teaser_dates")}
            records.append(Written(**{**record, **lists}))
    return records


# ---------------------------------------------------------------------------------------------------------
# check: the records it returns


@dataclass(frozen=True)
class DateTally:
    """Dates found, against the story's real one."""

    right: int = 0
    wrong: int = 0
    empty: int = 0

    @property
    def files(self) -> int:
        return self.right + self.wrong + self.empty

    @property
    def right_rate(self) -> float:
        return self.right / self.files if self.files else 1.0


@dataclass(frozen=True)
class TitleMiss:
    path: str
    variant: str
    kind: str  # what went wrong (title_miss_kind), so that misses are counted by cause
    expected: str
    found: str


@dataclass(frozen=True)
class WrongDate:
    path: str
    variant: str
    kind: str  # where the wrong date came from (wrong_date_kind)
    date_in_file: bool
    expected: str | None
    found: str
    date_source: str | None


def kinds(values: Iterable[str]) -> tuple[tuple[str, int], ...]:
    return tuple(Counter(values).most_common())


@dataclass(frozen=True)
class ShapeReport:
    """Titles and dates of one shape's files."""

    shape: str
    files: int
    indexed: int
    titles_exact: int
    title_misses: tuple[TitleMiss, ...]
    dates_in_file: DateTally
    dates_not_in_file: DateTally
    wrong_dates: tuple[WrongDate, ...]
    date_sources: tuple[tuple[str, int], ...] = ()  # from Document.date_source, when the product has it

    @property
    def title_rate(self) -> float:
        return self.titles_exact / self.files if self.files else 1.0

    @property
    def title_miss_kinds(self) -> tuple[tuple[str, int], ...]:
        return kinds(miss.kind for miss in self.title_misses)

    @property
    def wrong_date_kinds(self) -> tuple[tuple[str, int], ...]:
        return kinds(wrong.kind for wrong in self.wrong_dates)


@dataclass(frozen=True)
class ChromeRow:
    """How many documents hold a chrome phrase: in the story's own text, and in what we indexed."""

    phrase: str
    in_source: int  # truth texts holding it (such chrome is real, and should still go)
    in_index: int  # indexed bodies holding it
    added: int  # indexed bodies holding it whose story's own text does not: chrome of our pages left in
    added_by_template: tuple[tuple[str, int], ...] = ()  # the same, by the html template that added it


@dataclass(frozen=True)
class PhraseRow:
    """A quoted phrase: what search counts against the documents whose words hold it."""

    phrase: str
    search_total: int  # -1: the query raised an error
    expected: int  # title or body holds the phrase, word by word by Snowball stem
    exact: int  # the same with the words as written (kept phrases have exact == expected)
    grep_plain: int  # `grep -ilw` over the raw files of the plain shape, for information
    error: str = ""
    missed: tuple[tuple[str, str], ...] = ()  # (id, the phrase in its words) of documents search left out
    extra: tuple[str, ...] = ()  # ids search found whose words do not hold the phrase

    @property
    def equal(self) -> bool:
        return self.search_total == self.expected


@dataclass(frozen=True)
class FilterRow:
    """A query with a date: or actor: clause against the same query with since/until/actors."""

    query: str
    flags: str
    clause_hits: int
    flag_hits: int
    only_clause: int  # documents the clause finds and the flags do not
    only_flags: int
    error: str = ""

    @property
    def equal(self) -> bool:
        return not self.error and self.only_clause == 0 and self.only_flags == 0


@dataclass(frozen=True)
class Target:
    name: str
    figure: str
    met: bool


@dataclass(frozen=True)
class Report:
    """Everything check measured."""

    folder: str
    files: int
    indexed: int
    skipped: tuple[str, ...]
    warnings: int
    warning_kinds: tuple[tuple[str, int], ...]
    index_seconds: float
    check_seconds: float
    shapes: tuple[ShapeReport, ...]
    chrome: tuple[ChromeRow, ...]
    phrases: tuple[PhraseRow, ...]
    filters: tuple[FilterRow, ...]
    targets: tuple[Target, ...] = ()
    notes: tuple[str, ...] = ()  # product failures met on the way (the check goes on around them)

    def shape(self, name: str) -> ShapeReport:
        return next(s for s in self.shapes if s.shape == name)


# ---------------------------------------------------------------------------------------------------------
# check: words as the index should read them


COMBINING_RE = re.compile("[\u0300-\u036f]")


def fold(text: str) -> str:
    """Lower case with accents folded, as the index reads words."""
    if text.isascii():
        return text.lower()
    return COMBINING_RE.sub("", unicodedata.normalize("NFKD", text)).lower()


STEMS: dict[str, str] = {}


def stem(word: str) -> str:
    found = STEMS.get(word)
    if found is None:
        found = STEMS[word] = str(STEMMER.stemWord(word))
    return found


@dataclass(frozen=True)
class Words:
    """A field's words, space-joined and padded, as written (folded) and as stems: phrases are substrings."""

    exact: str
    stems: str


def words_of(text: str) -> Words:
    tokens = WORD_RE.findall(fold(text))
    return Words(" " + " ".join(tokens) + " ", " " + " ".join(stem(t) for t in tokens) + " ")


def squeeze(text: str) -> str:
    return normalise_space(text).casefold()


# ---------------------------------------------------------------------------------------------------------
# check: titles and dates

NOT_INDEXED = "(not indexed)"
QUOTES = "'\"‘’“” "
MONTH_NUMBERS = {name[:3].lower(): number for number, name in enumerate(MONTHS, start=1)}
MONTH_WORD = r"(?P<month>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
WRITTEN_DATE_RES = (
    re.compile(rf"\b{MONTH_WORD}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d\d)\b", re.I),
    re.compile(
        rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTH_WORD},?\s+(?P<year>(?:19|20)\d\d)\b", re.I
    ),
)
NUMERIC_DATE_RES = (
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<first>\d\d)-(?P<second>\d\d)\b"),
    re.compile(r"\b(?P<first>\d{1,2})[/.](?P<second>\d{1,2})[/.](?P<year>(?:19|20)?\d\d)\b"),
)


def dates_written(text: str) -> set[str]:
    """The dates a text spells out in the usual news forms (03/04/2012 read both ways), as ISO strings."""
    found: set[str] = set()

    def add(year: int, month: int, day: int) -> None:
        with contextlib.suppress(ValueError):  # 31 February, or a number that is no date
            found.add(date(year, month, day).isoformat())

    for pattern in WRITTEN_DATE_RES:
        for match in pattern.finditer(text):
            add(int(match["year"]), MONTH_NUMBERS[match["month"][:3].lower()], int(match["day"]))
    iso, other = NUMERIC_DATE_RES
    for match in iso.finditer(text):
        add(int(match["year"]), int(match["first"]), int(match["second"]))
    for match in other.finditer(text):
        year = int(match["year"]) + (2000 if len(match["year"]) == 2 else 0)
        add(year, int(match["first"]), int(match["second"]))
        add(year, int(match["second"]), int(match["first"]))
    return found


def unescape_yaml(text: str) -> str:
    return text.replace("''", "'").replace('\\"', '"').replace("\\\\", "\\")


def title_miss_kind(truth: Written, found: str) -> str:
    """What a wrong title is: cut, its quoting mangled, or another line taken for it."""
    expected = truth.title
    if found == NOT_INDEXED:
        return "not indexed"
    unescaped = unescape_yaml(found)
    cut = found.endswith("…")
    if unescaped != found and (
        unescaped.strip(QUOTES) == expected.strip(QUOTES)
        or (cut and expected.strip(QUOTES).startswith(unescaped[:-1].strip(QUOTES).rstrip()))
    ):
        return "quoting escapes kept ('' or \\\")"
    if cut and expected.strip(QUOTES).startswith(found[:-1].strip(QUOTES).rstrip()):
        return "cut short with …"
    if found.strip(QUOTES) == expected.strip(QUOTES):
        return "a quote mark at an end dropped"
    if re.match(r"by\s", found, re.IGNORECASE) or found.endswith(f", {site_name(truth.source)}"):
        return "the byline taken for the title"
    if any(squeeze(chrome) in squeeze(found) for chrome in ("Enlarge this image", "toggle caption")):
        return "a photo caption line taken for the title"
    if squeeze(found.rstrip("…")) in squeeze(truth.text):
        return "another line of the text taken for the title"
    return "something else"


def wrong_date_kind(truth: Written, found: str) -> str:
    """Where a wrong date came from: a page's teasers or modified date, the story's text, or elsewhere."""
    if found in truth.teaser_dates:
        return "a teaser's date"
    if found == truth.modified:
        return "the page's modified date"
    if found in dates_written(truth.text):
        return "a date written in the story's text"
    if truth.date:
        real, got = date.fromisoformat(truth.date), date.fromisoformat(found)
        if abs((real - got).days) == 1:
            return "a day off"
        if (got.month, got.day) == (real.day, real.month) and got.year == real.year:
            return "day and month swapped"
    return "a date from elsewhere"


def found_date(document: Document | None) -> str | None:
    return document.date.date().isoformat() if document and document.date else None


def shape_report(shape: str, truths: Sequence[Written], documents: dict[str, Document | None]) -> ShapeReport:
    """Titles compared whitespace-normalised; a date found for a dateless file is right only if real."""
    exact, misses, wrong = 0, [], []
    tallies: dict[bool, Counter[str]] = {True: Counter(), False: Counter()}
    sources: Counter[str] = Counter()
    for truth in truths:
        document = documents.get(truth.path)
        title = normalise_space(document.title) if document else NOT_INDEXED
        if title == truth.title:
            exact += 1
        else:
            misses.append(
                TitleMiss(truth.path, truth.variant, title_miss_kind(truth, title), truth.title, title)
            )
        found = found_date(document)
        date_source = getattr(document, "date_source", None)
        if date_source is not None:
            sources[str(date_source) or "(empty)"] += 1
        verdict = "empty" if found is None else "right" if found == truth.date else "wrong"
        tallies[truth.date_in_file][verdict] += 1
        if verdict == "wrong" and found is not None:
            wrong.append(
                WrongDate(truth.path, truth.variant, wrong_date_kind(truth, found), truth.date_in_file,
                          truth.date, found, None if date_source is None else str(date_source))
            )  # fmt: skip
    return ShapeReport(
        shape=shape,
        files=len(truths),
        indexed=sum(1 for t in truths if documents.get(t.path)),
        titles_exact=exact,
        title_misses=tuple(misses),
        dates_in_file=DateTally(**tallies[True]),
        dates_not_in_file=DateTally(**tallies[False]),
        wrong_dates=tuple(wrong),
        date_sources=tuple(sources.most_common()),
    )


# ---------------------------------------------------------------------------------------------------------
# check: chrome


def chrome_phrases() -> list[str]:
    """Chrome of real pages (NPR's photo toggles, galleries) and of our templates (menus, banners)."""
    ours = [
        "Enlarge this image", "toggle caption", "Image 1 of", "next Image", "Read more",
        "Sign up for our newsletter", "Enter your email", "All rights reserved", "Accept cookies",
        "We use cookies", "Manage settings", "Related stories", "Trending now", "Share on Facebook",
        "Share on Twitter", "Copy link", "Privacy Policy", "Terms of Use", "Join the conversation",
        "Photograph:", "Credit:", "min read", "Our Standards: The Trust Principles", "Posted by", "Tags:",
    ]  # fmt: skip
    menus = [" ".join(words[:3]) for words in NAV.values()]
    return ours + menus


def chrome_rows(truths: Sequence[Written], documents: dict[str, Document | None]) -> list[ChromeRow]:
    """Per phrase: stories whose own text holds it, indexed bodies that do, and those that got it from us."""
    pairs = [(t, squeeze(t.text), squeeze(d.body)) for t in truths if (d := documents.get(t.path))]
    rows = []
    for phrase in chrome_phrases():
        key = squeeze(phrase)
        in_source = sum(1 for _, source, _ in pairs if key in source)
        in_index = sum(1 for _, _, body in pairs if key in body)
        added = [t for t, source, body in pairs if key in body and key not in source]
        rows.append(ChromeRow(phrase, in_source, in_index, len(added), by_template(added)))
    pages = [(t, source, body) for t, source, body in pairs if t.teasers]
    left = [t for t, _, body in pages if any(squeeze(x) in body for x in t.teasers)]
    in_own = sum(1 for t, source, _ in pages if any(squeeze(x) in source for x in t.teasers))
    rows.append(
        ChromeRow("(a teaser's headline, html pages)", in_own, len(left), len(left), by_template(left))
    )
    return rows


def by_template(truths: Iterable[Written]) -> tuple[tuple[str, int], ...]:
    return kinds(t.variant.split("/")[0] for t in truths if t.shape == "html")


# ---------------------------------------------------------------------------------------------------------
# check: phrases with stop words

NGRAM_SAMPLE = 1000  # stories scanned for frequent phrases: enough to rank them, and quick


def frequent_phrases(
    stories: Sequence[tuple[Sequence[str], str]], wanted: int, taken: Sequence[str]
) -> list[str]:
    """Word n-grams (2 to 4 words) holding a stop word and ending on another word, in the most outlets first.

    Ranking by the number of outlets keeps out one site's furniture ('click here for reprint
    permission'); n-grams sharing two words with a chrome phrase or with one already chosen
    ('this image toggle caption', 'at the white' after 'the white house') are left out.
    """
    chrome = [tuple(WORD_RE.findall(fold(phrase))) for phrase in chrome_phrases()]
    chrome_pairs = {pair for words in chrome for pair in itertools.pairwise(words)}
    outlets: dict[tuple[str, ...], set[str]] = defaultdict(set)
    documents: Counter[tuple[str, ...]] = Counter()
    for tokens, outlet in stories[:: max(1, len(stories) // NGRAM_SAMPLE)]:
        usable = [w.isalpha() and (len(w) > 1 or w in "ai") and w not in CONTRACTION_TAILS for w in tokens]
        stops = [w in STOP_WORDS for w in tokens]
        chrome_at = [pair in chrome_pairs for pair in itertools.pairwise(tokens)]
        grams: set[tuple[str, ...]] = set()
        for start in range(len(tokens)):
            has_stop, has_chrome = stops[start], False
            for end in range(start + 1, min(start + 4, len(tokens))):
                if not usable[end] or not usable[start]:
                    break
                has_stop, has_chrome = has_stop or stops[end], has_chrome or chrome_at[end - 1]
                if has_chrome:
                    break
                half_word = end + 1 < len(tokens) and tokens[end + 1] in CONTRACTION_TAILS  # "i don" 't
                if has_stop and not stops[end] and len(tokens[end]) >= 3 and not half_word:
                    grams.add(tuple(tokens[start : end + 1]))
        documents.update(grams)
        for gram in grams:
            outlets[gram].add(outlet)
    frequent = sorted(
        (g for g, n in documents.items() if n >= 2), key=lambda g: (-len(outlets[g]), -documents[g], g)
    )
    ranked = {n: iter([g for g in frequent if len(g) == n]) for n in (4, 3, 2)}  # longest first, in turn
    seen_pairs = {pair for phrase in taken for pair in itertools.pairwise(phrase.split())}
    chosen: list[str] = []
    while ranked and len(chosen) < wanted:
        for n in list(ranked):
            for gram in ranked[n]:
                pairs = set(itertools.pairwise(gram))
                if not pairs & seen_pairs:
                    chosen.append(" ".join(gram))
                    seen_pairs |= pairs
                    break
            else:
                del ranked[n]
    return chosen[:wanted]


def phrase_context(document: Document, phrase: str) -> str:
    """The phrase as the document writes it, with a little around it."""
    pattern = re.compile(r"\W+".join(map(re.escape, phrase.split())), re.IGNORECASE)
    for text in (document.title, document.body):
        match = pattern.search(fold(text)) if not text.isascii() else pattern.search(text)
        if match:
            return normalise_space(text[max(0, match.start() - 40) : match.end() + 40])
    return ""


def phrase_rows(
    index: SearchIndex,
    folder: Path,
    truths: Sequence[Written],
    documents: dict[str, Document | None],
    tokens: dict[str, list[str]],
) -> list[PhraseRow]:
    """50 phrases whose words hold stop words and where stemming does not change the count."""
    fields = {d.id: (words_of(d.title), words_of(d.body)) for d in documents.values() if d}
    by_id = {d.id: d for d in documents.values() if d}
    plain_texts = [(folder / t.path).read_text(encoding="utf-8") for t in truths if t.shape == "plain"]
    scanned = [(tokens[t.path], t.source) for t in truths]
    candidates = [*KNOWN_PHRASES, *frequent_phrases(scanned, 3 * PHRASE_COUNT, KNOWN_PHRASES)]
    rows = []
    for phrase in dict.fromkeys(candidates):
        words = WORD_RE.findall(fold(phrase))
        exact_key, stem_key = " " + " ".join(words) + " ", " " + " ".join(stem(w) for w in words) + " "
        exact = sum(
            1 for title, body in fields.values() if exact_key in title.exact or exact_key in body.exact
        )
        holding = {
            i for i, (title, body) in fields.items() if stem_key in title.stems or stem_key in body.stems
        }
        if exact != len(holding) or not holding:
            continue
        pattern = re.compile(r"(?<!\w)" + " ".join(map(re.escape, phrase.split())) + r"(?!\w)", re.IGNORECASE)
        grep = sum(1 for text in plain_texts if pattern.search(text))
        query = f'"{phrase}"'
        try:
            total, error = index.search(query, limit=1).total, ""
            missed: tuple[tuple[str, str], ...] = ()
            extra: tuple[str, ...] = ()
            if total != len(holding):
                found = {hit.id for hit in index.search(query, limit=SEARCH_LIMIT).hits}
                missed = tuple((i, phrase_context(by_id[i], phrase)) for i in sorted(holding - found)[:3])
                extra = tuple(sorted(found - holding)[:3])
        except SearchError as failure:
            total, error = -1, f"{type(failure).__name__}: {failure}"
        rows.append(PhraseRow(phrase, total, len(holding), exact, grep, error, missed, extra))
        if len(rows) == PHRASE_COUNT:
            break
    return rows


# ---------------------------------------------------------------------------------------------------------
# check: filter clauses against keyword arguments


def filter_words(truths: Sequence[Written], tokens: dict[str, list[str]], count: int) -> list[str]:
    """Words in a twentieth to a quarter of the stories: each query's set means something, and stays small."""
    df: Counter[str] = Counter()
    for truth in truths:
        df.update({w for w in tokens[truth.path] if len(w) >= 5 and w.isalpha()} - STOP_WORDS)
    band = [w for w, n in df.most_common() if 0.05 * len(truths) <= n <= 0.25 * len(truths)]
    words = band or [w for w, _ in df.most_common(count)]
    return words[:: max(1, len(words) // count)][:count]


def ids_of(index: SearchIndex, query: str, **flags: object) -> set[str]:
    results = index.search(query, limit=SEARCH_LIMIT, **flags)  # type: ignore[arg-type]
    return {hit.id for hit in results.hits}


def compare(index: SearchIndex, clause_query: str, flag_query: str, flags: dict[str, object]) -> FilterRow:
    shown = f"{flag_query!r} " + ", ".join(f"{k}={v!r}" for k, v in flags.items())
    try:
        with_clause = ids_of(index, clause_query)
        with_flags = ids_of(index, flag_query, **flags)
    except SearchError as failure:
        return FilterRow(clause_query, shown, 0, 0, 0, 0, f"{type(failure).__name__}: {failure}")
    return FilterRow(clause_query, shown, len(with_clause), len(with_flags), len(with_clause - with_flags),
                     len(with_flags - with_clause))  # fmt: skip


def top_actors(index: SearchIndex, documents: dict[str, Document | None], notes: list[str]) -> list[str]:
    """The index's most named actors; counted from the documents when actors() fails (noted, not hidden)."""
    try:
        return [actor.name for actor in index.actors(limit=20)]
    except Exception as failure:  # a report names a product failure and goes on
        notes.append(f"SearchIndex.actors() failed: {type(failure).__name__}: {failure}; "
                     "the actors of the filter queries are counted from the documents instead")  # fmt: skip
        counts = Counter(actor.name for d in documents.values() if d for actor in d.actors)
        return [name for name, _ in counts.most_common(20)]


def filter_rows(
    index: SearchIndex,
    truths: Sequence[Written],
    documents: dict[str, Document | None],
    tokens: dict[str, list[str]],
    notes: list[str],
) -> list[FilterRow]:
    """WORD date:YYYY, +WORD actor:NAME and WORD date:[A to B], each against the API's arguments."""
    words = filter_words(truths, tokens, FILTER_WORDS)
    years = [y for y, _ in Counter(t.date[:4] for t in truths if t.date).most_common(len(words))]
    actors = top_actors(index, documents, notes)
    spread = actors[:: max(1, len(actors) // max(1, len(words)))]
    rows = []
    for word, year in zip(words, years, strict=False):
        rows.append(compare(index, f"{word} date:{year}", word, {"since": year, "until": year}))
    for word, name in zip(words, spread, strict=False):
        quoted = f'"{name}"' if " " in name else name
        rows.append(compare(index, f"+{word} actor:{quoted}", f"+{word}", {"actors": [name]}))
    for word, (since, until) in zip(words, DATE_RANGES, strict=False):
        rows.append(
            compare(index, f"{word} date:[{since} to {until}]", word, {"since": since, "until": until})
        )
    return rows


# ---------------------------------------------------------------------------------------------------------
# check: the whole run


def targets(
    shapes: Sequence[ShapeReport], phrases: Sequence[PhraseRow], filters: Sequence[FilterRow]
) -> list[Target]:
    in_file = DateTally(
        *(sum(getattr(s.dates_in_file, k) for s in shapes) for k in ("right", "wrong", "empty"))
    )
    wrong_without = sum(s.dates_not_in_file.wrong for s in shapes)
    titles = [
        Target(
            f"titles exact >= {TITLE_TARGET:.1%}, {s.shape}",
            f"{s.title_rate:.1%}",
            s.title_rate >= TITLE_TARGET,
        )
        for s in shapes
    ]
    return [
        *titles,
        Target("wrong dates for files without a date = 0", str(wrong_without), wrong_without == 0),
        Target(f"dates right >= {DATE_TARGET:.1%} where the file carries one", f"{in_file.right_rate:.1%}",
               in_file.right_rate >= DATE_TARGET),
        Target("phrase counts equal, every phrase", f"{sum(p.equal for p in phrases)}/{len(phrases)}",
               all(p.equal for p in phrases)),
        Target("filter clauses equal to flags, every query",
               f"{sum(f.equal for f in filters)}/{len(filters)}", all(f.equal for f in filters)),
    ]  # fmt: skip


def check(folder: Path, index_dir: Path | None = None, reuse_index: bool = False) -> Report:
    """Index the folder (a temporary index unless index_dir), then measure it against truth.jsonl."""
    started = time.perf_counter()
    truths = read_truth(folder)
    with tempfile.TemporaryDirectory(prefix="realistic-index-") as scratch:
        where = index_dir or Path(scratch) / "index"
        index_seconds, skipped, warnings = 0.0, tuple[str, ...](), tuple[str, ...]()
        if not reuse_index:
            indexed = index_corpus(folder, where, rebuild=True)
            index_seconds = indexed.seconds
            skipped = tuple(f"{s.path}: {s.reason}" for s in indexed.skipped)
            warnings = indexed.warnings
        index = open_index(where)
        documents: dict[str, Document | None] = {}
        for truth in truths:
            try:
                documents[truth.path] = index.document(truth.path)
            except SearchError:
                documents[truth.path] = None
        by_shape = defaultdict(list)
        for truth in truths:
            by_shape[truth.shape].append(truth)
        tokens = {t.path: WORD_RE.findall(fold(t.text)) for t in truths}
        shapes = [shape_report(shape, by_shape[shape], documents) for shape in SHAPES]
        chrome = chrome_rows(truths, documents)
        phrases = phrase_rows(index, folder, truths, documents, tokens)
        notes: list[str] = []
        filters = filter_rows(index, truths, documents, tokens, notes)
    # '...: given date '5/4/20' not understood' and '... '12/1/16' ...' are one kind of warning.
    warning_kinds = kinds(re.sub(r"\d", "#", re.sub(r"^\S+: ", "", w)) for w in warnings)
    return Report(
        folder=str(folder),
        files=len(truths),
        indexed=sum(1 for d in documents.values() if d),
        skipped=skipped,
        warnings=len(warnings),
        warning_kinds=warning_kinds,
        index_seconds=index_seconds,
        check_seconds=time.perf_counter() - started,
        shapes=tuple(shapes),
        chrome=tuple(chrome),
        phrases=tuple(phrases),
        filters=tuple(filters),
        targets=tuple(targets(shapes, phrases, filters)),
        notes=tuple(notes),
    )


# ---------------------------------------------------------------------------------------------------------
# Printing


def print_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    print("| " + " | ".join(headers) + " |")
    print("|" + "---|" * len(headers))
    for row in rows:
        print("| " + " | ".join(str(cell).replace("|", "\\|") for cell in row) + " |")


def tally(t: DateTally) -> str:
    return f"{t.right} / {t.wrong} / {t.empty}" if t.files else "-"


def clip(text: str, limit: int = 100) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def pairs(counts: Iterable[tuple[str, int]]) -> str:
    return ", ".join(f"{k} {n}" for k, n in counts)


def variants(values: Iterable[str]) -> str:
    """The commonest variants among some misses: which form of a shape they come from."""
    return pairs(kinds(values)[:4])


def verdict(equal: bool, error: str) -> str:
    return "yes" if equal else "NO" + (f" ({error})" if error else "")


def print_misses(report: Report) -> None:
    """Title misses and wrong dates by kind, one example of each kind."""
    for s in report.shapes:
        if s.title_misses:
            print(f"\nTitle misses, {s.shape}: {len(s.title_misses)}")
            for kind, count in s.title_miss_kinds:
                misses = [m for m in s.title_misses if m.kind == kind]
                print(f"  {count:4}  {kind} ({variants(m.variant for m in misses)}), e.g. {misses[0].path}")
                limit = 100 if kind.startswith("cut") else 300
                print(f"          expected: {clip(misses[0].expected, limit)}")
                print(f"          found:    {clip(misses[0].found, limit)}")
        if s.wrong_dates:
            print(f"\nWrong dates, {s.shape}: {len(s.wrong_dates)}")
            for carried in (True, False):
                wrongs = [w for w in s.wrong_dates if w.date_in_file == carried]
                for kind, count in kinds(w.kind for w in wrongs):
                    same = [w for w in wrongs if w.kind == kind]
                    first = same[0]
                    source = f", date source {first.date_source}" if first.date_source else ""
                    which = "a" if carried else "no"
                    forms = variants(w.variant for w in same)
                    print(f"  {count:4}  file carries {which} date: {kind} ({forms})")
                    print(f"          e.g. {first.path}: real {first.expected}, found {first.found}{source}")


def print_report(report: Report) -> None:
    print(
        f"\n{report.folder}: {report.files} files, {report.indexed} indexed, {len(report.skipped)} skipped, "
        f"{report.warnings} warnings; index {report.index_seconds:.1f} s, "
        f"whole check {report.check_seconds:.1f} s"
    )
    for kind, n in report.warning_kinds:
        print(f"  warning x{n}: {kind}")
    for skipped in report.skipped[:5]:
        print(f"  skipped: {skipped}")
    for note in report.notes:
        print(f"  note: {note}")
    print("\nTitles and dates (dates: right / wrong / empty)\n")
    any_sources = any(s.date_sources for s in report.shapes)
    headers = [
        "shape",
        "files",
        "indexed",
        "titles exact",
        "dates, file carries one",
        "dates, file carries none",
    ]
    rows: list[list[object]] = []
    for s in report.shapes:
        row: list[object] = [s.shape, s.files, s.indexed, f"{s.title_rate:.1%} ({s.titles_exact})",
                             tally(s.dates_in_file), tally(s.dates_not_in_file)]  # fmt: skip
        if any_sources:
            row.append(pairs(s.date_sources))
        rows.append(row)
    print_table([*headers, "date sources"] if any_sources else headers, rows)
    print("\nTargets\n")
    print_table(
        ["target", "figure", "met"], [(t.name, t.figure, "yes" if t.met else "NO") for t in report.targets]
    )
    print_misses(report)
    print("\nChrome (documents holding the phrase)\n")
    print_table(["phrase", "story's own text", "indexed body", "added by the page, left in", "by template"],
                [(c.phrase, c.in_source, c.in_index, c.added, pairs(c.added_by_template))
                 for c in report.chrome])  # fmt: skip
    print("\nQuoted phrases with stop words (documents)\n")
    print_table(
        ["phrase", "search total", "title+body, stems", "title+body, exact", "grep -ilw plain", "equal"],
        [(f'"{p.phrase}"', p.search_total, p.expected, p.exact, p.grep_plain, verdict(p.equal, p.error))
         for p in report.phrases],
    )  # fmt: skip
    for p in report.phrases:
        for document_id, context in p.missed:
            print(f'  "{p.phrase}" not found in {document_id}: …{context}…')
        for document_id in p.extra:
            print(f'  "{p.phrase}" found in {document_id}, whose words do not hold it')
    print("\nFilter clauses against keyword arguments (documents)\n")
    print_table(
        ["query", "keyword arguments", "clause", "flags", "only clause", "only flags", "equal"],
        [(f.query, f.flags, f.clause_hits, f.flag_hits, f.only_clause, f.only_flags,
          verdict(f.equal, f.error)) for f in report.filters],
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------------------


def arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("build", help="write N stories in the five shapes, and truth.jsonl")
    make.add_argument("folder", type=Path)
    make.add_argument("--stories", type=int, required=True)
    make.add_argument("--seed", type=int, default=DEFAULT_SEED)
    measure = commands.add_parser("check", help="index the folder and report against truth.jsonl")
    measure.add_argument("folder", type=Path)
    measure.add_argument("--index-dir", type=Path, help="index here (rebuilt) instead of a temporary folder")
    measure.add_argument(
        "--reuse-index", action="store_true", help="measure the index at --index-dir as it is"
    )
    args = parser.parse_args(argv)
    if args.command == "check" and args.reuse_index and not args.index_dir:
        parser.error("--reuse-index needs --index-dir")
    return args


def main(argv: Sequence[str] | None = None) -> BuildSummary | Report:
    args = arguments(argv)
    if args.command == "build":
        summary = build(args.folder, args.stories, args.seed)
        shapes = ", ".join(f"{shape} {n}" for shape, n in summary.by_shape)
        print(f"wrote {summary.files} stories ({shapes}; {summary.dated} dated) to {summary.folder} "
              f"in {summary.seconds:.1f} s")  # fmt: skip
        return summary
    report = check(args.folder, args.index_dir, args.reuse_index)
    print_report(report)
    return report


if __name__ == "__main__":
    try:
        main()
    except SearchError as failure:  # a wrong --index-dir, say: one line, as the CLI would
        sys.exit(f"realistic.py: {failure}")
