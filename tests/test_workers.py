from __future__ import annotations

import gc
from typing import Any

from search.workers import _in_order


def _answer_frozen_objects(inbox: Any, outbox: Any) -> None:
    """A worker answering, for each item, how many objects its garbage collector leaves alone."""
    while (chunk := inbox.get()) is not None:
        outbox.put(("chunk", [gc.get_freeze_count() for _ in chunk]))
    outbox.put(("done", None))


def test_workers_leave_the_parents_objects_out_of_their_garbage_collections() -> None:
    """A collection in a forked worker writes to every object it walks, copying the parent's pages: the
    parent's objects are frozen for the workers (a million-file rebuild's workers each copied the
    parent's heap), and only for them: the parent collects its own again."""
    counts = list(_in_order(range(40), _answer_frozen_objects))
    assert len(counts) == 40 and min(counts) > 1_000  # (the imported modules', at least)
    assert gc.get_freeze_count() == 0


def test_an_applications_own_frozen_objects_stay_frozen_and_only_those() -> None:
    """A program that froze its heap before forking processes of its own (as servers do) keeps its
    freeze through a rebuild's workers, and finds no more objects frozen than it froze."""
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert list(_in_order(range(4), _answer_frozen_objects))
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
