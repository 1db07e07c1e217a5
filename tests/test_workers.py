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
    parents_objects = [{"path": f"/corpus/{n}.txt"} for n in range(10_000)]
    counts = list(_in_order(range(40), _answer_frozen_objects))
    assert len(counts) == 40 and min(counts) >= len(parents_objects)
    assert gc.get_freeze_count() == 0
