"""Who appears with whom: the co-occurrence network of the actors of a search's matches.

The nodes are the most frequent actors of the matches (a graph of every one of 131,804 actors is
neither readable nor small); an edge joins two of them named together in at least a minimum number of
documents. Counted a block of documents at a time from the actor column, as a product of the block's
document-by-actor matrix with itself: memory stays one block's matrix and one matrix of nodes by nodes,
however many documents match.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..models import NetworkEdge, NetworkNode
from .analysis import MAIN_MARK
from .columns import Columns, IntArray, most_counted
from .facets import ActorNames

BLOCK_DOCUMENTS = 5_000  # documents counted at once: a matrix of 5,000 x nodes


def co_occurrences(
    searcher: Any,
    columns: Columns,
    docs: IntArray,
    names: ActorNames,
    *,
    nodes: int,
    min_count: int,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[tuple[NetworkNode, ...], tuple[NetworkEdge, ...]]:
    """The `nodes` actors most often named in docs, and each pair of them named together in at least
    min_count of docs (progress is told the documents counted so far, and how many there are)."""
    counts = columns.actor_counts(docs)
    top = [key for key, n in most_counted(counts, nodes) if n >= min_count]
    known = names.of(searcher, dict.fromkeys(top, 0))
    top = [key for key in top if key in known]
    place = {key.encode(): n for n, key in enumerate(top)}
    together = np.zeros((len(top), len(top)), dtype=np.int64)
    for start in range(0, len(docs), BLOCK_DOCUMENTS):
        block = docs[start : start + BLOCK_DOCUMENTS]
        named = np.zeros((len(block), len(top)), dtype=np.float32)
        for row, value in enumerate(columns.actors.values(block)):
            found = [place[key] for key in value.replace(MAIN_MARK, b"").split() if key in place]
            named[row, found] = 1.0
        together += np.rint(named.T @ named).astype(np.int64)
        if progress is not None:
            progress(min(start + BLOCK_DOCUMENTS, len(docs)), len(docs))
    network_nodes = tuple(NetworkNode(key, *known[key], counts[key]) for key in top)
    sources, targets = np.nonzero(np.triu(together, k=1) >= min_count)
    edges = []
    for i, j in zip(sources.tolist(), targets.tolist(), strict=True):
        first, second = sorted((top[i], top[j]))
        edges.append(NetworkEdge(first, second, int(together[i, j])))
    return network_nodes, tuple(sorted(edges, key=lambda e: (-e.count, e.source, e.target)))
