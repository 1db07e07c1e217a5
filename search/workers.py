"""A rebuild on worker processes (one a core), each preparing documents and writing its own segment."""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import multiprocessing
import os
import queue as queue_module
import signal
import sys
from collections.abc import Generator, Iterable
from typing import Any

from . import engine
from .boilerplate import RULE_NAME
from .cleaning import CleanText
from .metadata import MetadataOptions, make_document
from .models import Signature, SkippedFile, SourceFile

PR_SET_PDEATHSIG = 1  # Linux's prctl option: the signal a process gets when its parent dies
CHUNK_DOCS = 16  # documents a worker prepares and writes per task
CHUNKS_AHEAD = 8  # tasks handed out ahead of the results read: bounds the memory held in them

Spooled = tuple[SourceFile, CleanText, Signature]
Prepared = tuple[engine.PreparedDocument | SkippedFile, tuple[str, ...], Signature]


def _prepare_spooled(item: Spooled, learned: frozenset[str], options: MetadataOptions) -> Prepared:
    """A spooled file's metadata and analysed fields, or why it is skipped."""
    source, cleaned, signature = item
    document, warnings = make_document(source, cleaned.without(learned, RULE_NAME), options)
    if isinstance(document, SkippedFile):
        return document, warnings, signature
    return engine.prepare(document), warnings, signature


def _start_worker() -> None:
    """Set up a worker: Ctrl-C is for the parent, which stops the workers; and, on Linux, death with the
    parent, so that a killed run leaves no worker behind to write into the index folder or fail
    writing its results (BrokenPipeError tracebacks on the terminal)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def prepared_in_order(
    items: Iterable[Spooled], learned: frozenset[str], options: MetadataOptions
) -> Generator[Prepared, None, None]:
    """Each spooled file prepared, in order, in this process (a build too small for workers)."""
    return (_prepare_spooled(item, learned, options) for item in items)


def written_in_order(
    items: Iterable[Spooled], learned: frozenset[str], options: MetadataOptions, build: engine.IndexBuild
) -> Generator[Prepared, None, None]:
    """Each spooled file prepared and written to the index, in order, by worker processes (one a
    core) that each write a segment of the rebuild; the build then commits their segments with its
    own. The caller records each document yielded on the build (build.record), as it would add it.

    Writing postings is most of a build's time (Whoosh's writer: ~85% of the main process's), so
    each worker writes what it prepares instead of handing it to one writer. Chunks go to the workers
    in turn and their results are read back in the same turn: the order of the files, and of each
    segment's documents, is the same from run to run.
    """
    context = multiprocessing.get_context("fork")
    count = os.cpu_count() or 2
    inboxes = [context.Queue() for _ in range(count)]
    outboxes = [context.Queue() for _ in range(count)]
    workers = [
        context.Process(
            target=_write_part, args=(inbox, outbox, learned, options, build), name=f"writer-{n}", daemon=True
        )
        for n, (inbox, outbox) in enumerate(zip(inboxes, outboxes, strict=True))
    ]
    for worker in workers:
        worker.start()
    try:
        remaining = iter(items)
        chunks = iter(lambda: list(itertools.islice(remaining, CHUNK_DOCS)), [])
        sent = received = 0
        for chunk in chunks:
            inboxes[sent % count].put(chunk)
            sent += 1
            if sent - received >= CHUNKS_AHEAD:
                yield from _answer(workers[received % count], outboxes[received % count])
                received += 1
        while received < sent:
            yield from _answer(workers[received % count], outboxes[received % count])
            received += 1
        for inbox in inboxes:
            inbox.put(None)
        for worker, outbox in zip(workers, outboxes, strict=True):
            segment = _answer(worker, outbox)
            if segment is not None:
                build.adopt(segment)
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.kill()
            worker.join()
        for queue in (*inboxes, *outboxes):
            queue.close()
            queue.join_thread()


def _answer(worker: Any, outbox: Any) -> Any:
    """A worker's next answer; its error raised here; an error too if it died without one."""
    while True:
        with contextlib.suppress(queue_module.Empty):
            kind, value = outbox.get(timeout=1.0)
            if kind == "error":
                raise value
            return value
        if not worker.is_alive() and outbox.empty():
            raise ChildProcessError(f"a writing worker process ended (exit status {worker.exitcode})")


def _write_part(
    inbox: Any, outbox: Any, learned: frozenset[str], options: MetadataOptions, build: engine.IndexBuild
) -> None:
    """A worker: prepare each chunk, write its documents to this worker's segment, answer the results;
    at the end, finish the segment and answer it."""
    _start_worker()
    part = build.new_part()
    try:
        while (chunk := inbox.get()) is not None:
            results = [_prepare_spooled(item, learned, options) for item in chunk]
            for prepared, _, _ in results:
                if not isinstance(prepared, SkippedFile):
                    part.add(prepared)
            outbox.put(("chunk", results))
        outbox.put(("segment", part.finish()))
    except BaseException as error:  # the parent raises it and removes what the run wrote
        part.cancel()
        # As an error any process can unpickle; an OSError keeps its errno (a full disk is said so).
        if isinstance(error, OSError):
            outbox.put(("error", OSError(error.errno, error.strerror, error.filename)))
        else:
            outbox.put(("error", RuntimeError(f"{type(error).__name__}: {error}")))
