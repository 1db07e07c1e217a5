"""The gazetteer: every actor we know by id, with its names and aliases (ours, package data, extended or
corrected by the user's actors.toml), and the accent folding and slugs that ids and matching share."""

from __future__ import annotations

import bisect
import hashlib
import itertools
import json
import os
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import ahocorasick

from .config import TOMLDecodeError, package_text, read_data_toml, read_toml
from .errors import BadInputError
from .models import ACTOR_TYPES, Actor

MAX_ACRONYM_LETTERS = 3  # longer acronyms also match capitalised: "Opec", "Nato"
SLUG_RE = re.compile(r"[^a-z0-9]+")
INITIAL_RE = re.compile(r"^[^\W\d_]\.$")
NON_ASCII_RE = re.compile(r"[^\x00-\x7f]+")
SMALL_WORDS = frozenset({"of", "the", "and", "for", "de", "des", "du", "la", "le", "&"})


@cache
def _fold_table() -> dict[int, str]:
    """Lower-case and strip accents one character for one, so offsets stay valid."""
    table: dict[int, str] = {}
    for code in range(0x2500):
        char = chr(code)
        lower = char.lower() if len(char.lower()) == 1 else char
        base = "".join(c for c in unicodedata.normalize("NFKD", lower) if not unicodedata.combining(c))
        folded = base if len(base) == 1 else lower
        if folded != char:
            table[code] = folded
    table.update({ord(c): "'" for c in "’‘ʼ`´"})
    table.update({ord(c): "-" for c in "‐‑‒–—"})
    return table


def fold(text: str) -> str:
    """Text lower-cased with accents removed, of the same length ('Touré' -> 'toure').

    str.translate with a dict looks up every character in Python objects; str.lower is ~10x faster, and
    for ASCII the table only lower-cases and turns "`" into "'". So the table is applied to the runs of
    other characters alone, unless lower-casing changed the text's length ("İ")."""
    lowered = text.lower()
    if text.isascii():
        return lowered.replace("`", "'")
    if len(lowered) != len(text):
        return text.translate(_fold_table())
    table = _fold_table()
    ascii_folded = lowered.replace("`", "'")
    return NON_ASCII_RE.sub(lambda run: text[run.start() : run.end()].translate(table), ascii_folded)


@lru_cache(maxsize=200_000)
def fold_name(name: str) -> str:
    """fold() of a name: short texts met again and again (a story's mentions), so remembered."""
    return fold(name)


@lru_cache(maxsize=200_000)
def slug(text: str) -> str:
    """An actor id made of a name: 'Amadou Toumani Touré' -> 'amadou-toumani-toure'."""
    return SLUG_RE.sub("-", fold_name(text)).strip("-")


@lru_cache(maxsize=200_000)
def person_id(name: str) -> str:
    """A person's id: the words that say who they are, without initials ('Donald J. Trump' and
    'Donald Trump' are 'donald-trump')."""
    return slug(" ".join(word for word in name.split() if not INITIAL_RE.match(word))) or slug(name)


def acronym(name: str) -> str:
    """The capitals of a name's words: 'Economic Community of West African States' -> 'ECWAS'."""
    return "".join(word[0] for word in name.split() if word.lower() not in SMALL_WORDS and word[:1].isupper())


def is_acronym(text: str) -> bool:
    """'EU', 'U.N.', 'ECOWAS': two to six capitals, full stops aside."""
    letters = text.replace(".", "")
    return letters.isalpha() and letters.isupper() and 2 <= len(letters) <= 6


@dataclass(frozen=True)
class _Alias:
    actor_id: str
    text: str
    exact_case: bool  # short acronyms: "US" is the country, "us" is not
    capitalised: bool  # proper names: "Turkey" is the country, "turkey" is not


@dataclass(frozen=True)
class Gazetteer:
    """The actors known by name, the places that stand for a country, and how to find them."""

    actors: Mapping[str, Actor]
    places: Mapping[str, str]  # folded place name -> country actor id
    names: Mapping[str, str]  # folded id, name or alias -> actor id
    by_iso: Mapping[str, str]  # ISO 3166 code -> country actor id
    not_actors: frozenset[str]  # folded names and ids the user marked not_actor ("Feinstein Says")
    merged: Mapping[str, str]  # id of an actor the user merged into another -> that other's id
    offices: Mapping[str, str]  # folded name of an institution that speaks for an actor -> its id
    version: str
    _automaton: Any = field(repr=False, compare=False)
    _aliases: tuple[tuple[_Alias, ...], ...] = field(repr=False, compare=False)

    def names_now(self) -> dict[str, str]:
        """`names` through the user's merges: each folded name, alias and id -> the actor it names."""
        return {key: self.merged.get(actor_id, actor_id) for key, actor_id in self.names.items()}

    def resolve(self, name: str) -> str | None:
        """The id of the actor a user means by an id, a name or an alias ('ecowas', 'U.S.')."""
        found = self.names.get(fold_name(name.strip())) or self.names.get(slug(name))
        return self.merged.get(found, found) if found else None

    def canonical(self, actor: Actor) -> Actor:
        """The actor as the gazetteer has it: under the id it was merged into, with the name it was
        given (a rename), its type when the entry gives one; as it is when the gazetteer has no entry."""
        actor_id = self.merged.get(actor.id, actor.id)
        entry = self.actors.get(actor_id)
        if entry is None:
            return actor
        return replace(actor, id=actor_id, name=entry.name, type=entry.type or actor.type)

    def is_not_an_actor(self, actor: Actor) -> bool:
        """Whether the user marked this actor, by its id or its name, as no actor."""
        return actor.id in self.not_actors or fold_name(actor.name) in self.not_actors

    def named(self, text: str) -> str | None:
        """The actor that the whole of `text` names, by its name, an alias, a demonym or an office, with
        the case rules of mentions() ("US" is the country, "us" is not)."""
        index: int | None = self._automaton.get(fold_name(text), None)  # the spelling's _aliases
        for alias in self._aliases[index] if index is not None else ():
            if (alias.exact_case and text != alias.text) or (alias.capitalised and not text[:1].isupper()):
                continue
            return alias.actor_id
        return None

    def mentions(self, line: str) -> list[tuple[int, int, str]]:
        """(start, end, actor id) of every gazetteer name in a line, leftmost-longest, whole words."""
        return self.mentions_in_lines([line])[0]

    def mentions_in_lines(self, lines: Sequence[str]) -> list[list[tuple[int, int, str]]]:
        """mentions() of each line, the lines searched in one pass (a story's lines, one call)."""
        found: list[list[tuple[int, int, str]]] = [[] for _ in lines]
        if not self._aliases:
            return found  # (an automaton without words cannot be searched)
        text = "\n".join(lines)
        folded = fold(text)
        firsts = list(itertools.accumulate((len(line) + 1 for line in lines[:-1]), initial=0))
        shouting = [line == line.upper() for line in lines]
        for end, index in self._automaton.iter(folded):
            for alias in self._aliases[index]:
                start = end - len(alias.text) + 1
                if start > 0 and (folded[start - 1].isalnum() or folded[start - 1] in "-'"):
                    continue
                if end + 1 < len(folded) and folded[end + 1].isalnum():
                    continue
                written = text[start : end + 1]
                number = bisect.bisect_right(firsts, start) - 1
                if alias.exact_case and (written != alias.text or (shouting[number] and "." not in written)):
                    continue
                if alias.capitalised and not written[:1].isupper():
                    continue
                first = firsts[number]
                found[number].append((start - first, end + 1 - first, alias.actor_id))
                break
        return [_leftmost_longest(line_found) for line_found in found]


def _leftmost_longest(found: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    found.sort(key=lambda m: (m[0], m[0] - m[1]))
    kept: list[tuple[int, int, str]] = []
    for match in found:
        if not kept or match[0] >= kept[-1][1]:
            kept.append(match)
    return kept


def _parse_toml(text: str, where: str) -> dict[str, Any]:
    try:
        return read_toml(text)
    except TOMLDecodeError as error:
        raise BadInputError(f"actors file {where}: {error}") from None


def _parse_data_file(text: str, where: str) -> dict[str, Any]:
    """_parse_toml() of a data file of ours (config.read_data_toml: parsed once a process). Read only."""
    try:
        return read_data_toml(text)
    except TOMLDecodeError as error:
        raise BadInputError(f"actors file {where}: {error}") from None


def _read_user_file(path: Path) -> str:
    """A user's actors file, '' when there is none."""
    try:
        return path.read_text(encoding="utf-8") if path.is_file() else ""
    except (OSError, UnicodeDecodeError) as error:
        raise BadInputError(f"actors file {path}: cannot be read as UTF-8 text ({error})") from None


def _merge_user_entries(
    entries: dict[str, dict[str, Any]], not_actors: set[str], user: dict[str, Any], path: Path
) -> None:
    """Add the user's actors, or extend and correct ours: names replace, aliases add or go; an entry
    with `not_actor = true` names what is no actor (by its id or its name)."""
    listed = user.get("actor", [])
    if not isinstance(listed, list):
        raise BadInputError(f"actors file {path}: 'actor' must be a list of [[actor]] tables")
    for number, raw in enumerate(listed, start=1):
        if not isinstance(raw, dict) or not isinstance(raw.get("id") or raw.get("name"), str):
            raise BadInputError(f"actors file {path}: each [[actor]] needs an id or a name (actor {number})")
        for key in ("aliases", "demonyms", "offices", "cities", "remove_aliases", "merge"):
            if not isinstance(raw.get(key, []), list) or not all(
                isinstance(a, str) for a in raw.get(key, [])
            ):
                raise BadInputError(f"actors file {path}: {key} must be a list of names (actor {number})")
            if any(not slug(a) for a in raw.get(key, [])):
                raise BadInputError(f"actors file {path}: an empty name in {key} (actor {number})")
        for key in ("id", "name", "type", "iso"):
            if key in raw and not isinstance(raw[key], str):
                raise BadInputError(f"actors file {path}: {key} must be text (actor {number})")
        if not isinstance(raw.get("not_actor", False), bool):
            raise BadInputError(f"actors file {path}: not_actor must be true or false (actor {number})")
        actor_id = raw.get("id") or slug(raw["name"])
        if not actor_id:
            raise BadInputError(f"actors file {path}: actor {number} has no letter or digit in its name")
        if raw.get("not_actor"):
            not_actors.update({actor_id, fold(str(raw.get("name") or actor_id).strip())})
            continue
        # A new actor given by id alone is shown by its id's words ("brett-kavanaugh": Brett Kavanaugh).
        shown = raw.get("name") or " ".join(word.capitalize() for word in actor_id.split("-"))
        entry = entries.setdefault(actor_id, {"id": actor_id, "name": shown})
        for key in ("name", "type", "iso"):
            if key in raw:
                entry[key] = raw[key]
        for key in ("aliases", "demonyms", "offices", "cities", "merge"):
            entry[key] = [*entry.get(key, []), *raw.get(key, [])]
        removed = {fold(a) for a in raw.get("remove_aliases", [])}
        for key in ("aliases", "demonyms", "offices"):
            entry[key] = [a for a in entry.get(key, []) if fold(a) not in removed]
        entry.setdefault("type", "")  # no type given: the tagger's reading of the story decides
        if entry["type"] and entry["type"] not in ACTOR_TYPES:
            raise BadInputError(
                f"actors file {path}: {actor_id} has type {entry['type']!r}, "
                f"not one of {', '.join(ACTOR_TYPES)}"
            )


def _merges(entries: dict[str, dict[str, Any]], user_files: Sequence[Path]) -> dict[str, str]:
    """Each merged id -> the id it ends up in (merges may chain); a cycle is the user's to mend."""
    into = {slug(old): actor_id for actor_id, entry in entries.items() for old in entry.get("merge", [])}
    resolved = {}
    for old in into:
        seen = [old]
        while seen[-1] in into:
            target = into[seen[-1]]
            if target in seen:
                files = ", ".join(map(str, user_files)) or "search/data/actors.toml"
                raise BadInputError(
                    f"actors file {files}: {' -> '.join([*seen, target])} merge into each other"
                )
            seen.append(target)
        if seen[-1] != old:
            resolved[old] = seen[-1]
    return resolved


def _alias(actor_id: str, text: str) -> _Alias:
    letters = [c for c in text if c.isalpha()]
    acronym = bool(letters) and all(c.isupper() for c in letters) and len(letters) <= MAX_ACRONYM_LETTERS
    return _Alias(actor_id, text, exact_case=acronym, capitalised=text[:1].isupper())


def _version_digest(actors_toml: str, places_toml: str, model: bytes) -> hashlib.blake2b:
    """The start of a gazetteer's version: our data files and the model; each user file's text is
    added to it in turn (build_gazetteer() and gazetteer_version() must give the same)."""
    return hashlib.blake2b(actors_toml.encode() + places_toml.encode() + model, digest_size=8)


def build_gazetteer(
    actors_toml: str, places_toml: str, user_files: Sequence[Path] = (), model: bytes = b""
) -> Gazetteer:
    """A gazetteer from our data files and the user's, which add actors or correct ours. Its version
    covers them and `model`, the other package data actor extraction reads (the tagger, its word
    clusters, the regions): an index made with other data needs a rebuild."""
    entries: dict[str, dict[str, Any]] = {}
    for raw in _parse_data_file(actors_toml, "search/data/actors.toml").get("actor", []):
        entries[raw["id"]] = dict(raw)
    digest = _version_digest(actors_toml, places_toml, model)
    not_actors: set[str] = set()
    for path in user_files:
        user_text = _read_user_file(path)
        digest.update(user_text.encode())
        user = _parse_toml(user_text, str(path))
        _merge_user_entries(entries, not_actors, user, path)
    merged = _merges(entries, user_files)
    actors: dict[str, Actor] = {}
    by_key: defaultdict[str, list[_Alias]] = defaultdict(list)
    names: dict[str, str] = {}
    for actor_id, entry in entries.items():
        actors[actor_id] = Actor(actor_id, entry.get("name", actor_id), entry.get("type", "organisation"))
        spellings = [entry.get("name", actor_id), *entry.get("aliases", [])]
        for text in dict.fromkeys([*spellings, *entry.get("demonyms", []), *entry.get("offices", [])]):
            alias = _alias(actor_id, text)
            if alias not in by_key[fold(text)]:
                by_key[fold(text)].append(alias)
        for text in [actor_id, *spellings]:
            names.setdefault(fold(text), actor_id)
    for old, actor_id in merged.items():
        names.setdefault(old, actor_id)
    automaton = ahocorasick.Automaton()
    aliases: list[tuple[_Alias, ...]] = []
    for key, candidates in by_key.items():
        automaton.add_word(key, len(aliases))
        aliases.append(tuple(sorted(candidates, key=lambda a: not a.exact_case)))
    automaton.make_automaton()
    by_iso = {entry["iso"]: actor_id for actor_id, entry in entries.items() if entry.get("iso")}
    places = {
        fold(place): by_iso[iso]
        for place, iso in _parse_data_file(places_toml, "search/data/places.toml").get("places", {}).items()
        if iso in by_iso
    }
    places.update(
        {fold(city): actor_id for actor_id, entry in entries.items() for city in entry.get("cities", [])}
    )
    offices = {
        fold(office): actor_id
        for actor_id, entry in entries.items()
        for office in entry.get("offices", [])
        if fold(office) not in names
    }
    return Gazetteer(
        actors,
        places,
        names,
        by_iso,
        frozenset(not_actors),
        merged,
        offices,
        digest.hexdigest(),
        automaton,
        tuple(aliases),
    )


@dataclass(frozen=True)
class KnownActors:
    """The actors an index's documents name (id -> name and type), arranged to find the ones a user
    may mean: people by surname, organisations by acronym."""

    table: Mapping[str, tuple[str, str]]
    full_names_by_surname: Mapping[str, tuple[str, ...]]  # person ids of two words or more
    by_acronym: Mapping[str, tuple[str, ...]]  # organisation ids by the acronym of their name

    @classmethod
    def of(cls, table: Mapping[str, tuple[str, str]]) -> KnownActors:
        surnames: dict[str, list[str]] = defaultdict(list)
        acronyms: dict[str, list[str]] = defaultdict(list)
        for actor_id, (name, kind) in table.items():
            if kind == "person" and "-" in actor_id:
                surnames[actor_id.rsplit("-", 1)[-1]].append(actor_id)
            elif kind == "organisation" and len(name.split()) > 1:
                acronyms[acronym(name)].append(actor_id)
        return cls(
            table, {k: tuple(v) for k, v in surnames.items()}, {k: tuple(v) for k, v in acronyms.items()}
        )


def actor_ids(name: str, gazetteer: Gazetteer, known: KnownActors) -> tuple[str, ...]:
    """Every actor id a user may mean by a name, an id or an alias: the gazetteer's actor ('ECOWAS',
    'Cedeao', 'U.S.'); the actor of that name ('Soumaila Cisse', 'Donald J. Trump'); for a surname alone
    every person of that surname ('Kavanaugh'), for a full name the stories naming that surname alone
    when no one else in the index has it; for an acronym, the organisations it abbreviates ('FBI')."""
    found = [actor_id for actor_id in (gazetteer.resolve(name), slug(name), person_id(name)) if actor_id]
    key = person_id(name)
    surname = key.rsplit("-", 1)[-1]
    if "-" not in key:
        found += known.full_names_by_surname.get(key, ())
    elif (
        known.full_names_by_surname.get(surname) == (key,)
        and known.table.get(surname, ("", ""))[1] == "person"
    ):
        found.append(surname)
    if is_acronym(name.strip()):
        found += known.by_acronym.get(name.strip().replace(".", ""), ())
    return tuple(dict.fromkeys(found))


def user_entry(actor_id: str, **fields: str | bool | list[str]) -> str:
    """One [[actor]] table of a user's actors file, its strings quoted as TOML reads them back."""
    lines = ["[[actor]]", f"id = {json.dumps(actor_id, ensure_ascii=False)}"]
    for key, value in fields.items():
        written = str(value).lower() if isinstance(value, bool) else json.dumps(value, ensure_ascii=False)
        lines.append(f"{key} = {written}")
    return "\n".join(lines) + "\n"


def add_user_entries(path: Path, entries: str) -> None:
    """Add tables to the user's actors file, unless the file would no longer read (a merge cycle, a
    bad name): checked first, then written whole under a temporary name and moved into place."""
    before = _read_user_file(path)
    after = (
        before + ("\n" if before and not before.endswith("\n") else "") + ("\n" if before else "") + entries
    )
    trial = path.with_name(f".{path.name}.new")
    try:
        trial.write_text(after, encoding="utf-8")
        actors_toml, places_toml, model = _package_data()
        build_gazetteer(actors_toml, places_toml, [trial], model)
        os.replace(trial, path)
    except OSError as error:
        raise BadInputError(f"actors file {path}: cannot be written ({error.strerror or error})") from None
    finally:
        trial.unlink(missing_ok=True)


# Raised when actors.py links names to actors differently: an index's version then differs, and the
# next indexing run finds its documents' actors again from the stored text (no rebuild).
LINKING_RULES = 2  # 2: an office ("White House", "FBI") is an actor of its own


@cache
def _package_data() -> tuple[str, str, bytes]:
    data = resources.files("search").joinpath("data")
    model = hashlib.blake2b(f"linking rules {LINKING_RULES}".encode(), digest_size=16)
    for name in ("tagger.npz", "clusters.tsv.gz", "regions.toml", "people.toml"):
        model.update(data.joinpath(name).read_bytes())
    return package_text("actors.toml"), package_text("places.toml"), model.digest()


@cache
def _cached_gazetteer(user_files: tuple[Path, ...], stamps: tuple[float, ...]) -> Gazetteer:
    actors_toml, places_toml, model = _package_data()
    return build_gazetteer(actors_toml, places_toml, user_files, model)


def load_gazetteer(user_files: Iterable[Path] = ()) -> Gazetteer:
    """Our gazetteer extended by the user's files (those that exist), loaded once per change."""
    paths = tuple(p for p in user_files if p.is_file())
    return _cached_gazetteer(paths, tuple(p.stat().st_mtime for p in paths))


def gazetteer_version(user_files: Iterable[Path] = ()) -> str:
    """The version load_gazetteer() would give, without building the gazetteer (an indexing run
    that finds nothing changed checks it, and needs nothing else of it)."""
    digest = _version_digest(*_package_data())
    for path in (p for p in user_files if p.is_file()):
        digest.update(_read_user_file(path).encode())
    return digest.hexdigest()
