"""Open an index and query it: the entry point for apps and for the CLI."""

from __future__ import annotations

from pathlib import Path

from .engine import EngineIndex
from .errors import BadInputError, QueryError
from .models import Results

MAX_LIMIT = 10_000


class SearchIndex:
    """A search index opened for reading."""

    def __init__(self, index_dir: Path) -> None:
        self._engine = EngineIndex(Path(index_dir))

    @property
    def index_dir(self) -> Path:
        """The folder the index lives in."""
        return self._engine.index_dir

    @property
    def corpus_root(self) -> str | None:
        """The corpus folder the index was last built from."""
        return self._engine.corpus_root

    def __len__(self) -> int:
        return self._engine.document_count()

    def search(self, query: str, *, limit: int = 10, offset: int = 0) -> Results:
        """Rank the documents matching `query`; words are ORed, documents holding all rank first."""
        if not query or not query.strip():
            raise QueryError("empty query: give at least one word to search for")
        if not 1 <= limit <= MAX_LIMIT:
            raise BadInputError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
        if offset < 0:
            raise BadInputError(f"offset must be 0 or more, not {offset}")
        return self._engine.search(query.strip(), limit=limit, offset=offset)


def open_index(index_dir: Path | str) -> SearchIndex:
    """Open the index in index_dir for searching; raises IndexNotFoundError if there is none."""
    return SearchIndex(Path(index_dir))
