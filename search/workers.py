"""Preparing documents on worker processes (one a core) while the writer writes in this one."""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from . import engine
from .boilerplate import RULE_NAME
from .cleaning import CleanText
from .metadata import MetadataOptions, make_document
from .models import Signature, SkippedFile, SourceFile

PR_SET_PDEATHSIG = 1  # Linux's prctl option: the signal a process gets when its parent dies
CHUNK_DOCS = 16  # documents a worker prepares per task
CHUNKS_AHEAD = 8  # tasks handed out ahead of the writer: bounds the memory held in results

Spooled = tuple[SourceFile, CleanText, Signature]
Prepared = tuple[engine.PreparedDocument | SkippedFile, tuple[str, ...], Signature]
_worker_settings: tuple[frozenset[str], MetadataOptions] | None = None  # set in worker processes only


def _prepare_spooled(item: Spooled, learned: frozenset[str], options: MetadataOptions) -> Prepared:
    """A spooled file's metadata and analysed fields, or why it is skipped."""
    source, cleaned, signature = item
    document, warnings = make_document(source, cleaned.without(learned, RULE_NAME), options)
    if isinstance(document, SkippedFile):
        return document, warnings, signature
    return engine.prepare(document), warnings, signature


def _start_worker(learned: frozenset[str], options: MetadataOptions) -> None:
    """Set up a worker: its copy of the settings (inherited through fork); Ctrl-C is for the parent,
    which stops the pool; and, on Linux, death with the parent, so that a killed run leaves no worker
    behind to fail writing its results (BrokenPipeError tracebacks on the terminal)."""
    global _worker_settings
    _worker_settings = (learned, options)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _prepare_chunk(chunk: list[Spooled]) -> list[Prepared]:
    assert _worker_settings is not None
    return [_prepare_spooled(item, *_worker_settings) for item in chunk]


def prepared_in_order(
    items: Iterable[Spooled], learned: frozenset[str], options: MetadataOptions, parallel: bool
) -> Iterator[Prepared]:
    """Each spooled file prepared, in order; on worker processes (one a core) when parallel.

    The writer stays in this process, so the workers' metadata and analysis overlap its
    writing; fork hands them the gazetteer without pickling it.
    """
    if not parallel or "fork" not in multiprocessing.get_all_start_methods():
        yield from (_prepare_spooled(item, learned, options) for item in items)
        return
    context = multiprocessing.get_context("fork")
    with context.Pool(os.cpu_count() or 2, initializer=_start_worker, initargs=(learned, options)) as pool:
        pending: deque[Any] = deque()
        remaining = iter(items)
        chunks = iter(lambda: list(itertools.islice(remaining, CHUNK_DOCS)), [])
        for chunk in chunks:
            pending.append(pool.apply_async(_prepare_chunk, (chunk,)))
            if len(pending) >= CHUNKS_AHEAD:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()
