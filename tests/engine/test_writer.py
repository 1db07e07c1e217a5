"""Writing: the write lock, and a failed run leaving the previous index searchable."""

from __future__ import annotations

from pathlib import Path

import pytest
import whoosh.index

from search import engine
from search.errors import (
    IndexLockedError,
)
from search.models import Document

from .conftest import (
    DOCS,
    build,
    write,
)


def test_a_held_write_lock_gives_index_locked(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    build(index_dir)
    other_writer = whoosh.index.open_dir(str(index_dir)).writer()
    try:
        with pytest.raises(IndexLockedError, match="locked by another indexing run"):
            write(index_dir, DOCS)
    finally:
        other_writer.cancel()
    assert build(index_dir).document_count() == 2


def test_a_failed_run_leaves_the_previous_index_searchable(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    build(index_dir)

    def failing_documents():  # type: ignore[no-untyped-def]
        yield Document(id="c.txt", title="New", body="new text")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        write(index_dir, failing_documents())
    index = engine.EngineIndex(index_dir)
    assert index.document_count() == 2
    assert index.search(engine.SearchRequest("coup", limit=5)).hits[0].id == "a.txt"
