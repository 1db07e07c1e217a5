"""The web page (search/web/) served by a real server, read as HTML: what it shows equals what the JSON API
answers, its links do what they say, document text is escaped, and nothing is fetched from elsewhere.
The same page in a real browser: tests/test_web_browser.py."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import lxml.html
import pytest
from hypothesis import given
from hypothesis import strategies as st

from search import alerts as saved
from search import index_corpus, open_index, server
from search.models import Fragment, Timeline
from search.web.views import (
    MAX_PAGE,
    SORTS,
    PageState,
    page_numbers,
    paragraphs,
    pieces,
    safe_link,
    timeline_chart,
)

from .conftest import COPIES_CORPUS, running, write_corpus


@pytest.fixture(scope="module")
def http(web_index: Path) -> Iterator[httpx.Client]:
    """A client of the web corpus's server (page and API)."""
    with running(server.create_app(web_index)) as url, httpx.Client(base_url=url, timeout=30) as client:
        yield client


def page(http: httpx.Client, url: str, status: int = 200) -> lxml.html.HtmlElement:
    answer = http.get(url)
    assert answer.status_code == status, answer.text[:300]
    assert answer.headers["content-type"].startswith("text/html")
    return lxml.html.fromstring(answer.text)


def hit_ids(html: lxml.html.HtmlElement) -> list[str]:
    return [parse_qs(urlsplit(a.get("href")).query)["id"][0] for a in html.xpath("//li[@class='hit']/h2/a")]


def total(html: lxml.html.HtmlElement) -> int:
    text = html.xpath("string(//p[@id='total'])")
    found = re.match(r"\s*([\d,]+) document", text)
    return int(found.group(1).replace(",", "")) if found else 0


def test_the_search_page_shows_the_apis_hits_in_order_with_their_marked_words(http: httpx.Client) -> None:
    html = page(http, "/?q=mali+coup")
    answer = http.get("/search", params={"q": "mali coup"}).json()
    assert hit_ids(html) == [hit["id"] for hit in answer["results"]]
    assert total(html) == answer["total"]
    first = html.xpath("//li[@class='hit']")[0]
    marked = [mark.text for mark in first.xpath(".//p[@class='snippet']/mark")]
    wanted = [f["text"][s:e] for f in answer["results"][0]["snippet"] for s, e in f["highlights"]]
    assert marked == wanted and marked
    assert html.xpath("//input[@id='q']/@value") == ["mali coup"]


@pytest.mark.parametrize("heading", ["People", "Organisations", "Countries", "Outlets", "Years"])
def test_a_facet_link_narrows_to_its_count_and_taking_it_away_restores_the_search(
    http: httpx.Client, heading: str
) -> None:
    html = page(http, "/?q=mali")
    group = html.xpath(f"//section[@class='facet'][h3='{heading}']")[0]
    counts = {a.text: int(a.getnext().text.replace(",", "")) for a in group.xpath(".//li/a")}
    for item in group.xpath(".//li")[:3]:
        link, count = item.xpath("./a")[0], int(item.xpath("string(./span[@class='count'])").replace(",", ""))
        narrowed = page(http, link.get("href"))
        if (
            heading == "Outlets"
        ):  # an outlet's name means every outlet whose name holds its words (as --source)
            words = set(re.findall(r"\w+", link.text.casefold()))
            count = sum(n for name, n in counts.items() if words <= set(re.findall(r"\w+", name.casefold())))
        assert total(narrowed) == count
        active = narrowed.xpath(f"//section[@class='facet'][h3='{heading}']//li[@class='active']/a")
        assert [a.text for a in active] == [link.text]
        assert narrowed.xpath("//nav[@class='chips']/a")  # the filter is shown, and can be taken away
        restored = page(http, active[0].get("href"))
        assert hit_ids(restored) == hit_ids(html) and total(restored) == total(html)


def test_each_timeline_bar_narrows_the_search_to_its_period(http: httpx.Client) -> None:
    html = page(http, "/?q=mali")
    caption = html.xpath("string(//figcaption)")
    assert "per month, 2012-03 to 2013-07" in caption and "2 undated" in caption
    bars = html.xpath("//figure[@class='timeline']//a")
    assert len(bars) == 17  # every month from the first to the last, empty ones too
    for bar in bars:
        label, count = bar.get("aria-label").split(": ")
        query = parse_qs(urlsplit(bar.get("href")).query)
        assert query["since"] == query["until"] == [label] and query["q"] == ["mali"]
        if int(count):
            assert total(page(http, bar.get("href"))) == int(count)
    # Over more than six years, a bar a year.
    assert "per year, 2001 to 2020" in page(http, "/").xpath("string(//figcaption)")


def test_pages_put_end_to_end_are_the_whole_ranking(http: httpx.Client) -> None:
    url: str | None = "/?q=harmattan"
    seen: list[str] = []
    while url is not None:
        html = page(http, url)
        seen += hit_ids(html)
        following = html.xpath("//nav[@class='pages']/a[@rel='next']/@href")
        url = following[0] if following else None
    exported = http.get("/export", params={"q": "harmattan", "format": "jsonl"}).text.splitlines()
    assert seen == [json.loads(line)["id"] for line in exported] and len(seen) == 24


def test_exports_of_the_search_are_every_hit_as_csv_and_json_lines(http: httpx.Client) -> None:
    html = page(http, "/?q=harmattan&source=Daily")
    csv_link, jsonl_link = html.xpath("//span[@class='exports']/a/@href")
    rows = list(csv.DictReader(io.StringIO(http.get(csv_link).text)))
    assert len(rows) == total(html) == 24 and {row["source"] for row in rows} == {"Daily"}
    assert len(http.get(jsonl_link).text.splitlines()) == 24


def test_did_you_mean_is_a_link_to_the_search_it_suggests(http: httpx.Client) -> None:
    html = page(http, "/?q=harmatan&source=Daily")
    link = html.xpath("//p[@class='suggestion']/a")[0]
    assert link.text == "harmattan"
    assert parse_qs(urlsplit(link.get("href")).query) == {"q": ["harmattan"], "source": ["Daily"]}
    assert total(page(http, link.get("href"))) == 24


def test_copies_are_folded_as_plus_n_copies_and_listed_on_asking(http: httpx.Client) -> None:
    html = page(http, "/?q=floods+port")
    assert hit_ids(html)[0] == "wire.txt"
    summary = html.xpath("string(//li[@class='hit'][1]//details[@class='copies']/summary)")
    assert summary.strip() == "+2 copies: Daily, Herald"
    links = html.xpath("//li[@class='hit']/h2/a/@href | //details[@class='copies']//a/@href")
    assert links and not any(
        "index" in parse_qs(urlsplit(href).query) for href in links
    )  # one index: ids suffice
    every = page(http, "/?q=floods+port&all_copies=true")
    assert {"wire.txt", "outlet-a.txt", "outlet-b.txt"} <= set(hit_ids(every))
    assert not every.xpath("//details[@class='copies']")


def test_the_document_page_shows_the_text_marked_actors_by_weight_and_copies(
    http: httpx.Client, web_index: Path
) -> None:
    html = page(http, "/read?id=b.txt&q=junta")
    document = open_index(web_index).document("b.txt")
    assert html.xpath("string(//h1)") == document.title
    assert "26 Mar 2012" in html.xpath("string(//p[@class='meta'])")
    assert [m.text.lower() for m in html.xpath("//div[@class='text']//mark")] == ["junta", "junta"]
    text = " ".join(p.text_content() for p in html.xpath("//div[@class='text']/p"))
    assert text.split() == document.body.split()
    names = [a.text for a in html.xpath("//ul[@class='weights']//a")]
    assert names == [a.name for a in sorted(document.actors, key=lambda a: (-a.weight, a.name.casefold()))]
    copies = page(http, "/read?id=wire.txt").xpath("//section[h3='Copies of this story']//a/@href")
    assert sorted(parse_qs(urlsplit(href).query)["id"][0] for href in copies) == [
        "outlet-a.txt",
        "outlet-b.txt",
    ]
    similar = page(http, html.xpath("//section[@id='similar']//a/@href")[0])
    assert hit_ids(similar) == [h["id"] for h in http.get("/similar?id=b.txt&limit=10").json()["results"]]


def test_of_several_indexes_every_link_opens_the_document_of_its_own_index(
    web_index: Path, tmp_path: Path
) -> None:
    """Two indexes holding wire.txt and its copies, the second's under other titles: each hit's link,
    each copy's, and the similar documents' name the index holding them (ids are each index's own)."""
    second = {
        name: re.sub(r"^title: (.*)$", r"title: \1 (second desk)", text, count=1, flags=re.M)
        for name, text in COPIES_CORPUS.items()
        if name in ("wire.txt", "outlet-a.txt", "outlet-b.txt")
    }
    index_corpus(write_corpus(tmp_path / "corpus", second), tmp_path / "index")
    with (
        running(server.create_app([web_index, tmp_path / "index"])) as url,
        httpx.Client(base_url=url, timeout=30) as client,
    ):
        results = page(client, "/?q=floods+port")
        links = results.xpath("//li[@class='hit']/h2/a/@href") + results.xpath(
            "//details[@class='copies']//a/@href"
        )
        opened = {
            (query["id"][0], query["index"][0]) for query in (parse_qs(urlsplit(h).query) for h in links)
        }
        assert opened == {(name, number) for name in second for number in ("1", "2")}
        for href in links:
            number = parse_qs(urlsplit(href).query)["index"][0]
            document = page(client, href)
            assert document.xpath("string(//h1)").endswith("(second desk)") == (number == "2")
            for copy in document.xpath("//section[h3='Copies of this story']//a/@href"):
                assert parse_qs(urlsplit(copy).query)["index"] == [number]
            assert document.xpath("//section[@id='similar']/@data-several")
            similar = page(client, document.xpath("//section[@id='similar']//a/@href")[0])
            assert all(
                "index" in parse_qs(urlsplit(h).query) for h in similar.xpath("//li[@class='hit']/h2/a/@href")
            )
        ambiguous = page(client, "/read?id=wire.txt", status=400)
        assert "in indexes 1 and 2" in ambiguous.xpath("string(//p[@class='error'])")
        assert "index must be a number" in page(client, "/read?id=wire.txt&index=x", status=400).xpath(
            "string(//p[@class='error'])"
        )


def test_document_text_is_text_whatever_it_holds(http: httpx.Client) -> None:
    """A corpus is untrusted: tags in a title, an outlet or the text reach the page as text."""
    for url in ("/?q=mali", "/read?id=hostile.txt&q=coup", "/?q=mali&source=%3Cb%3EEvil%3C%2Fb%3E+Wire"):
        answer = http.get(url)
        html = lxml.html.fromstring(answer.text)
        assert html.xpath("//script/@src") == ["/static/app.js"] and not html.xpath("//script[not(@src)]")
        assert not html.xpath("//img | //b | //*[@onerror] | //a[starts-with(@href, 'javascript')]")
        assert 'alert("title")' in html.xpath("string(//body)") or "read" not in url
    document = lxml.html.fromstring(http.get("/read?id=hostile.txt").text)
    assert document.xpath("string(//h1)").startswith('<script>alert("title")</script> Mali <img')
    assert '<script>alert("body")</script>' in document.xpath("string(//div[@class='text'])")


def test_every_answer_forbids_inline_script_and_content_from_elsewhere(http: httpx.Client) -> None:
    for url in ("/", "/read?id=a.txt", "/saved", "/static/app.js", "/search?q=mali", "/nothing"):
        policy = http.get(url).headers["content-security-policy"]
        assert "script-src 'self';" in policy and "default-src 'none'" in policy
        assert "unsafe-inline" not in policy and "http" not in policy
    docs = http.get("/docs")
    style = lxml.html.fromstring(docs.text).xpath("string(//style)")
    import base64
    import hashlib

    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in docs.headers["content-security-policy"]


def test_no_page_fetches_anything_from_another_machine(http: httpx.Client) -> None:
    for url in ("/?q=mali", "/read?id=a.txt&q=mali", "/saved", "/read/similar?id=a.txt"):
        html = lxml.html.fromstring(http.get(url).text)
        fetched = html.xpath("//script/@src | //link/@href | //img/@src | //iframe/@src | //form/@action")
        assert fetched and all(u.startswith("/") and not u.startswith("//") for u in fetched if u != "data:,")
    for asset in ("/static/style.css", "/static/app.js"):
        text = http.get(asset).text
        assert "http:" not in text and "https:" not in text and "@import" not in text


def test_the_saved_searches_page_lists_them_with_their_new_documents(web_index: Path, tmp_path: Path) -> None:
    import shutil

    index_dir = tmp_path / "index"
    shutil.copytree(web_index, index_dir)
    index = open_index(index_dir)
    saved.add_alert(index, "mali-coup", "mali coup", sources=("Wire",))
    with running(server.create_app(index_dir)) as url, httpx.Client(base_url=url) as client:
        html = page(client, "/saved")
        row = html.xpath("//table[@class='saved']/tbody/tr")[0]
        assert row.xpath("string(./td[1])") == "mali-coup"
        search_link = row.xpath("./td[2]/a/@href")[0]
        assert parse_qs(urlsplit(search_link).query) == {"q": ["mali coup"], "source": ["Wire"]}
        matches = int(row.xpath("string(./td[3])"))
        assert (
            matches == total(page(client, search_link)) == index.search("mali coup", sources=["Wire"]).total
        )
        listed = page(client, row.xpath("./td[3]/a/@href")[0])
        assert len(hit_ids(listed)) == matches
        assert not hit_ids(page(client, "/saved/mali-coup?new=true"))  # nothing indexed since it was saved
        page(client, "/saved/no-such-search", status=404)


@pytest.mark.parametrize(
    ("url", "status", "says"),
    [
        ("/?since=xx", 400, "bad date"),
        ("/?q=date:xyz", 400, "date"),
        ("/read?id=no-such.txt", 404, "no document"),
        ("/read", 404, "no document"),
        ("/read/similar?id=no-such.txt", 404, "no document"),
        ("/read?id=" + "x" * 5_000, 404, "no document"),
        ("/read?id=b.txt&index=%C2%B2", 400, "index must be a number"),  # '²'.isdigit(), but no int
        ("/read?id=b.txt&index=%D9%A1", 400, "index must be a number"),  # an Arabic-Indic 1
        ("/read?id=b.txt&index=2", 400, "index 2 names none of the 1 searched"),
        ("/read/similar?id=b.txt&index=" + "9" * 5_000, 400, "names none"),
    ],
)
def test_bad_input_is_a_page_saying_why(http: httpx.Client, url: str, status: int, says: str) -> None:
    html = page(http, url, status)
    message = html.xpath("string(//p[@class='error'])")
    assert says in message.lower() and "index" not in message.split("at")[-1][:1]
    answer = http.get(url).text
    assert "/tmp" not in answer and "Traceback" not in answer and len(answer) < 8_000


@pytest.mark.parametrize(
    "url",
    ["/?q=" + "mali " * 400, "/?page=99999999999&q=mali", "/?page=%C2%B2&q=mali", "/?q=mali&page=" + "9" * 5_000, "/?page=-3", "/?q=%00%ff", "/?q=(((", "/?utm=x&q=mali",
     "/?sort=nonsense&q=mali", "/?q=mali&all_copies=maybe"],
)  # fmt: skip
def test_anything_typed_or_pasted_into_the_url_is_a_page(http: httpx.Client, url: str) -> None:
    assert http.get(url).status_code == 200


def test_without_the_ui_only_the_api_is_served(web_index: Path) -> None:
    with running(server.create_app(web_index, ui=False)) as url, httpx.Client(base_url=url) as client:
        assert client.get("/").status_code == 404 and client.get("/").json() == {"error": "not found"}
        assert client.get("/static/app.js").status_code == 404
        assert client.get("/search?q=mali").status_code == 200


def test_only_a_loopback_address_keeps_the_server_to_this_machine() -> None:
    assert all(server.loopback_only(h) for h in ("127.0.0.1", "localhost", "::1", "127.0.0.2"))
    assert not any(server.loopback_only(h) for h in ("0.0.0.0", "::", "192.168.1.4", "news.local"))


# --- what the page is made of (search/web/views.py) ------------------------------------------------

value = (
    st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20).map(str.strip).filter(bool)
)
date_text = st.sampled_from(["", "2012", "2012-03", "2012-03-23"])


@given(
    st.builds(
        PageState,
        q=st.one_of(st.just(""), value),
        actors=st.lists(value, max_size=3, unique=True).map(tuple),
        sources=st.lists(value, max_size=3, unique=True).map(tuple),
        types=st.lists(value, max_size=2, unique=True).map(tuple),
        since=date_text,
        until=date_text,
        sort=st.sampled_from(list(SORTS)),
        page=st.integers(1, MAX_PAGE),
        all_copies=st.booleans(),
    )
)
def test_the_url_holds_the_whole_state_of_a_search(state: PageState) -> None:
    assert PageState.of(parse_qs(urlsplit(state.url()).query, keep_blank_values=True)) == state


def test_a_filter_toggles_and_any_change_goes_back_to_the_first_page() -> None:
    state = PageState(q="mali", actors=("ecowas",), page=4)
    assert state.toggled("actor", "mali").actors == ("ecowas", "mali")
    assert state.toggled("actor", "ecowas").actors == () and state.toggled("actor", "x").page == 1
    assert state.dated("2012", "2012").url() == "/?q=mali&actor=ecowas&since=2012&until=2012"
    assert state.export_url("csv") == "/export?q=mali&actor=ecowas&format=csv"


def test_marked_text_is_cut_into_pieces_and_paragraphs() -> None:
    fragment = Fragment("A coup.\nThen the coup\n\nended.", ((2, 6), (17, 21)))
    assert [(p.text, p.marked) for p in pieces(fragment)] == [
        ("A ", False), ("coup", True), (".\nThen the ", False), ("coup", True), ("\n\nended.", False)
    ]  # fmt: skip
    assert [[p.text for p in para] for para in paragraphs(fragment)] == [
        ["A ", "coup", "."],
        ["Then the ", "coup"],
        ["ended."],
    ]


def test_only_web_addresses_are_made_links() -> None:
    assert safe_link("https://example.org/a?b=1") == "https://example.org/a?b=1"
    for url in (
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "data:text/html,x",
        "http:///x",
        "//evil",
        "",
        None,
    ):
        assert safe_link(url) is None


def test_page_links_show_the_ends_and_the_neighbourhood() -> None:
    assert page_numbers(1, 1) == [1]
    assert page_numbers(6, 20) == [1, None, 4, 5, 6, 7, 8, None, 20]
    assert page_numbers(2, 5) == [1, 2, 3, 4, 5]


def test_timeline_bars_are_as_high_as_their_counts() -> None:
    from datetime import date

    periods = (date(2012, 1, 1), date(2012, 2, 1), date(2012, 3, 1))
    chart = timeline_chart(Timeline("q", "month", periods, (4, 0, 2), 1, 7), PageState(q="q"))
    assert [bar.height for bar in chart.bars] == [60.0, 0.0, 30.0]
    assert chart.bars[0].url == "/?q=q&since=2012-01&until=2012-01"
    assert chart.undated == 1 and chart.most == 4 and (chart.first, chart.last) == ("2012-01", "2012-03")
