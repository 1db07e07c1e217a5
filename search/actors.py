"""Who a story names: every person, organisation, country and other place, once each under one id,
with a weight for how central it is.

The trained tagger (tagging.py) finds the names; this module links them. A name the gazetteer knows
(an alias, an acronym, a demonym: "ECOWAS", "U.S.", "Malian troops") becomes the gazetteer's actor;
within a story, short forms join the full name ("Toure", "President Toure" -> Amadou Toumani Toure;
"EU" -> European Union; "Newmont" -> Newmont Mining Corp); any other person or organisation gets an
id made of its full name, so the same name in two stories is one actor. Places that are countries
become country actors, other places `location` actors. Gazetteer names the tagger missed (lower-case
mentions, "Department of State") still count for their actor; an institution that speaks for a country
("the State Department", "FBI") is an actor of its own and counts for the country too.

Each actor's weight adds up where it is named: the headline counts most, then the lead, then each
further line that names it. The main actors of a story are those that weigh enough for their type.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache

from .config import package_toml
from .gazetteer import (
    Gazetteer,
    acronym,
    fold,
    fold_name,
    is_acronym,
    person_id,
    slug,
)
from .models import Actor
from .tagging import Tagger, default_tagger, is_common_word

HEADLINE_WEIGHT = 3.0
LEAD_WEIGHT = 2.0
BODY_WEIGHT = 1.0
LEAD_LINES = 2
# The weight each type needs to be a main actor; a short story (SHORT_STORY_LINES body lines or fewer)
# needs SHORT_STORY_RELIEF less; and a main actor weighs at least a share of its type's heaviest.
# Chosen on Reuters-21578's TRAIN split, whose topic labels say what a story is about (bench/metadata.py).
MAIN_WEIGHT = {"country": 3.0, "person": 2.0}
DEFAULT_MAIN_WEIGHT = 2.0
SHORT_STORY_LINES = 8
SHORT_STORY_RELIEF = 1.0
SHARE_OF_HEAVIEST = {"person": 0.4, "country": 0.25, "organisation": 0.25}

CALENDAR_WORDS = frozenset(
    {*calendar.month_name[1:], *calendar.month_abbr[1:], *calendar.day_name, *calendar.day_abbr, "Sept"}
)
DATELINE_LINES = 3
DATELINE_RE = re.compile(
    r"(?<![\w.])(?P<place>[A-Z][A-Z'’.-]*(?:\s[A-Z][A-Z'’.-]*){0,3})"
    r"(?:,\s(?P<region>[A-Z][A-Za-z'’.-]*(?:\s[A-Z][A-Za-z'’.-]*){0,2}))?"
    r"(?=,?\s*(?:[-—–(]|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d))"
)
POSSESSIVE_RE = re.compile(r"\s*['’]s?$")
COMPANY_WORDS = frozenset({"corp", "co", "inc", "ltd", "plc", "llc", "ag", "sa", "nv", "group", "holdings"})
KIND_TYPES = {"PER": "person", "ORG": "organisation", "LOC": "location"}


@cache
def _people_words() -> tuple[frozenset[str], frozenset[str]]:
    """Titles that come before a name ("Rep.", "President") and words that are never a person."""
    data = package_toml("people.toml")
    titles = {
        word.rstrip(".") for title in (*data["titles"], *data["lowercase_titles"]) for word in title.split()
    }
    return frozenset(titles), frozenset(data["not_names"])


@cache
def _regions() -> dict[str, str]:
    """Regions that share a country's name, folded, with the ISO code of the country they are in."""
    return {fold(name): iso for name, iso in package_toml("regions.toml")["regions"].items()}


@dataclass(frozen=True)
class Mention:
    """One naming of an actor: the line it is in, how it is written, and what it is."""

    line: int
    text: str
    type: str  # person, organisation, location, or a gazetteer actor's type
    actor_id: str = ""  # the gazetteer's id when the gazetteer knows the name


def _person_name(text: str) -> str:
    """A person's name as tagged, without a possessive or the titles before it ("Rep. Jim Jordan's")."""
    titles, not_names = _people_words()
    words = POSSESSIVE_RE.sub("", text).split()
    while words and (words[0].rstrip(".") in titles or words[0] in not_names):
        words.pop(0)
    if not words or all(len(w.rstrip(".")) <= 1 for w in words):  # initials alone ("J.")
        return ""
    if len(words) == 1 and words[0].rstrip(".") in not_names:
        return ""
    name = " ".join(words)
    return name.title() if name.isupper() and len(name) > 3 else name


def _whole_match(text: str, gazetteer: Gazetteer) -> str:
    """The gazetteer actor that the whole of `text` names (by name, alias, demonym or office), or ''."""
    return gazetteer.named(text) or gazetteer.named(text.rstrip(".")) or gazetteer.resolve(text) or ""


def _trimmed(text: str) -> str:
    """A tagged name without what cannot end or begin one: a possessive, a date after it ("D.C. Mar"),
    an article before it ("The African Union")."""
    words = POSSESSIVE_RE.sub("", text).split()
    while words and words[-1].rstrip(".,") in CALENDAR_WORDS:
        words.pop()
    while words and words[0] in ("The", "the", "THE"):
        words.pop(0)
    return " ".join(words)


def _mention(number: int, text: str, kind: str, gazetteer: Gazetteer) -> Mention | None:
    """What one tagged name is: a gazetteer actor, a person, an organisation or a place; nothing when
    it is one common word the gazetteer does not know ("Democracy must be restored", "POLICY STATEMENT")."""
    if " " not in text.strip() and is_common_word(text.strip(".")) and not gazetteer.named(text):
        return None
    if kind == "PER":
        name = _person_name(text)
        known = gazetteer.resolve(name) if name else None
        if known and gazetteer.actors[known].type in ("person", ""):
            return Mention(number, name, "person", known)
        return Mention(number, name, "person") if name else None
    text = _trimmed(text)
    if "." in text and fold_name(text) in gazetteer.places:
        return Mention(number, text, "location")  # a place's abbreviation: "D.C.", "Conn."
    # A name tagged as an organisation is that organisation, not a country: see _offices_speak_for.
    if not text:
        return None
    known = (gazetteer.resolve(text) or "") if kind == "ORG" else _whole_match(text, gazetteer)
    if known and not (kind == "LOC" and fold_name(text) in _regions()):
        return Mention(number, text, gazetteer.actors[known].type, known)
    return Mention(number, text, KIND_TYPES[kind]) if kind in KIND_TYPES else None


def find_mentions(lines: Sequence[str], gazetteer: Gazetteer, tagger: Tagger) -> list[Mention]:
    """Every naming of an actor in a story's lines (headline first): the tagger's names, linked to the
    gazetteer where it knows them, and the gazetteer's own finds where the tagger saw none or other
    bounds ("Economic Community of West African States" over the tagger's "Economic Community of West";
    "Department of State" over "State WASHINGTON"). A name the tagger finds inside a longer one is its
    own ("Jordan" in "Jim Jordan")."""
    mentions: list[Mention] = []
    tagged, named = tagger.tag_lines(lines), gazetteer.mentions_in_lines(lines)
    for number, (line, spans, known) in enumerate(zip(lines, tagged, named, strict=True)):
        spans = [
            span for span in spans
            if not any(start < span.end and span.start < end and not (span.start <= start and end <= span.end)
                       for start, end, _ in known)
        ]  # fmt: skip
        for span in spans:
            if "@" in line[max(span.start - 1, 0) : span.start + 1]:
                continue  # a handle (@UNGeneva) names an account
            dotted = line[span.end : span.end + 1] == "." and "." in line[span.start : span.end]  # "U.S."
            found = _mention(number, line[span.start : span.end + dotted], span.kind, gazetteer)
            if found is not None:
                mentions.append(found)
        for start, end, actor_id in known:
            if not any(span.start < end and start < span.end for span in spans):
                mentions.append(Mention(number, line[start:end], gazetteer.actors[actor_id].type, actor_id))
    return _settle_regions(_offices_speak_for(mentions, gazetteer), gazetteer)


def _offices_speak_for(mentions: list[Mention], gazetteer: Gazetteer) -> list[Mention]:
    """An institution that speaks for a country ("White House", "FBI", "the Pentagon") is an actor of
    its own, and its words count for the country too: however the tagger read it (the CoNLL-2003
    annotators make "White House" a place) and whether or not the tagger saw it. Read as the country alone,
    `--actor "White House"` found 11 of the 7,317 articles of the scale folder that write it."""
    spoken: list[Mention] = []
    for mention in mentions:
        country = gazetteer.offices.get(fold_name(mention.text))
        if country is None:
            spoken.append(mention)
            continue
        spoken.append(Mention(mention.line, mention.text, "organisation"))
        spoken.append(Mention(mention.line, mention.text, gazetteer.actors[country].type, country))
    return spoken


def dateline_country(lines: Sequence[str], gazetteer: Gazetteer) -> Mention | None:
    """The country of the place a story is filed from ("STAMFORD, Conn., March 3 -": the United
    States), a mention in the dateline's line: the dateline names where the story happens."""
    for number, line in enumerate(lines[:DATELINE_LINES]):
        for match in DATELINE_RE.finditer(line):
            # The region, when there is one, decides: "ALEXANDRIA, Va." is in the United States.
            for part in (match["region"], match["place"]):
                key = fold(part.strip()) if part else ""
                actor_id = gazetteer.places.get(key) or gazetteer.names.get(key)
                if actor_id and gazetteer.actors[actor_id].type == "country":
                    return Mention(number, part, "country", actor_id)
    return None


def _settle_regions(mentions: list[Mention], gazetteer: Gazetteer) -> list[Mention]:
    """A place named like a country and like a region of another country (Georgia) is the region when
    the story names the region's country and not the other by any other word (its demonym, capital)."""
    regions = _regions()
    named = {m.actor_id for m in mentions if m.actor_id}
    settled = []
    for mention in mentions:
        iso = regions.get(fold_name(mention.text))
        country = gazetteer.resolve(mention.text) if iso and mention.type == "location" else None
        if country and (gazetteer.by_iso.get(iso or "") not in named or country in named):
            mention = replace(mention, type=gazetteer.actors[country].type, actor_id=country)
        settled.append(mention)
    return settled


def _org_words(name: str) -> list[str]:
    return [w for w in re.findall(r"[^\W_]+", fold_name(name)) if w not in COMPANY_WORDS]


def _longer_forms(names: set[str]) -> dict[str, str]:
    """Each short form's longest full form among a story's names: "EU" -> "European Union" (its
    acronym), "Newmont" -> "Newmont Mining Corp" (its first words)."""
    by_acronym: dict[str, str] = {}
    by_first_word: dict[str, list[tuple[list[str], str]]] = defaultdict(list)
    words_of = {name: _org_words(name) for name in names}
    for name in sorted(names, key=lambda t: (-len(t.split()), t)):
        by_acronym.setdefault(acronym(name), name)
        if words_of[name]:
            by_first_word[words_of[name][0]].append((words_of[name], name))
    found = {}
    for name in names:
        long = by_acronym.get(name.replace(".", "")) if is_acronym(name) else None
        if long is None:
            words = words_of[name]
            long = next(
                (full for full_words, full in by_first_word.get(words[0] if words else "", [])
                 if full_words[: len(words)] == words),
                None,
            )  # fmt: skip
        if long is not None and long != name:
            found[name] = long
    return found


def _people(mentions: list[Mention]) -> dict[str, str]:
    """Each way a story writes a person -> the key of the person: a full name is who it says (initials
    aside; the gazetteer's id when it knows the name); a surname alone, or a shorter form of a full name
    ("Amadou Toure"), joins the full name it is part of, the most named when there are several."""
    named = Counter(person_id(m.text) for m in mentions)
    known = {person_id(m.text): m.actor_id for m in mentions if m.actor_id}
    by_surname: dict[str, list[str]] = defaultdict(list)
    for key in sorted(named, key=lambda k: (-named[k], k)):
        by_surname[key.rsplit("-", 1)[-1]].append(key)
    people = {}
    for mention in mentions:
        key = person_id(mention.text)
        parts = key.split("-")
        longer = [
            full for full in by_surname.get(parts[-1], [])
            if len(full.split("-")) > len(parts) and set(parts) <= set(full.split("-"))
        ]  # fmt: skip
        key = longer[0] if longer else key
        people[mention.text] = mention.actor_id or known.get(key) or "person:" + key
    return people


def _agree_on_kinds(mentions: list[Mention]) -> list[Mention]:
    """One name, one kind within a story: a name the tagger read as a person in one line and as an
    organisation in two is an organisation everywhere, and a lone word that is the surname of a person
    the story names in full is that person (the tagger decides line by line)."""
    surnames = {
        fold_name(m.text.split()[-1])
        for m in mentions
        if m.type == "person" and not m.actor_id and " " in m.text
    }
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for mention in mentions:
        if not mention.actor_id:
            votes[fold_name(mention.text)][mention.type] += 1
    agreed = []
    for mention in mentions:
        if not mention.actor_id:
            key = fold_name(mention.text)
            kind = "person" if " " not in key and key in surnames else votes[key].most_common(1)[0][0]
            mention = mention if kind == mention.type else replace(mention, type=kind)
        agreed.append(mention)
    return agreed


def _group(mentions: list[Mention]) -> dict[str, list[Mention]]:
    """The mentions of each actor of a story: gazetteer actors by id, people by who they are (_people),
    organisations and places by their longest form (_longer_forms)."""
    people = _people([m for m in mentions if m.type == "person"])
    others = [m for m in mentions if not m.actor_id and m.type != "person"]
    longer = _longer_forms({m.text for m in others})
    kind_of = {m.text: m.type for m in others}  # a short form takes its full name's kind
    groups: dict[str, list[Mention]] = defaultdict(list)
    for mention in mentions:
        if mention.type == "person":
            key = people[mention.text]
        elif mention.actor_id:
            key = mention.actor_id
        else:
            full = longer.get(mention.text, mention.text)
            mention = replace(mention, type=kind_of[full]) if kind_of[full] != mention.type else mention
            key = f"{mention.type}:{slug(full)}"
        groups[key].append(mention)
    return groups


def _weight(lines: set[int]) -> float:
    return sum(
        HEADLINE_WEIGHT if line == 0 else LEAD_WEIGHT if line <= LEAD_LINES else BODY_WEIGHT for line in lines
    )


def _actor_of(group: list[Mention], gazetteer: Gazetteer) -> Actor:
    """The actor a story's mentions name: the gazetteer's, else one named by its longest form with an id
    made of it; either as the user's entries have it (gazetteer.canonical: merged, renamed, typed)."""
    kind = group[0].type
    longest = max((m.text for m in group), key=lambda t: (len(t.split()), len(t)))
    known = next((m.actor_id for m in group if m.actor_id), "")
    if kind == "location" and not known:
        # A place the gazetteer did not take is no gazetteer actor, even by name: Georgia, the US state.
        place_id = slug(longest)
        if (taken := gazetteer.actors.get(place_id)) and taken.type:
            place_id += "-place"
        return gazetteer.canonical(Actor(place_id, longest, kind))
    return actor_named(longest, kind, gazetteer, known)


def actor_named(name: str, kind: str, gazetteer: Gazetteer, known: str = "") -> Actor:
    """The actor a name of this kind stands for: the gazetteer's (`known`, else by the name), else one
    with an id made of the name; as the user's entries have it (gazetteer.canonical: merged, renamed,
    typed)."""
    known = known or gazetteer.resolve(name) or ""
    derived = known or (person_id(name) if kind == "person" else slug(name))
    return gazetteer.canonical(Actor(derived, name, kind))


def find_actors(
    title: str, lines: Sequence[str], gazetteer: Gazetteer, tagger: Tagger | None = None
) -> tuple[Actor, ...]:
    """Every actor a story names, heaviest first, each with its weight and whether it is a main actor."""
    body = [line for line in lines if line != title]
    mentions = find_mentions([title, *body], gazetteer, tagger or default_tagger())
    dateline = dateline_country([title, *body], gazetteer)
    if dateline is not None:
        mentions.append(dateline)
    named: dict[str, Actor] = {}
    lines_of: dict[str, set[int]] = defaultdict(set)  # two groups may be one actor (a user's merge)
    for group in _group(_agree_on_kinds(mentions)).values():
        actor = _actor_of(group, gazetteer)
        if actor.id and not gazetteer.is_not_an_actor(actor):
            named.setdefault(actor.id, actor)
            lines_of[actor.id].update(m.line for m in group)
    weighed = {actor_id: (actor, _weight(lines_of[actor_id])) for actor_id, actor in named.items()}
    heaviest: dict[str, float] = defaultdict(float)
    for actor, weight in weighed.values():
        heaviest[actor.type] = max(heaviest[actor.type], weight)
    relief = SHORT_STORY_RELIEF if len(body) <= SHORT_STORY_LINES else 0.0
    actors = [
        replace(
            actor,
            weight=weight,
            main=weight >= MAIN_WEIGHT.get(actor.type, DEFAULT_MAIN_WEIGHT) - relief
            and weight >= SHARE_OF_HEAVIEST.get(actor.type, 0.0) * heaviest[actor.type],
        )
        for actor, weight in weighed.values()
    ]
    return tuple(sorted(actors, key=lambda a: (-a.weight, a.type == "location", a.id)))


def name_type(name: str, tagger: Tagger | None = None) -> str:
    """The type of actor a name given alone reads as (a sidecar's actors): what the tagger makes of its
    longest name, else a person for up to three words and an organisation for more."""
    spans = [span for span in (tagger or default_tagger()).tag_lines([name])[0] if span.kind in KIND_TYPES]
    if spans:
        return KIND_TYPES[max(spans, key=lambda span: span.end - span.start).kind]
    return "person" if len(name.split()) <= 3 else "organisation"
