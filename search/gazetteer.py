"""The gazetteer: every actor we know by id, with its names and aliases (ours, package data, extended or
corrected by the user's actors.toml), and the accent folding and slugs that ids and matching share."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import ahocorasick

from .config import TOMLDecodeError, read_toml
from .errors import BadInputError
from .models import ACTOR_TYPES, Actor

MAX_ACRONYM_LETTERS = 3  # longer acronyms also match capitalised: "Opec", "Nato"
SLUG_RE = re.compile(r"[^a-z0-9]+")


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
    """Text lower-cased with accents removed, of the same length ('Touré' -> 'toure')."""
    return text.translate(_fold_table())


def slug(text: str) -> str:
    """An actor id made of a name: 'Amadou Toumani Touré' -> 'amadou-toumani-toure'."""
    return SLUG_RE.sub("-", fold(text)).strip("-")


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
    version: str
    _automaton: Any = field(repr=False, compare=False)
    _aliases: tuple[tuple[_Alias, ...], ...] = field(repr=False, compare=False)

    def resolve(self, name: str) -> str | None:
        """The id of the actor a user means by an id, a name or an alias ('ecowas', 'U.S.')."""
        return self.names.get(fold(name.strip())) or self.names.get(slug(name))

    def mentions(self, line: str) -> list[tuple[int, int, str]]:
        """(start, end, actor id) of every gazetteer name in a line, leftmost-longest, whole words."""
        folded = fold(line)
        shouting = not any(c.islower() for c in line)
        found = []
        for end, index in self._automaton.iter(folded):
            for alias in self._aliases[index]:
                start = end - len(alias.text) + 1
                if start > 0 and (folded[start - 1].isalnum() or folded[start - 1] in "-'"):
                    continue
                if end + 1 < len(folded) and folded[end + 1].isalnum():
                    continue
                written = line[start : end + 1]
                if alias.exact_case and (written != alias.text or (shouting and "." not in written)):
                    continue
                if alias.capitalised and not written[:1].isupper():
                    continue
                found.append((start, end + 1, alias.actor_id))
                break
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


def _merge_user_entries(entries: dict[str, dict[str, Any]], user: dict[str, Any], path: Path) -> None:
    """Add the user's actors, or extend and correct ours: names replace, aliases add or go."""
    listed = user.get("actor", [])
    if not isinstance(listed, list):
        raise BadInputError(f"actors file {path}: 'actor' must be a list of [[actor]] tables")
    for number, raw in enumerate(listed, start=1):
        if not isinstance(raw, dict) or not isinstance(raw.get("id") or raw.get("name"), str):
            raise BadInputError(f"actors file {path}: each [[actor]] needs an id or a name (actor {number})")
        for key in ("aliases", "demonyms", "offices", "remove_aliases"):
            if not isinstance(raw.get(key, []), list) or not all(
                isinstance(a, str) for a in raw.get(key, [])
            ):
                raise BadInputError(f"actors file {path}: {key} must be a list of names (actor {number})")
        for key in ("id", "name", "type", "iso"):
            if key in raw and not isinstance(raw[key], str):
                raise BadInputError(f"actors file {path}: {key} must be text (actor {number})")
        actor_id = raw.get("id") or slug(raw["name"])
        entry = entries.setdefault(actor_id, {"id": actor_id, "name": raw.get("name", actor_id)})
        for key in ("name", "type", "iso"):
            if key in raw:
                entry[key] = raw[key]
        for key in ("aliases", "demonyms", "offices"):
            entry[key] = [*entry.get(key, []), *raw.get(key, [])]
        removed = {fold(a) for a in raw.get("remove_aliases", [])}
        for key in ("aliases", "demonyms", "offices"):
            entry[key] = [a for a in entry.get(key, []) if fold(a) not in removed]
        entry.setdefault("type", "person")
        if entry["type"] not in ACTOR_TYPES:
            raise BadInputError(
                f"actors file {path}: {actor_id} has type {entry['type']!r}, "
                f"not one of {', '.join(ACTOR_TYPES)}"
            )


def _alias(actor_id: str, text: str) -> _Alias:
    letters = [c for c in text if c.isalpha()]
    acronym = bool(letters) and all(c.isupper() for c in letters) and len(letters) <= MAX_ACRONYM_LETTERS
    return _Alias(actor_id, text, exact_case=acronym, capitalised=text[:1].isupper())


def build_gazetteer(actors_toml: str, places_toml: str, user_files: Sequence[Path] = ()) -> Gazetteer:
    """A gazetteer from our data files and the user's, which add actors or correct ours."""
    entries: dict[str, dict[str, Any]] = {}
    for raw in _parse_toml(actors_toml, "search/data/actors.toml").get("actor", []):
        entries[raw["id"]] = dict(raw)
    digest = hashlib.blake2b(actors_toml.encode() + places_toml.encode(), digest_size=8)
    for path in user_files:
        try:
            user_text = path.read_text(encoding="utf-8") if path.is_file() else ""
        except (OSError, UnicodeDecodeError) as error:
            raise BadInputError(f"actors file {path}: cannot be read as UTF-8 text ({error})") from None
        digest.update(user_text.encode())
        _merge_user_entries(entries, _parse_toml(user_text, str(path)), path)
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
    automaton = ahocorasick.Automaton()
    aliases: list[tuple[_Alias, ...]] = []
    for key, candidates in by_key.items():
        automaton.add_word(key, len(aliases))
        aliases.append(tuple(sorted(candidates, key=lambda a: not a.exact_case)))
    automaton.make_automaton()
    by_iso = {entry["iso"]: actor_id for actor_id, entry in entries.items() if entry.get("iso")}
    places = {
        fold(place): by_iso[iso]
        for place, iso in _parse_toml(places_toml, "search/data/places.toml").get("places", {}).items()
        if iso in by_iso
    }
    return Gazetteer(actors, places, names, digest.hexdigest(), automaton, tuple(aliases))


@cache
def _package_data() -> tuple[str, str]:
    data = resources.files("search").joinpath("data")
    return data.joinpath("actors.toml").read_text("utf-8"), data.joinpath("places.toml").read_text("utf-8")


@cache
def _cached_gazetteer(user_files: tuple[Path, ...], stamps: tuple[float, ...]) -> Gazetteer:
    return build_gazetteer(*_package_data(), user_files)


def load_gazetteer(user_files: Iterable[Path] = ()) -> Gazetteer:
    """Our gazetteer extended by the user's files (those that exist), loaded once per change."""
    paths = tuple(p for p in user_files if p.is_file())
    return _cached_gazetteer(paths, tuple(p.stat().st_mtime for p in paths))
