"""Documents an app adds to an index and removes, beside the corpus's files (no file behind them):
checked ids, the index's own cleaning and gazetteer, and every file's document left alone."""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import date as date_type
from datetime import datetime
from pathlib import Path

from . import engine
from .cleaning import clean_plain_text
from .config import Settings
from .dates import parse_given_date
from .decoding import without_controls
from .errors import (
    BadInputError,
    DocumentNotFoundError,
    IndexNotFoundError,
)
from .gazetteer import load_gazetteer
from .indexing import cleaner_state
from .metadata import MetadataOptions, make_document
from .models import (
    MAX_ID_CHARS,
    Document,
    GivenMetadata,
    IndexManifest,
    SkippedFile,
    SourceFile,
)

log = logging.getLogger(__name__)


def create_index(index_dir: Path | str, *, lock_timeout: float = Settings.lock_timeout) -> None:
    """Make an empty index, for an app that adds its documents itself rather than from a folder."""
    index_dir = Path(index_dir)
    with contextlib.suppress(IndexNotFoundError):
        engine.read_manifest(index_dir)
        raise BadInputError(f"an index already exists at {index_dir}")
    options = MetadataOptions(load_gazetteer())
    with engine.writing(index_dir, None, lock_timeout, rebuild=True) as build:
        build.record_cleaning(cleaner_state(frozenset(), options, []))


def _checked_id(document_id: str) -> str:
    if not isinstance(document_id, str) or not document_id.strip():
        raise BadInputError("a document id must be a non-empty string")
    if len(document_id) > MAX_ID_CHARS or any(ord(c) < 32 for c in document_id):
        raise BadInputError(f"a document id has at most {MAX_ID_CHARS} characters and no control characters")
    return document_id


def add_document(
    index_dir: Path | str,
    document_id: str,
    title: str,
    text: str,
    *,
    date: date_type | datetime | str | None = None,
    actors: Iterable[str] | None = None,
    source: str = "",
    url: str = "",
    type: str = "",
    lock_timeout: float = Settings.lock_timeout,
) -> Document:
    """Add (or replace) a document that is not a file: an app's own article, kept by every later run.

    The text is cleaned and read as a .txt file's would be; a date or actors given win over what
    is found (actors by any alias; names not in the gazetteer become people); so does a type
    ("statement"). Returns what was stored.
    """
    index_dir, document_id = Path(index_dir), _checked_id(document_id)
    if not isinstance(text, str) or not isinstance(title, str) or not text.strip():
        raise BadInputError("a document needs its text (and its title, which may be empty) as strings")
    given_date = None
    if date is not None:
        given_date = date.isoformat() if isinstance(date, (date_type, datetime)) else str(date)
        if parse_given_date(given_date) is None:
            raise BadInputError(
                f"cannot read the date {given_date!r}: use ISO 8601 from 1900 to today, such as 2012-03-23"
            )
    manifest = engine.read_manifest(index_dir)
    options = MetadataOptions(load_gazetteer(Path(f) for f in manifest.cleaner.actors_files))
    content = without_controls(f"{title}\n{text}" if title.strip() else text)
    given = GivenMetadata(
        title=title.strip() or None,
        date=given_date,
        actors=None if actors is None else tuple(actors),
        source=source or None,
        url=url or None,
        type=type or None,
        given_by="app",
    )
    digest = hashlib.sha256(content.encode("utf-8")).hexdigest()
    source_text = SourceFile(document_id, content, 0, 0.0, digest, is_html=False, given=given)
    made, _ = make_document(source_text, clean_plain_text(content), options)
    if isinstance(made, SkippedFile):
        raise BadInputError(f"document {document_id!r} has no text left after cleaning")
    document = replace(made, path="")  # not a file
    with _writing_app_document(
        index_dir, manifest, document_id, lock_timeout, "edit the file instead"
    ) as build:
        build.record_aliases(options.gazetteer.names_now())
        build.add(document, None)
    return document


def delete_document(
    index_dir: Path | str, document_id: str, *, lock_timeout: float = Settings.lock_timeout
) -> None:
    """Remove a document an app added; a file's document goes when its file is deleted."""
    index_dir = Path(index_dir)
    manifest = engine.read_manifest(index_dir)
    remedy = "delete the file, then reindex"
    with _writing_app_document(index_dir, manifest, document_id, lock_timeout, remedy) as build:
        if document_id not in build.catalog:
            raise DocumentNotFoundError(f"no document {document_id!r} added to the index at {index_dir}")
        build.delete(document_id)


@contextlib.contextmanager
def _writing_app_document(
    index_dir: Path, manifest: IndexManifest, document_id: str, lock_timeout: float, remedy: str
) -> Iterator[engine.IndexBuild]:
    """An update run for one document of an app's, keeping the index's cleaning state; never a file's."""
    root = manifest.corpus_root
    with engine.writing(index_dir, Path(root) if root else None, lock_timeout, rebuild=False) as build:
        build.record_cleaning(manifest.cleaner)
        before = build.catalog.get(document_id)
        if before is not None and before.is_file:
            raise BadInputError(f"{document_id!r} is a file of the corpus: {remedy}")
        yield build
