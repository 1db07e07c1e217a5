"""The library's own exceptions: the CLI turns each into a one-line message and exit code 2."""

from __future__ import annotations


class SearchError(Exception):
    """Base class of every error the library raises on purpose."""


class IndexNotFoundError(SearchError):
    """There is no index at the given folder yet."""


class IndexLockedError(SearchError):
    """Another process holds the index's write lock."""


class IndexDamagedError(SearchError):
    """The index folder exists but cannot be read as one of our indexes."""


class IndexNotWritableError(SearchError):
    """The index folder cannot be written: read-only, not a folder, or no space left on its device.
    What the failed run wrote is removed; the index keeps its last commit."""


class NotAnIndexError(IndexDamagedError):
    """The folder holds files that are not one of our indexes: nothing is ever written there."""


class IndexNeedsRebuildError(SearchError):
    """The index was written by an incompatible version, or cleaned otherwise, and must be rebuilt."""

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason or message  # why, without the remedy


class CorpusNotFoundError(SearchError):
    """The corpus folder does not exist or is not a folder."""


class QueryError(SearchError):
    """The query cannot be understood."""


class BadInputError(SearchError):
    """An argument or a file the user gave is not usable."""


class AmbiguousDocumentError(BadInputError):
    """An id names a document in more than one of several indexes searched together (each folder's
    ids are its files' paths within it): it must be looked up in one of them."""


class MassRemovalError(SearchError):
    """An update would remove most of the index's documents (a corpus folder emptied, a drive not
    mounted), and was not allowed to."""


class DocumentNotFoundError(SearchError):
    """The index holds no document with the given id."""


class AlertNotFoundError(DocumentNotFoundError):
    """No saved search has the name asked for (a kind of DocumentNotFoundError: a 404 over HTTP)."""
