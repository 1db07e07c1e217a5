"""What is unusual: JLH scores, the actors named with one, the words and phrases of a search's matches,
and the co-occurrence network, against counts made from every stored document."""

from __future__ import annotations

import random
from collections import Counter
from itertools import combinations
from pathlib import Path

import pytest

from search import engine
from search.engine import network as network_module
from search.engine.associations import jlh
from search.models import Actor, Document

from .conftest import write

US = Actor("united-states", "United States", "country")
ECOWAS = Actor("ecowas", "ECOWAS", "organisation")
MALI = Actor("mali", "Mali", "country")
FRANCE = Actor("france", "France", "country")
COMMON = [
    "said",
    "officials",
    "today",
    "government",
    "people",
    "week",
    "city",
    "plans",
    "report",
    "council",
    "the",
    "of",
    "and",
]


def documents() -> list[Document]:
    """Sixty stories: the United States in three of four, ECOWAS in twelve (Mali in ten of those), and
    the coup stories (the first twelve) write 'military junta' and 'sanctions' more than the others."""
    rng = random.Random(5)
    made = []
    for n in range(60):
        actors = []
        if n % 4:
            actors.append(US)
        if n < 12:
            actors.append(ECOWAS)
        if n < 10 or 40 <= n < 45:
            actors.append(MALI)
        if rng.random() < 0.25:
            actors.append(FRANCE)
        words = rng.choices(COMMON, k=60)
        if n < 12:
            words += ["coup", "military", "junta", "sanctions"]
            words += rng.choices(["military junta", "sanctions"], k=3)
        elif n < 14:
            words += ["coup", "junta"]
        made.append(Document(id=f"d{n}.txt", path=f"d{n}.txt", title=f"Story {n}", body=" ".join(words),
                             actors=tuple(actors)))  # fmt: skip
    return made


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> engine.EngineIndex:
    index_dir = tmp_path_factory.mktemp("associations") / "index"
    write(index_dir, documents())
    return engine.EngineIndex(index_dir)


def test_jlh_rewards_what_is_both_common_in_the_set_and_rare_outside() -> None:
    assert jlh(10, 10, 10, 100) == pytest.approx((1 - 0.1) * 10)
    assert jlh(9, 10, 75, 100) == pytest.approx((0.9 - 0.75) * (0.9 / 0.75))  # everywhere anyway
    assert jlh(1, 10, 1, 100) < jlh(8, 10, 8, 100)
    assert jlh(2, 10, 50, 100) == 0.0 and jlh(0, 0, 0, 0) == 0.0  # under-represented, empty


def test_the_actor_named_with_another_more_than_usual_comes_first(index: engine.EngineIndex) -> None:
    found = index.associated_actors(
        engine.SearchRequest(None), ("ECOWAS", ("ecowas",)), min_count=2, limit=10
    )
    assert (found.documents, found.background) == (12, 60)
    assert [item.value for item in found.items][:2] == ["mali", "united-states"]
    mali = found.items[0]
    assert (mali.count, mali.background, mali.name, mali.type) == (10, 15, "Mali", "country")
    assert mali.score == pytest.approx(jlh(10, 12, 15, 60))
    assert "ecowas" not in {item.value for item in found.items}
    fewer = index.associated_actors(
        engine.SearchRequest(None), ("ecowas", ("ecowas",)), min_count=11, limit=10
    )
    assert [item.value for item in fewer.items] == []


def test_unusual_words_and_phrases_of_the_matches_not_stop_words_nor_the_querys(
    index: engine.EngineIndex,
) -> None:
    found = index.unusual(engine.SearchRequest("coup"), actors=False, min_count=3, limit=10)
    assert (found.documents, found.background) == (14, 60)
    values = [item.value for item in found.items]
    assert {"junta", "sanctions", "military junta"} <= set(values[:6])
    assert "sanctions sanctions" not in values  # a word twice is no phrase
    assert "coup" not in values and not {"the", "of", "and"} & set(values)
    junta = next(item for item in found.items if item.value == "junta")
    assert (junta.count, junta.background, junta.type) == (14, 14, "word")
    assert next(item for item in found.items if item.value == "military junta").type == "phrase"
    assert "said" not in values  # in every story: not unusual


def test_unusual_actors_of_the_matches(index: engine.EngineIndex) -> None:
    found = index.unusual(engine.SearchRequest("coup"), actors=True, min_count=2, limit=10)
    assert found.items[0].value == "ecowas" and found.items[0].count == 12


@pytest.mark.parametrize("block", [7, 5000])
def test_the_network_counts_what_the_documents_name(
    index: engine.EngineIndex, block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(network_module, "BLOCK_DOCUMENTS", block)
    told: list[tuple[int, int]] = []
    network = index.network(
        engine.SearchRequest(None), nodes=3, min_count=2, progress=lambda *d: told.append(d)
    )
    named = Counter(actor.id for d in documents() for actor in d.actors)
    top = [key for key, _ in sorted(named.items(), key=lambda kv: (-kv[1], kv[0]))[:3]]
    assert [(node.id, node.count) for node in network.nodes] == [(key, named[key]) for key in top]
    pairs = Counter(
        pair for d in documents() for pair in combinations(sorted(a.id for a in d.actors if a.id in top), 2)
    )
    assert {(e.source, e.target): e.count for e in network.edges} == {
        p: n for p, n in pairs.items() if n >= 2
    }
    assert told[-1] == (60, 60) and len(told) == -(-60 // block)


def test_a_network_of_what_nothing_matches_is_empty(index: engine.EngineIndex, tmp_path: Path) -> None:
    network = index.network(engine.SearchRequest("zanzibar"), nodes=10, min_count=1)
    assert (network.documents, network.nodes, network.edges) == (0, (), ())
