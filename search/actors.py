"""Find who acts in a story: countries, organisations, armed groups and people.

Gazetteer entries (package data, extended by the user's actors.toml) are found by their
names, aliases, demonyms ("Malian troops") and offices ("the State Department") with an
Aho-Corasick automaton over accent-folded text, whole words only; short acronyms match
only as written ("US" is the country, "us" is not) and proper names only when capitalised
("Turkey", not "turkey"). A dateline's place ("HOUSTON, March 3 -") counts for its country.
People are found after a title ("Foreign Minister Abdoulaye Diop") or by attribution
("..., said Soumaila Cisse"); later surname-only mentions count for the full name.
An actor acts in the story when it weighs enough: a mention in the headline, the dateline
or the lead counts more than one further down.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from .config import read_toml
from .gazetteer import Gazetteer, fold, slug
from .models import Actor

# Weights of a mention by where it stands, and the weight an actor needs to act in the story.
HEADLINE_WEIGHT = 3.0
DATELINE_WEIGHT = 3.0
LEAD_WEIGHT = 2.0
BODY_WEIGHT = 1.0
LEAD_LINES = 2
TITLE_BONUS = 1.0  # a person introduced by a title ("President ...") is an official who acts
# The weight each type of actor needs to act in a story; a short story (SHORT_STORY_LINES lines or
# fewer) needs SHORT_STORY_RELIEF less. Chosen on Reuters-21578's TRAIN split (bench/metadata.py).
ACTING_WEIGHT = {"country": 3.0, "person": 2.0}
DEFAULT_ACTING_WEIGHT = 2.0
SHORT_STORY_LINES = 8
SHORT_STORY_RELIEF = 1.0
# A story is about few people and few countries: beyond the threshold, a person must also weigh at
# least 0.4 of what the story's heaviest person weighs, a country or an organisation a quarter of
# what the heaviest of its type weighs.
SHARE_OF_HEAVIEST = {"person": 0.4, "country": 0.25, "organisation": 0.25}


MAX_NAME_WORDS = 4
NAME_PARTICLES = frozenset(
    {"de", "da", "do", "dos", "das", "del", "della", "di", "du", "van", "von", "der", "den", "bin", "ibn",
     "al", "el", "ag", "ould", "le", "la", "ben", "abu", "y"}
)  # fmt: skip
DATELINE_LINES = 3
DATELINE_RE = re.compile(
    r"(?<![\w.])(?P<place>[A-Z][A-Z'’.-]*(?:\s[A-Z][A-Z'’.-]*){0,3})"
    r"(?:,\s(?P<region>[A-Z][A-Za-z'’.-]*(?:\s[A-Z][A-Za-z'’.-]*){0,2}))?"
    r"(?=,?\s*(?:[-—–(]|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d))"
)
TOKEN_RE = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*\.?")
POSSESSIVE_RE = re.compile(r"['’]s?$")


# --- people ---------------------------------------------------------------------------------


@cache
def _people_trigger() -> re.Pattern[str]:
    """Any word that can introduce a person: lines without one are not searched for names."""
    titles, said_before, said_after, _ = _people_words()
    words = {*titles, *said_before, *said_after}
    return re.compile(r"(?<![\w])(?:" + "|".join(sorted(map(re.escape, words), key=len, reverse=True)) + r")")


@cache
def _people_words() -> tuple[
    dict[str, list[tuple[str, ...]]], frozenset[str], frozenset[str], frozenset[str]
]:
    data = read_toml(resources.files("search").joinpath("data/people.toml").read_text("utf-8"))
    titles: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    for title in dict.fromkeys([*data["titles"], *data["lowercase_titles"]]):
        words = tuple(title.split())
        titles[words[0]].append(words)
    for options in titles.values():
        options.sort(key=len, reverse=True)
    return (
        dict(titles),
        frozenset(data["said_before"]),
        frozenset(data["said_after"]),
        frozenset(data["not_names"]),
    )


def _is_name_word(token: str, not_names: frozenset[str]) -> bool:
    word = token.rstrip(".")
    if len(token) == 2 and token[1] == "." and token[0].isupper():
        return True  # a middle initial: "James A. Baker"
    return (
        word[:1].isupper()
        and any(c.islower() for c in word)
        and word not in not_names
        and word.split("-")[0] not in not_names
    )


def _name_after(tokens: list[str], start: int, not_names: frozenset[str]) -> list[str]:
    """The capitalised words of a name from tokens[start], particles allowed inside."""
    name: list[str] = []
    index = start
    while index < len(tokens) and len(name) < MAX_NAME_WORDS:
        token = tokens[index]
        possessive = POSSESSIVE_RE.sub("", token)
        if possessive != token and _is_name_word(possessive, not_names):
            name.append(possessive)
            break  # "Reagan's": the name ends here
        if _is_name_word(token, not_names):
            name.append(token.rstrip(".") if len(token) > 2 else token)
            if token.endswith(".") and len(token) > 2:
                break  # the sentence ends here
        elif token in NAME_PARTICLES and name and index + 1 < len(tokens):
            name.append(token)
        else:
            break
        index += 1
    while name and name[-1] in NAME_PARTICLES:
        name.pop()
    return name


def _name_before(tokens: list[str], end: int, not_names: frozenset[str], stops: Iterable[str]) -> list[str]:
    """The capitalised words of a name that ends just before tokens[end], back to a title word."""
    name: list[str] = []
    index = end - 1
    while index >= 0 and len(name) < MAX_NAME_WORDS:
        token = tokens[index].rstrip(",")
        if token in stops:
            break
        if (_is_name_word(token, not_names) and not token.endswith(".")) or (
            token in NAME_PARTICLES and name
        ):
            name.insert(0, token)
        else:
            break
        index -= 1
    while name and name[0] in NAME_PARTICLES:
        name.pop(0)
    return name


def _name_tokens(line: str) -> list[str]:
    """The words of a line; words apart by more than white space ("Cisse, Mali", "(@Handle") are cut
    apart by an empty word, so that no name runs across."""
    tokens: list[str] = []
    end = 0
    for match in TOKEN_RE.finditer(line):
        gap = line[end : match.start()]
        if tokens and gap.strip():
            tokens.append("")
        tokens.append(match.group())
        end = match.end()
    return tokens


@dataclass(frozen=True)
class Person:
    """A person found in a text: the lines that mention them, and whether a title introduced them."""

    lines: tuple[int, ...]
    titled: bool


def find_people(
    lines: Sequence[str], gazetteer: Gazetteer, mentions: Sequence[list[tuple[int, int, str]]] | None = None
) -> dict[str, Person]:
    """Full names of the people in a text, with the lines that mention each (surnames included).

    `mentions` are the gazetteer's mentions of each line, when the caller has them already.
    """
    titles, said_before, said_after, not_names = _people_words()
    trigger = _people_trigger()
    full_names: dict[str, str] = {}  # folded surname -> full name
    single: dict[str, str] = {}  # folded surname -> surname, for people only ever named by title + surname
    titled: set[str] = set()  # folded surnames of people introduced by a title
    for number, line in enumerate(lines):
        if not trigger.search(line):
            continue
        tokens = _name_tokens(line)
        line_mentions = mentions[number] if mentions is not None else gazetteer.mentions(line)
        known = [line[start:end] for start, end, _ in line_mentions]
        for index, token in enumerate(tokens):
            candidates: list[list[str]] = []
            head = token.split("-")[-1] if "-" in token else token
            for words in titles.get(head, []):
                if tuple(tokens[index : index + len(words)])[1:] == words[1:]:
                    name = _name_after(tokens, index + len(words), not_names)
                    candidates.append(name)
                    if name:
                        titled.add(fold(name[-1]))
                    break
            if token in said_before:
                name = _name_after(tokens, index + 1, not_names)
                candidates.append(name if len(name) >= 2 else [])
            if token.rstrip(",.") in said_after:
                name = _name_before(tokens, index, not_names, titles)
                candidates.append(name if len(name) >= 2 else [])
            if index + 1 < len(tokens) and f"{token} {tokens[index + 1]}" in said_before:
                name = _name_after(tokens, index + 2, not_names)
                candidates.append(name if len(name) >= 2 else [])
            for name in candidates:
                written = " ".join(name)
                if not name or gazetteer.resolve(written) or any(written in k for k in known):
                    continue  # "General Agreement on Tariffs and Trade" holds no General called Agreement
                surname = fold(name[-1])
                if len(name) >= 2:
                    full_names.setdefault(surname, " ".join(name))
                else:
                    single.setdefault(surname, name[0])
    single = {s: n for s, n in single.items() if s not in full_names}
    if single:
        # A lone word that the text also writes in lower case is a common noun, not a surname.
        lower_words = {m.group() for line in lines for m in TOKEN_RE.finditer(line) if m.group().islower()}
        single = {s: n for s, n in single.items() if n.lower() not in lower_words}
    people = {**single, **full_names}
    if not people:
        return {}
    found: dict[str, list[int]] = defaultdict(list)
    for number, line in enumerate(lines):
        for match in TOKEN_RE.finditer(fold(line)):
            full_name = people.get(POSSESSIVE_RE.sub("", match.group().rstrip(".")))
            if full_name:
                found[full_name].append(number)
    return {
        full_name: Person(tuple(numbers), fold(full_name.split()[-1]) in titled)
        for full_name, numbers in found.items()
    }


# --- which actors act in a story -------------------------------------------------------------


def dateline_countries(lines: Sequence[str], gazetteer: Gazetteer) -> list[str]:
    """The country of the place a story is datelined in ('STAMFORD, Conn., March 3 -' -> United States)."""
    for line in lines[:DATELINE_LINES]:
        for match in DATELINE_RE.finditer(line):
            # The region, when there is one, decides: "ALEXANDRIA, Va." is in the United States.
            for part in (match["region"], match["place"]):
                if not part:
                    continue
                key = fold(part.strip())
                actor_id = gazetteer.places.get(key) or gazetteer.names.get(key)
                if actor_id and gazetteer.actors[actor_id].type == "country":
                    return [actor_id]
    return []


@dataclass(frozen=True)
class ActorWeights:
    """How much each actor weighs in one story, and the people found in it by name."""

    weights: Mapping[str, float]
    people: Mapping[str, str]  # person id -> full name
    lines: int  # how many lines the story has, for the relief short stories get

    def acting_weight(self, actor_type: str) -> float:
        """The weight an actor of this type needs to act in this story."""
        need = ACTING_WEIGHT.get(actor_type, DEFAULT_ACTING_WEIGHT)
        return need - SHORT_STORY_RELIEF if self.lines <= SHORT_STORY_LINES else need


def weigh_actors(title: str, lines: Sequence[str], gazetteer: Gazetteer) -> ActorWeights:
    """Weigh every actor a story mentions by where it is mentioned."""
    weights: defaultdict[str, float] = defaultdict(float)
    body = [line for line in lines if line != title]
    for actor_id in dateline_countries(body, gazetteer):
        weights[actor_id] += DATELINE_WEIGHT
    mentions = [gazetteer.mentions(line) for line in (title, *body)]
    for actor_id in {actor_id for _, _, actor_id in mentions[0]}:
        weights[actor_id] += HEADLINE_WEIGHT
    for number, line_mentions in enumerate(mentions[1:]):
        for actor_id in {actor_id for _, _, actor_id in line_mentions}:  # once a line
            weights[actor_id] += LEAD_WEIGHT if number < LEAD_LINES else BODY_WEIGHT
    people: dict[str, str] = {}
    for name, person in find_people([title, *body], gazetteer, mentions).items():
        person_id = slug(name)
        people[person_id] = name
        for number in set(person.lines):
            weight = HEADLINE_WEIGHT if number == 0 else LEAD_WEIGHT if number <= LEAD_LINES else BODY_WEIGHT
            weights[person_id] += weight
        if person.titled:
            weights[person_id] += TITLE_BONUS
    return ActorWeights(dict(weights), people, len(body))


def acting_actors(title: str, lines: Sequence[str], gazetteer: Gazetteer) -> tuple[Actor, ...]:
    """The actors that act in a story, heaviest first."""
    weighed = weigh_actors(title, lines, gazetteer)
    actors = [
        gazetteer.actors.get(actor_id) or Actor(actor_id, weighed.people[actor_id], "person")
        for actor_id in weighed.weights
    ]
    acting = [actor for actor in actors if weighed.weights[actor.id] >= weighed.acting_weight(actor.type)]
    heaviest: dict[str, float] = defaultdict(float)
    for actor in acting:
        heaviest[actor.type] = max(heaviest[actor.type], weighed.weights[actor.id])
    acting = [
        actor
        for actor in acting
        if weighed.weights[actor.id] >= SHARE_OF_HEAVIEST.get(actor.type, 0.0) * heaviest[actor.type]
    ]
    return tuple(sorted(acting, key=lambda actor: (-weighed.weights[actor.id], actor.id)))
