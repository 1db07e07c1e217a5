"""Full-text search for a folder of news articles: index it, then query it from Python or the CLI.

from search import index_corpus, open_index
index_corpus(Path("corpus"), Path("index"))
results = open_index("index").search("coup Mali", limit=5)
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # typing takes ~5 ms to import, before a query sent whole (search.client)
if TYPE_CHECKING:
    from typing import Any

    from .config import Settings, load_settings
    from .documents import add_document, create_index, delete_document
    from .errors import (
        AlertNotFoundError,
        AmbiguousDocumentError,
        BadInputError,
        CorpusNotFoundError,
        DocumentNotFoundError,
        IndexDamagedError,
        IndexLockedError,
        IndexNeedsRebuildError,
        IndexNotFoundError,
        IndexNotWritableError,
        MassRemovalError,
        NotAnIndexError,
        QueryError,
        SearchError,
    )
    from .indexing import index_corpus
    from .models import (
        Actor,
        Alert,
        AlertStatus,
        Association,
        Associations,
        BatchQuery,
        BatchResult,
        Copy,
        Document,
        FacetCount,
        Fragment,
        Hit,
        IndexReport,
        IndexStats,
        Network,
        NetworkEdge,
        NetworkNode,
        Ranking,
        Results,
        SkippedFile,
        Timeline,
        TimelineSeries,
        UnknownActor,
        UnknownSource,
    )
    from .searching import SearchIndex, open_index, read_batch

# Loaded on first use: `search query` answered by a resident process imports none of them
# (search.client), and one run here does not import the cleaning and indexing stages.
_LAZY = {
    "AlertNotFoundError": "errors",
    "AmbiguousDocumentError": "errors",
    "BadInputError": "errors",
    "CorpusNotFoundError": "errors",
    "DocumentNotFoundError": "errors",
    "IndexDamagedError": "errors",
    "IndexLockedError": "errors",
    "IndexNeedsRebuildError": "errors",
    "IndexNotFoundError": "errors",
    "IndexNotWritableError": "errors",
    "MassRemovalError": "errors",
    "NotAnIndexError": "errors",
    "QueryError": "errors",
    "SearchError": "errors",
    "Actor": "models",
    "Alert": "models",
    "AlertStatus": "models",
    "Association": "models",
    "Associations": "models",
    "BatchQuery": "models",
    "BatchResult": "models",
    "Copy": "models",
    "Document": "models",
    "FacetCount": "models",
    "Fragment": "models",
    "Hit": "models",
    "IndexReport": "models",
    "IndexStats": "models",
    "Network": "models",
    "NetworkEdge": "models",
    "NetworkNode": "models",
    "Ranking": "models",
    "Results": "models",
    "SkippedFile": "models",
    "Timeline": "models",
    "TimelineSeries": "models",
    "UnknownActor": "models",
    "UnknownSource": "models",
    "Settings": "config", "load_settings": "config",
    "add_document": "documents", "create_index": "documents", "delete_document": "documents",
    "index_corpus": "indexing", "SearchIndex": "searching", "open_index": "searching",
    "read_batch": "searching",
}  # fmt: skip


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Actor",
    "Alert",
    "AlertNotFoundError",
    "AlertStatus",
    "AmbiguousDocumentError",
    "Association",
    "Associations",
    "BadInputError",
    "BatchQuery",
    "BatchResult",
    "Copy",
    "CorpusNotFoundError",
    "Document",
    "DocumentNotFoundError",
    "FacetCount",
    "Fragment",
    "Hit",
    "IndexDamagedError",
    "IndexLockedError",
    "IndexNeedsRebuildError",
    "IndexNotFoundError",
    "IndexNotWritableError",
    "IndexReport",
    "IndexStats",
    "MassRemovalError",
    "Network",
    "NetworkEdge",
    "NetworkNode",
    "NotAnIndexError",
    "QueryError",
    "Ranking",
    "Results",
    "SearchError",
    "SearchIndex",
    "Settings",
    "SkippedFile",
    "Timeline",
    "TimelineSeries",
    "UnknownActor",
    "UnknownSource",
    "add_document",
    "create_index",
    "delete_document",
    "index_corpus",
    "load_settings",
    "open_index",
    "read_batch",
]
