"""bench/news.py: its definitions (partial headlines, same-event versions) and a run on a tiny sample, so
the news relevance check never rots. The figures of the full run are a regression guard, not asserted here:
only what must hold on any index (a headline finds its own story) is."""

from __future__ import annotations

import math
from datetime import date

import pytest

from bench import news
from bench.data import ALLSIDES, REUTERS
from bench.realistic import Story


def story(
    id: str, title: str, day: date | None, source: str = "CNN (Web News)", topic: str = "trade"
) -> Story:
    return Story(id, title, day, title, source, "", (), topic)


def test_a_partial_headline_is_its_longest_content_words_in_headline_order() -> None:
    title = "Democrats announce 2 articles of impeachment against President Trump"
    assert news.partial_query(title) == "Democrats impeachment President"
    # More than six content words: four of them.
    assert news.partial_query("Trump signs $1.3 trillion spending bill but vows ‘never again’") == (
        "Trump signs trillion spending"
    )
    assert news.partial_query("Guns and the Economy") is None  # two content words: nothing to leave out


def test_same_event_versions_share_topic_and_words_within_three_days_across_outlets() -> None:
    headline = "Trump signs new travel ban exempting Iraq from the list of countries"
    stories = [
        story("a", headline, date(2017, 3, 6)),
        story("b", headline.replace("new", "revised"), date(2017, 3, 8), source="Fox News"),
        story("c", headline, date(2017, 3, 11), source="Politico"),  # 5 days after a, 3 after b
        story("d", headline, date(2017, 3, 6), source="CNN (Web News)"),  # a's own outlet
        story("e", headline, date(2017, 3, 6), source="Vox", topic="immigration"),
        story("f", "Senate passes farm bill after long fight", date(2017, 3, 6), source="NPR Online News"),
        story("g", headline, None, source="USA TODAY"),  # undated: no event to place it in
    ]
    links = news.same_event_links(stories)
    assert links["a"] == {"b"}
    assert links["b"] == {"a", "c", "d"}
    assert "f" not in links and "g" not in links and "e" not in links


def test_dated_queries_need_enough_stories_of_the_topic_that_year() -> None:
    stories = [story(str(n), "x", date(2018, 1 + n % 12, 1), topic="immigration") for n in range(6)]
    stories += [story(f"y{n}", "x", date(2019, 1, 1), topic="immigration") for n in range(2)]
    assert news.dated_queries(stories) == [("immigration", 2018)]


@pytest.mark.skipif(
    not (ALLSIDES.is_file() and REUTERS.is_file()), reason="../shared/corpora is not beside the project"
)
def test_a_tiny_run_finds_headlines_first_and_prints_both_feedback_columns(
    capsys: pytest.CaptureFixture[str],
) -> None:
    figures = news.main(["--stories", "80", "--queries", "12", "--reuters", "150", "--seed", "5"])
    printed = capsys.readouterr().out
    assert "| measure | queries | feedback on | feedback off |" in printed
    for key in (
        "headline_success1",
        "headline_mrr10",
        "versions_recall10",
        "partial_success10",
        "reuters_ndcg10_short",
        "reuters_ndcg10_long",
    ):
        assert key in figures and figures[key]["queries"] >= 1
    for row in figures.values():
        assert all(0.0 <= row[mode] <= 1.0 or math.isnan(row[mode]) for mode in ("on", "off"))
    assert figures["headline_success1"]["queries"] == 12
    # Half the queries are drawn among stories with versions, and their versions indexed.
    assert figures["versions_recall10"]["queries"] >= 3
    # A headline typed whole finds its own story first on an 80-story index, with feedback or without.
    # (seed 5: 11 of 12 without feedback, 10 with; the misses are at rank 2 to 4)
    assert figures["headline_success1"]["off"] >= 0.8 and figures["headline_success1"]["on"] >= 0.7
    assert min(figures["headline_mrr10"]["on"], figures["headline_mrr10"]["off"]) >= 0.8
    assert figures["partial_success10"]["off"] >= 0.8
    assert figures["reuters_ndcg10_short"]["off"] > 0.5
