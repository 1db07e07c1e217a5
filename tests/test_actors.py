from __future__ import annotations

from pathlib import Path

import pytest

from search.actors import Person, acting_actors, build_gazetteer, dateline_countries, find_people, fold, slug
from search.errors import BadInputError

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
def gazetteer():  # type: ignore[no-untyped-def]
    return build_gazetteer(ACTORS, PLACES)


def ids(gazetteer, line: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [actor_id for _, _, actor_id in gazetteer.mentions(line)]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("The U.S. and the USA and America", ["united-states"] * 3),
        ("US troops left; they told us to go", ["united-states"]),  # "us" is not the country
        ("Malian troops and the Malians of Mali's north", ["mali"] * 3),
        ("The Economic Community of West African States met", ["ecowas"]),
        ("the State Department said", ["united-states"]),
        ("a turkey for dinner in Turkey", ["turkey"]),  # proper names only when capitalised
        ("who said WHO warned", ["who"]),
        ("Touré of MALIAN origin", ["mali"]),
        ("Somalia is not Mali", ["mali"]),  # whole words only
        ("LET US GO", []),  # a short acronym without dots in a shouted line is not trusted
        ("U.S. TO BUY WHEAT", ["united-states"]),
    ],
)
def test_gazetteer_mentions(gazetteer, line: str, expected: list[str]) -> None:  # type: ignore[no-untyped-def]
    assert ids(gazetteer, line) == expected


def test_resolve_takes_ids_names_and_aliases(gazetteer) -> None:  # type: ignore[no-untyped-def]
    for name in (
        "ecowas",
        "ECOWAS",
        "Economic Community of West African States",
        "economic community of west african states",
    ):
        assert gazetteer.resolve(name) == "ecowas"
    assert gazetteer.resolve("U.S.") == gazetteer.resolve("United States") == "united-states"
    assert gazetteer.resolve("Atlantis") is None


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["HEADLINE", "HOUSTON, March 3 - Oil rose."], ["united-states"]),
        (["Headline", "STAMFORD, Conn., March 3 - Profits rose."], ["united-states"]),
        (["By Victoria Nuland WASHINGTON, D.C. Mar 23, 2012"], []),  # Washington is not in this gazetteer
        (["BAMAKO, Mali (Reuters) - Soldiers"], ["mali"]),
        (["Nothing here", "No dateline at all.", "Nor here."], []),
    ],
)
def test_dateline_countries(gazetteer, lines: list[str], expected: list[str]) -> None:  # type: ignore[no-untyped-def]
    assert dateline_countries(lines, gazetteer) == expected


def test_people_by_title_and_attribution_with_surnames_linked(gazetteer) -> None:  # type: ignore[no-untyped-def]
    lines = [
        "Mali junta told to leave",
        "We stand with President Amadou Toumani Touré.",
        '"Our aim is clear," said Soumaila Cisse, a candidate.',
        "Foreign Minister Abdoulaye Diop told the council.",
        '"We will not accept it," Cisse said. Toure was safe.',
        "Treasury Secretary James A. Baker met Fed Chairman Paul Volcker.",
    ]
    people = find_people(lines, gazetteer)
    assert people == {
        "Amadou Toumani Touré": Person((1, 4), titled=True),
        "Soumaila Cisse": Person((2, 4), titled=False),
        "Abdoulaye Diop": Person((3,), titled=True),
        "James A. Baker": Person((5,), titled=True),
        "Paul Volcker": Person((5,), titled=True),
    }


def test_names_stop_at_punctuation_and_possessives(gazetteer) -> None:  # type: ignore[no-untyped-def]
    lines = ["— Amb. Abdoulaye Diop (@AbdoulayeDiop8) June 20", "said Soumaila Cisse, Mali's opposition leader",
             "President Reagan's budget"]  # fmt: skip
    assert set(find_people(lines, gazetteer)) == {"Abdoulaye Diop", "Soumaila Cisse", "Reagan"}


def test_a_lone_common_noun_is_not_a_surname(gazetteer) -> None:  # type: ignore[no-untyped-def]
    assert find_people(["Chairman Agreement said the agreement holds."], gazetteer) == {}


@pytest.mark.parametrize(
    "line",
    [
        "The United States said it regrets",
        "Western diplomats said",
        "The Presidential Palace in New Delhi",
        "President.",
        "said the spokesman",
    ],
)
def test_no_person_where_there_is_none(gazetteer, line: str) -> None:  # type: ignore[no-untyped-def]
    assert find_people([line], gazetteer) == {}


def test_a_title_with_a_surname_only_is_a_person(gazetteer) -> None:  # type: ignore[no-untyped-def]
    assert find_people(["President Reagan said so."], gazetteer) == {"Reagan": Person((0,), titled=True)}


LONG_STORY = [
    "U.S. Condemns Seizure of Power in Mali",
    "By a spokesperson WASHINGTON, D.C. Mar 23, 2012",
    "We echo the statements of ECOWAS.",
    *[f"Paragraph {n}." for n in range(3, 9)],
    "Paragraph nine mentions Turkey once, and Soumaila Cisse too, said Moussa Traore.",
    "We stand with President Amadou Toumani Toure, and so does ECOWAS.",
]


def test_in_a_long_story_actors_mentioned_once_in_passing_do_not_act(gazetteer) -> None:  # type: ignore[no-untyped-def]
    actors = acting_actors(LONG_STORY[0], LONG_STORY, gazetteer)
    # Mali and the US: headline; ECOWAS: lead and body; Toure: a title and one mention.
    assert {a.id for a in actors} == {"mali", "united-states", "ecowas", "amadou-toumani-toure"}
    assert next(a for a in actors if a.id == "amadou-toumani-toure").type == "person"


def test_in_a_short_story_one_mention_is_enough_for_organisations(gazetteer) -> None:  # type: ignore[no-untyped-def]
    short = [*LONG_STORY[:3], LONG_STORY[-1]]
    assert "ecowas" in {a.id for a in acting_actors(short[0], short, gazetteer)}
    assert "turkey" not in {a.id for a in acting_actors(short[0], [*short, "Turkey once."], gazetteer)}


def test_user_file_adds_extends_and_corrects(tmp_path: Path) -> None:
    user = tmp_path / "actors.toml"
    user.write_text(
        '[[actor]]\nid = "ecowas"\naliases = ["CEDEAO"]\n\n'
        '[[actor]]\nid = "united-states"\nremove_aliases = ["America"]\n\n'
        '[[actor]]\nname = "Assimi Goïta"\naliases = ["Goita"]\n'
    )
    gazetteer = build_gazetteer(ACTORS, PLACES, [user])
    assert ids(gazetteer, "La CEDEAO et America") == ["ecowas"]
    assert gazetteer.actors["assimi-goita"].type == "person"
    assert gazetteer.actors["assimi-goita"].name == "Assimi Goïta"
    assert ids(gazetteer, "Colonel Assimi Goita met Goita") == ["assimi-goita", "assimi-goita"]
    assert gazetteer.version != build_gazetteer(ACTORS, PLACES).version


@pytest.mark.parametrize(
    "content", ["[[actor]]\naliases = ['x']\n", "[[actor]]\nid = 'x'\ntype = 'planet'\n", "[[actor]\n"]
)
def test_bad_user_file_is_a_clear_error(tmp_path: Path, content: str) -> None:
    user = tmp_path / "actors.toml"
    user.write_text(content)
    with pytest.raises(BadInputError, match="actors file"):
        build_gazetteer(ACTORS, PLACES, [user])


def test_fold_keeps_length_and_slug_makes_ids() -> None:
    assert fold("Touré’s Côte") == "toure's cote"
    assert len(fold("İstanbul ﬁ")) == len("İstanbul ﬁ")
    assert slug("Amadou Toumani Touré") == "amadou-toumani-toure"


def test_longer_acronyms_also_match_capitalised() -> None:
    gazetteer = build_gazetteer(
        '[[actor]]\nid = "opec"\nname = "OPEC"\ntype = "organisation"\n', "[places]\n"
    )
    assert ids(gazetteer, "Opec and OPEC, not opec") == ["opec", "opec"]
