"""The gazetteer: names, aliases and demonyms found in text, ids resolved, the user's file merged."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.errors import BadInputError
from search.gazetteer import _fold_table, build_gazetteer, fold, slug, user_entry

from .conftest import ACTORS, PLACES, ids


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


def test_user_file_adds_extends_and_corrects(tmp_path: Path) -> None:
    user = tmp_path / "actors.toml"
    user.write_text(
        '[[actor]]\nid = "ecowas"\naliases = ["CEDEAO"]\n\n'
        '[[actor]]\nid = "united-states"\nremove_aliases = ["America"]\n\n'
        '[[actor]]\nname = "Assimi Goïta"\naliases = ["Goita"]\n'
    )
    gazetteer = build_gazetteer(ACTORS, PLACES, [user])
    assert ids(gazetteer, "La CEDEAO et America") == ["ecowas"]
    assert gazetteer.actors["assimi-goita"].type == ""  # no type given: the tagger's reading decides
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


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[[actor]]\nname = "A"\naliases = ["  "]\n', "an empty name in aliases"),
        (
            '[[actor]]\nname = "A"\nmerge = ["b"]\n[[actor]]\nname = "B"\nmerge = ["a"]\n',
            "merge into each other",
        ),
        ('[[actor]]\nname = "A"\nnot_actor = "yes"\n', "not_actor must be true or false"),
        ('[[actor]]\nname = "..."\n', "no letter or digit"),
        ("[[actor]]\nname = 'A'\nmerge = 'b'\n", "merge must be a list of names"),
    ],
)
def test_a_bad_actors_file_is_one_clear_error(tmp_path: Path, content: str, message: str) -> None:
    user = tmp_path / "actors.toml"
    user.write_text(content, encoding="utf-8")
    with pytest.raises(BadInputError, match=message) as raised:
        build_gazetteer(ACTORS, PLACES, [user])
    assert "\n" not in str(raised.value) and str(user) in str(raised.value)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {"name": st.text(max_size=20)},
            optional={
                "aliases": st.lists(st.text(max_size=12), max_size=3),
                "merge": st.lists(st.sampled_from(["a", "b", "c", "ecowas", ""]), max_size=2),
                "type": st.sampled_from(["person", "country", "planet", ""]),
                "not_actor": st.booleans(),
            },
        ),
        max_size=4,
    )
)
def test_any_actors_file_builds_or_is_bad_input(entries: list[dict[str, object]]) -> None:
    text = "".join(user_entry(slug(str(e["name"])) or "x", **e) for e in entries)  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory() as folder:
        user = Path(folder) / "actors.toml"
        user.write_text(text, encoding="utf-8")
        try:
            gazetteer = build_gazetteer(ACTORS, PLACES, [user])
        except BadInputError as error:
            assert "\n" not in str(error)
        else:
            assert all(gazetteer.merged.get(target) is None for target in gazetteer.merged.values())


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_fold_shortcuts_fold_as_the_whole_table_does(text: str) -> None:
    assert fold(text) == text.translate(_fold_table())
    assert fold(text + "`Ａ\u1fef") == (text + "`Ａ\u1fef").translate(_fold_table())


def test_a_users_cities_stand_for_their_country(tmp_path: Path) -> None:
    user = tmp_path / "actors.toml"
    user.write_text(
        '[[actor]]\nname = "Atlantis"\ntype = "country"\ncities = ["Poseidonia"]\n', encoding="utf-8"
    )
    gazetteer = build_gazetteer(ACTORS, PLACES, [user])
    assert gazetteer.places[fold("Poseidonia")] == "atlantis"  # checked as a list of names, then kept
