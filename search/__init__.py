"""Full-text search for a folder of news articles: index it, then query it from Python or the CLI.

from search import index_corpus, open_index
index_corpus(Path("corpus"), Path("index"))
results = open_index("index").search("coup Mali", limit=5)
"""

from .config import Settings, load_settings
from .errors import (
    BadInputError,
    CorpusNotFoundError,
    DocumentNotFoundError,
    IndexDamagedError,
    IndexLockedError,
    IndexNeedsRebuildError,
    IndexNotFoundError,
    QueryError,
    SearchError,
)
from .indexing import add_document, create_index, delete_document, index_corpus
from .models import Actor, Document, FacetCount, Fragment, Hit, IndexReport, IndexStats, Results, SkippedFile
from .searching import SearchIndex, open_index

__all__ = [
    "Actor",
    "BadInputError",
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
    "IndexReport",
    "IndexStats",
    "QueryError",
    "Results",
    "SearchError",
    "SearchIndex",
    "Settings",
    "SkippedFile",
    "add_document",
    "create_index",
    "delete_document",
    "index_corpus",
    "load_settings",
    "open_index",
]
