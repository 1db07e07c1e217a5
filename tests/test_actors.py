"""Linking the tagger's names to actors: gazetteer ids, short forms, regions, weights, odd text."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from search.actors import find_actors, name_type
from search.gazetteer import build_gazetteer, load_gazetteer

from .conftest import DW_REPORT, SAMPLE_CORPUS


def actors_of(*lines: str) -> dict[str, tuple[str, str]]:
    """id -> (name, type) of the actors the package's gazetteer and tagger find in a story."""
    return {a.id: (a.name, a.type) for a in find_actors(lines[0], list(lines), load_gazetteer())}


def test_aliases_acronyms_and_demonyms_are_one_gazetteer_actor() -> None:
    found = actors_of(
        "ECOWAS leaders meet in Abidjan",
        "The Economic Community of West African States (ECOWAS) will meet, and Malian troops were there.",
        "The U.S. and the United States Department of State said so.",
    )
    assert found["ecowas"][1] == "organisation"
    assert found["mali"] == ("Mali", "country")  # "Malian troops"
    assert found["united-states"] == ("United States", "country")
    assert found["abidjan"] == ("Abidjan", "location")  # a city is a place, not its country


def test_an_office_is_an_actor_of_its_own_and_counts_for_its_country() -> None:
    found = actors_of(
        "White House rejects report",
        "The White House said on Monday that the FBI had briefed the Pentagon.",
        "A spokesman for the white house declined to comment.",
    )
    for office in ("white-house", "fbi", "pentagon"):
        assert found[office][1] == "organisation", office
    assert found["united-states"] == ("United States", "country")


def test_short_forms_join_the_full_name_within_a_story() -> None:
    found = actors_of(
        "Mali junta told to leave",
        "President Amadou Toumani Toure was ousted, and Soumaila Cisse was arrested.",
        '"We will not accept it," Cisse said. Toure was safe, and President Toure thanked Donald J. Trump.',
        "Donald Trump replied.",
    )
    people = {actor_id for actor_id, (_, kind) in found.items() if kind == "person"}
    assert people == {"amadou-toumani-toure", "soumaila-cisse", "donald-trump"}


def test_a_short_organisation_name_joins_its_long_form() -> None:
    found = actors_of(
        "Miners report",
        "Newmont Mining Corp said profits rose. The Northern Grain Traders Association met.",
        "Newmont also said the NGTA talks went well.",
    )
    assert "newmont-mining-corp" in found and "newmont" not in found
    assert "northern-grain-traders-association" in found and "ngta" not in found


def test_a_us_state_named_like_a_country_is_the_state_beside_the_us() -> None:
    state = actors_of(
        "Election in Georgia",
        "Voters in Georgia and Texas went to the polls, U.S. officials said in Atlanta.",
    )
    country = actors_of("Talks in Georgia", "Georgia and Russia met in Tbilisi; Georgian officials said so.")
    assert state["georgia-place"] == ("Georgia", "location") and "georgia" not in state
    assert country["georgia"] == ("Georgia", "country")


def test_titles_dates_and_handles_are_not_names() -> None:
    found = actors_of(
        "Statement",
        "By Rep. Jim Jordan, WASHINGTON, Mar 23 - Sen. Dianne Feinstein spoke (@SenFeinstein).",
    )
    assert {"jim-jordan", "dianne-feinstein"} <= set(found)
    assert not {"rep", "sen", "jordan", "mar", "senfeinstein"} & set(found)


def test_weights_favour_the_headline_and_the_lead_and_mark_the_main_actors() -> None:
    lines = [
        "Mali junta told to leave",
        "The junta in Mali was told to leave by ECOWAS.",
        *[f"Paragraph {n} says nothing." for n in range(8)],
        "Turkey was named once, far down.",
    ]
    actors = find_actors(lines[0], lines, load_gazetteer())
    weights = {a.id: (a.weight, a.main) for a in actors}
    assert actors[0].id == "mali" and weights["mali"] == (5.0, True)  # headline 3 + lead 2
    assert weights["ecowas"] == (2.0, True) and weights["turkey"] == (1.0, False)


def test_a_name_alone_is_typed_by_the_tagger() -> None:
    assert name_type("Senate Judiciary Committee") == "organisation"
    assert name_type("Brett Kavanaugh") == "person"


def test_the_users_entries_merge_rename_type_and_drop_actors(tmp_path: Path) -> None:
    user = tmp_path / "actors.toml"
    user.write_text(
        "[[actor]]\nname = 'Feinstein Says'\nnot_actor = true\n"
        "[[actor]]\nname = 'Brett Kavanaugh'\nmerge = ['kavanaugh']\n"
        "[[actor]]\nid = 'newmont-mining-corp'\nname = 'Newmont'\ntype = 'organisation'\n",
        encoding="utf-8",
    )
    gazetteer = load_gazetteer([user])
    lines = ["Feinstein Says Kavanaugh Must Answer", "Kavanaugh met Newmont Mining Corp officials."]
    found = {a.id: (a.name, a.type) for a in find_actors(lines[0], lines, gazetteer)}
    assert found["brett-kavanaugh"] == ("Brett Kavanaugh", "person")
    assert found["newmont-mining-corp"] == ("Newmont", "organisation")
    assert "kavanaugh" not in found and "feinstein-says" not in found


def test_the_dw_report_names_every_actor_the_issue_lists() -> None:
    lines = (SAMPLE_CORPUS / DW_REPORT).read_text(encoding="utf-8").splitlines()
    found = actors_of(*lines)
    assert {
        "mali", "united-states", "canada", "african-union", "ecowas",
        "amadou-toumani-toure", "soumaila-cisse", "moussa-traore",
    } <= set(found)  # fmt: skip


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(max_size=60), min_size=1, max_size=5))
def test_any_text_gives_actors_without_failing(lines: list[str]) -> None:
    gazetteer = build_gazetteer("", "")
    for actor in find_actors(lines[0], lines, gazetteer):
        assert actor.id and actor.weight > 0


def test_a_story_of_fifty_thousand_words_is_read_in_linear_time() -> None:
    line = "Officials in Bamako said Amadou Toure met ECOWAS envoys on Monday while markets stayed calm."
    lines = ["Long story", *[line] * 3_500]  # about 50,000 words
    actors = find_actors(lines[0], lines, load_gazetteer())
    assert {"ecowas", "bamako"} <= {a.id for a in actors}
