from __future__ import annotations

import pytest

from search.actors import Person, acting_actors, dateline_countries, find_people


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
