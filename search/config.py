"""Settings in one place: package defaults, then one user file, then environment variables.

Command-line flags, applied by the CLI, override all three.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import BadInputError
from .locations import DEFAULT_CORPUS_DIR, DEFAULT_INDEX_DIR, ENV_VARIABLES, user_config_path
from .models import COPY_THRESHOLD, Ranking

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

TOMLDecodeError = tomllib.TOMLDecodeError


def read_toml(text: str) -> dict[str, Any]:
    """A TOML document's tables (tomllib on Python 3.11+, its backport tomli before)."""
    return tomllib.loads(text)


@lru_cache(maxsize=8)
def read_data_toml(text: str) -> dict[str, Any]:
    """read_toml() of a data file of ours, once a process: the gazetteer, the tagger's word lists and
    the linking rules read the same files (actors.toml, places.toml: 0.13 s a parse). Read only."""
    return read_toml(text)


@cache
def package_text(name: str) -> str:
    """A text file of search/data."""
    return resources.files("search").joinpath("data", name).read_text("utf-8")


def package_toml(name: str) -> dict[str, Any]:
    """A TOML file of search/data (actors.toml, places.toml, people.toml, regions.toml), parsed once a
    process. Read only: a caller copies what it changes."""
    return read_data_toml(package_text(name))


@dataclass(frozen=True)
class Settings:
    """Where the index and the corpus live, the limits indexing works within, and how results rank."""

    index_dir: Path = Path(DEFAULT_INDEX_DIR)
    corpus_dir: Path = Path(DEFAULT_CORPUS_DIR)
    lock_timeout: float = 5.0
    max_file_bytes: int = 20 * 1024 * 1024
    request_timeout: float = 10.0  # seconds `search serve` gives a request before answering 503
    copy_threshold: float = COPY_THRESHOLD  # resemblance from which documents are copies of one story
    ranking: Ranking = field(default_factory=Ranking)  # the config file's [ranking] table


# The bounds of each number a user may set: (lowest, highest), inclusive.
BOUNDS: dict[str, tuple[float, float]] = {
    "lock_timeout": (0.0, 86_400.0),
    "max_file_bytes": (1, 2**40),
    "request_timeout": (0.1, 3_600.0),
    "copy_threshold": (0.5, 1.0),
}
RANKING_BOUNDS: dict[str, tuple[float, float]] = {
    "k1": (0.0, 10.0),
    "b": (0.0, 1.0),
    "title_b": (0.0, 1.0),
    "title_weight": (0.0, 100.0),
    "all_words_bonus": (0.0, 100.0),
    "all_words_max": (2, 1_000),
    "feedback_documents": (1, 1_000),
    "feedback_terms": (1, 1_000),
    "feedback_weight": (0.0, 100.0),
    "rerank_depth": (1, 10_000),
}
TRUE_WORDS, FALSE_WORDS = ("true", "yes", "on", "1"), ("false", "no", "off", "0")


def _coerce(
    name: str, value: object, kind: str, bounds: Mapping[str, tuple[float, float]], source: str
) -> Any:
    """Turn a raw value from a file or the environment into the setting's type, within its bounds."""
    if kind == "bool":
        word = str(value).strip().lower()
        if isinstance(value, bool) or word in TRUE_WORDS + FALSE_WORDS:
            return value if isinstance(value, bool) else word in TRUE_WORDS
        raise BadInputError(f"{source}: {name} = {value!r} is not true or false")
    try:
        if kind == "Path":
            return Path(str(value)).expanduser()
        if isinstance(value, bool):  # TOML's true is no number
            raise TypeError
        number = float(value) if kind == "float" else int(value)  # type: ignore[call-overload, arg-type]
    except (TypeError, ValueError, OverflowError):
        raise BadInputError(f"{source}: {name} = {value!r} is not a valid {kind}") from None
    if kind == "int" and isinstance(value, float) and value != number:
        raise BadInputError(f"{source}: {name} = {value!r} is not a whole number")
    low, high = bounds[name]
    if not low <= number <= high:  # also refuses nan, which compares false
        raise BadInputError(f"{source}: {name} = {value!r} is out of bounds ({low:g} to {high:g})")
    return number


def with_ranking(ranking: Ranking, values: Mapping[str, object], source: str) -> Ranking:
    """ranking with the given parameters changed, each checked and turned into its type: how the config
    file's [ranking] table is read, and how bench/relevance.py varies the ranking."""
    kinds = {f.name: str(f.type) for f in fields(Ranking)}
    unknown = sorted(set(values) - set(kinds))
    if unknown:
        raise BadInputError(f"{source}: unknown ranking parameter {unknown[0]!r}: use {', '.join(kinds)}")
    changes = {
        name: _coerce(name, value, kinds[name], RANKING_BOUNDS, source) for name, value in values.items()
    }
    return replace(ranking, **changes)


def load_settings(env: Mapping[str, str] = os.environ) -> Settings:
    """Read the settings: defaults, overridden by the user file, overridden by the environment."""
    settings = Settings()
    kinds = {f.name: str(f.type) for f in fields(Settings)}
    path = Path(user_config_path(env))
    if path.is_file():
        source = f"config file {path}"
        try:
            data = read_toml(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, TOMLDecodeError) as error:
            raise BadInputError(f"{source}: {error}") from None
        unknown = sorted(set(data) - set(kinds))
        if unknown:
            raise BadInputError(f"{source}: unknown setting {unknown[0]!r}")
        ranking = data.pop("ranking", {})
        if not isinstance(ranking, dict):
            raise BadInputError(f"{source}: ranking is a table of parameters ([ranking]), not {ranking!r}")
        settings = replace(
            settings,
            ranking=with_ranking(settings.ranking, ranking, f"{source} [ranking]"),
            **{k: _coerce(k, v, kinds[k], BOUNDS, source) for k, v in data.items()},
        )
    overrides = {
        name: _coerce(name, env[var], kinds[name], BOUNDS, f"environment variable {var}")
        for name, var in ENV_VARIABLES.items()
        if env.get(var)
    }
    return replace(settings, **overrides)
