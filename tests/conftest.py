"""Shared fixtures: the sample corpus indexed once per session, small corpora made on the fly, a server in a
thread."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

from search import index_corpus, server
from search.gazetteer import Gazetteer, build_gazetteer

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_CORPUS = PROJECT_ROOT / "corpus"
DW_REPORT = "004_42382a47a79cec6e.txt"
STATE_DEPARTMENT_STATEMENT = "000_45a78b254a50a030.txt"


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample corpus indexed into a temporary folder; tests must not write to it."""
    index_dir = tmp_path_factory.mktemp("sample") / "index"
    index_corpus(SAMPLE_CORPUS, index_dir)
    return index_dir


def write_corpus(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write files (relative path -> text or bytes) under root and return root."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


# A story that names no actor beside one that does: every actor count must skip the first.
NO_ACTOR_CORPUS = {
    "quiet.txt": "A quiet day\nNothing much happened anywhere today, it seems.\n",
    "mali.txt": "Mali holds talks\nMali and ECOWAS met in Bamako on Monday, officials said.\n",
}


# A small gazetteer for the actor and gazetteer tests.
ACTORS = """
[[actor]]
id = "united-states"
name = "United States"
type = "country"
iso = "US"
aliases = ["U.S.", "US", "USA", "America"]
demonyms = ["American", "Americans"]
offices = ["State Department", "White House"]

[[actor]]
id = "mali"
name = "Mali"
type = "country"
iso = "ML"
demonyms = ["Malian", "Malians"]

[[actor]]
id = "turkey"
name = "Turkey"
type = "country"
iso = "TR"

[[actor]]
id = "ecowas"
name = "ECOWAS"
type = "organisation"
aliases = ["Economic Community of West African States"]

[[actor]]
id = "who"
name = "World Health Organization"
type = "organisation"
aliases = ["WHO"]
"""


PLACES = """
[places]
"Houston" = "US"
"Conn." = "US"
"Bamako" = "ML"
"""


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return build_gazetteer(ACTORS, PLACES)


def ids(gazetteer: Gazetteer, line: str) -> list[str]:
    return [actor_id for _, _, actor_id in gazetteer.mentions(line)]


def front_matter(title: str, source: str, body: str, date: str = "2019-10-24") -> str:
    """A story file with front matter giving its title, date and outlet."""
    return f"---\ntitle: {title}\ndate: {date}\nsource: {source}\n---\n{title}\n\n{body}\n"


# Stories from four outlets (two of them Fox), and one without an outlet.
OUTLETS_CORPUS = {
    "cnn.txt": front_matter("House votes on impeachment", "CNN (Web News)", "The House voted on impeachment today."),
    "fox.txt": front_matter("Impeachment vote splits House", "Fox News (Online News)", "Republicans opposed impeachment."),
    "fox-opinion.txt": front_matter("The impeachment farce", "Fox News (Opinion)", "An opinion on impeachment."),
    "npr.txt": front_matter("Senate trial ahead", "NPR Online News", "After impeachment, a trial.", date="2020-01-10"),
    "plain.txt": "Impeachment explained\nA plain file with no outlet explains impeachment.\n",
}  # fmt: skip


def dated_story(title: str, date: str | None, source: str, body: str, kind: str | None = None) -> str:
    """A story file with front matter giving its title, outlet, and a date and type when given."""
    given = "".join(f"{key}: {value}\n" for key, value in (("date", date), ("type", kind)) if value)
    return f"---\ntitle: {title}\nsource: {source}\n{given}---\n{title}\n\n{body}\n"


# Stories over 2012-2013 for timelines: two outlets, Mali and ECOWAS named in some, one undated, a
# statement that says so, and one whose sidecar says it is an interview.
TIMELINE_CORPUS = {
    "a.txt": dated_story("Coup in Mali", "2012-03-22", "Wire", "Soldiers seized power in Mali. ECOWAS met."),
    "b.txt": dated_story("Mali junta under pressure", "2012-03-26", "Daily", "ECOWAS pressed the Mali junta."),
    "c.txt": dated_story("Sanctions on Mali", "2012-04-02", "Wire", "ECOWAS closed borders to Mali."),
    "d.txt": dated_story("Mali talks", "2012-06-15", "Daily", "Talks on Mali went on in Ouagadougou."),
    "e.txt": dated_story("Mali votes", "2013-07-28", "Wire", "Mali held elections after the coup."),
    "f.txt": dated_story("Mali looks back", None, "Daily", "An undated look back at the coup in Mali."),
    "g.txt": dated_story("Zebra count", "2012-05-01", "Daily", "Zebras were counted in Kenya."),
    "h.txt": "PRESS STATEMENT\nUnited States on the coup in Mali\nWe condemn the coup in Mali.\n",
    "i.txt": dated_story("A talk with a Mali minister", "2013-01-10", "Wire", "The coup, he said.", "Interview"),
}  # fmt: skip


_SYLLABLES = ["ba", "ko", "ri", "ma", "lu", "te", "so", "ne", "di", "va", "po", "ge", "fi", "ha", "zu", "ye"]


def story_words(seed: int, count: int = 300) -> list[str]:
    """count words of an invented story (words of two or three syllables): stories of other seeds share
    words but hardly a run of five."""
    chooser = random.Random(seed)
    return ["".join(chooser.choices(_SYLLABLES, k=chooser.choice((2, 3)))) for _ in range(count)]


def edited(words: list[str], places: range, step: int = 30) -> list[str]:
    """The words with one in every `step` of `places` replaced: each edit breaks five five-word runs."""
    return [f"edit{n}" if n in places and (n - places.start) % step == 0 else w for n, w in enumerate(words)]


def story_text(title: str, words: list[str]) -> str:
    """A story file: its title line, then its words in lines of twelve."""
    lines = [" ".join(words[n : n + 12]) + "." for n in range(0, len(words), 12)]
    return title + "\n\n" + "\n".join(lines) + "\n"


WIRE = story_words(1)
# A wire story, two outlets' copies (a new headline and a chrome line; the last lines cut), a version
# edited in its first half and one in its second (each a copy of the wire story, not of each other: about
# 0.84 and 0.70 of five-word runs shared) and three other stories.
COPIES_CORPUS = {
    "wire.txt": dated_story("Floods close the port", "2020-05-02", "Wire", story_text("", WIRE).strip()),
    "outlet-a.txt": dated_story(
        "Port shut as floods rise",
        "2020-05-03",
        "Daily",
        "Follow us for more.\n" + story_text("", WIRE).strip(),
    ),
    "outlet-b.txt": dated_story(
        "Floods: port closed", "2020-05-04", "Herald", story_text("", WIRE[:280]).strip()
    ),
    "first-half.txt": story_text("Port story, first half edited", edited(WIRE, range(0, 150))),
    "second-half.txt": story_text("Port story, second half edited", edited(WIRE, range(150, 300))),
    "other-1.txt": dated_story(
        "Harvest is late", "2020-05-01", "Daily", story_text("", story_words(2)).strip()
    ),
    "other-2.txt": dated_story(
        "Council elects mayor", "2020-05-05", "Wire", story_text("", story_words(3)).strip()
    ),
    "other-3.txt": story_text("Bridge reopens", story_words(4)),
}


@pytest.fixture(scope="session")
def copies_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """COPIES_CORPUS indexed: one story in five documents, three others."""
    root = tmp_path_factory.mktemp("copies")
    index_corpus(write_corpus(root / "corpus", COPIES_CORPUS), root / "index")
    return root / "index"


@contextmanager
def running(app: FastAPI) -> Iterator[str]:
    """Serve an app on a free loopback port in a thread, as `search serve` does; yields its URL."""
    sock = server.listening_socket("127.0.0.1", 0)
    uvicorn_server = uvicorn.Server(uvicorn.Config(app, log_level="critical"))
    thread = threading.Thread(target=uvicorn_server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uvicorn_server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield server.address_of(sock)
    finally:
        uvicorn_server.should_exit = True
        thread.join(timeout=20)


# A document a hostile corpus could hold: tags in its title and outlet, a script in its text (written as
# entities, which cleaning decodes into the text), quotes and ampersands.
HOSTILE_STORY = (
    '---\ntitle: <script>alert("title")</script> Mali <img src=x onerror=alert(1)>\ndate: 2012-05-02\n'
    "source: <b>Evil</b> Wire\n---\nMali coup: a report\n\n"
    'The coup in Mali was discussed. Write &lt;script&gt;alert("body")&lt;/script&gt; to test pages.\n\n'
    'Also &lt;a href="javascript:alert(2)"&gt;a link&lt;/a&gt; and "quotes" & ampersands.\n'
)
# What the web page is tested on: the timeline stories (months of 2012-2013, outlets, actors), one story
# of 2001 (so that all documents span years), a wire story with two copies, the hostile story, two of
# Obamas, and 24 stories of one word for paging.
WEB_CORPUS: dict[str, str | bytes] = {
    **TIMELINE_CORPUS,
    "old.txt": dated_story("Harbour reopens", "2001-09-03", "Wire", "The old harbour reopened."),
    **{name: COPIES_CORPUS[name] for name in ("wire.txt", "outlet-a.txt", "outlet-b.txt")},
    "hostile.txt": HOSTILE_STORY,
    # One story names Barack Obama, one only "Obama": the name 'Obama' means both, a facet each.
    "obama-1.txt": dated_story("Obama on Mali", "2012-08-01", "Wire", "Barack Obama spoke of Mali. Barack Obama met."),
    "obama-2.txt": dated_story("Mali and Obama", "2012-09-01", "Daily", "Obama said Mali would vote, Obama said."),
    **{
        f"paging-{n:02d}.txt": dated_story(
            f"Harmattan report {n}", f"2013-{n % 12 + 1:02d}-0{n % 9 + 1}", "Daily",
            " ".join(["The harmattan blew."] * (1 + n % 5)) + f" Report number {n}.",
        )
        for n in range(24)
    },
}  # fmt: skip


@pytest.fixture(scope="session")
def web_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """WEB_CORPUS indexed."""
    root = tmp_path_factory.mktemp("web")
    index_corpus(write_corpus(root / "corpus", WEB_CORPUS), root / "index")
    return root / "index"
