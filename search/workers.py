"""A rebuild on worker processes (one a core): files read and cleaned in its first pass; documents
prepared, each worker writing its own segment, in its second."""

from __future__ import annotations

import contextlib
import ctypes
import functools
import gc
import itertools
import multiprocessing
import os
import queue as queue_module
import signal
import sys
import threading
from collections.abc import Callable, Generator, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from . import engine
from .boilerplate import RULE_NAME
from .cleaning import CleanText, clean
from .corpus import file_signature, read_source
from .metadata import MetadataOptions, make_document
from .models import Signature, SkippedFile, SourceFile

PR_SET_PDEATHSIG = 1  # Linux's prctl option: the signal a process gets when its parent dies
CHUNK_DOCS = 16  # documents a worker prepares and writes per task
CHUNKS_AHEAD = 8  # tasks handed out ahead of the results read: bounds the memory held in them
# A worker starts a new segment after this many documents: a Whoosh writer keeps every document's
# lengths and column values until its segment is written, and at a million articles a worker's one
# segment of 500,000 documents held ~1.1 GB (docs/benchmarks.md, "A million articles, step 3").
SEGMENT_DOCS = 100_000

Spooled = tuple[SourceFile, CleanText, Signature]
Cleaned = tuple[Signature | None, SourceFile | SkippedFile, CleanText | None]
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
    each worker writes what it prepares instead of handing it to one writer, a new segment every
    SEGMENT_DOCS documents. The order of the files, and of each segment's documents, is the same from
    run to run (_in_order).
    """
    answers = yield from _in_order(
        items, functools.partial(_write_part, learned=learned, options=options, build=build)
    )
    for segments in answers:
        for segment in segments:
            if segment is not None:
                build.adopt(segment)


def cleaned_in_order(paths: Iterable[str], root: Path, max_file_bytes: int) -> Generator[Cleaned, None, None]:
    """Each file's signature, source (its text left out: the spool keeps the cleaned text) or why it
    is skipped, and its cleaned text, in order, by worker processes (one a core): a rebuild's first
    pass, where reading, decoding and cleaning each file was one core's work for the whole corpus
    (the first ~55 minutes of a build of a million articles: bench.million's folder)."""
    yield from _in_order(paths, functools.partial(_clean_part, root=root, max_file_bytes=max_file_bytes))


def clean_file(name: str, root: Path, max_file_bytes: int) -> Cleaned:
    """A file's signature, source (text left out) or why it is skipped, and cleaned text (None when it
    is skipped or could not be read); the file named by its path as a string (corpus.survey())."""
    path = Path(name)
    signature = file_signature(path)
    source = read_source(path, root, max_file_bytes)
    if isinstance(source, SourceFile) and signature is not None:
        return signature, replace(source, text=""), clean(source)
    return signature, source, None


def _in_order(items: Iterable[Any], work: Callable[..., None]) -> Generator[Any, None, list[Any]]:
    """Each item's result, in order, from worker processes (one a core) running work(inbox, outbox):
    chunks go to the workers in turn and their results are read back in the same turn, so the order
    is the items' whatever the workers' speeds. Returns each worker's last answer. The workers are
    stopped (killed if need be) however this ends: a failure, the caller closing it, or the end."""
    context = multiprocessing.get_context("fork")
    count = os.cpu_count() or 2
    inboxes = [context.Queue() for _ in range(count)]
    outboxes = [context.Queue() for _ in range(count)]
    workers = [
        context.Process(target=work, args=(inbox, outbox), name=f"worker-{n}", daemon=True)
        for n, (inbox, outbox) in enumerate(zip(inboxes, outboxes, strict=True))
    ]
    _start_sharing_memory(workers)
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
        return [_answer(worker, outbox) for worker, outbox in zip(workers, outboxes, strict=True)]
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.kill()
            worker.join()
        for queue in (*inboxes, *outboxes):
            queue.close()
            queue.join_thread()


_FORKING = threading.Lock()  # (a freeze and its unfreeze, in one thread at a time)


def _start_sharing_memory(workers: list[Any]) -> None:
    """Fork the workers with the parent's objects frozen, then take them back.

    A forked worker shares the parent's memory until it writes to it, and each garbage collection in
    a worker wrote to every object of the parent's it walked: each worker had copied the parent's
    whole heap (the imported modules; at a million files, the parent's file list). Frozen, they are
    left out of the workers' collections. An application that froze objects of its own is left as it
    is: its freeze is not undone (nor ours added to it)."""
    with _FORKING:
        ours = gc.get_freeze_count() == 0
        if ours:
            gc.freeze()
        try:
            for worker in workers:
                worker.start()
        finally:
            if ours:
                gc.unfreeze()


def _answer(worker: Any, outbox: Any) -> Any:
    """A worker's next answer; its error raised here; an error too if it died without one."""
    while True:
        with contextlib.suppress(queue_module.Empty):
            kind, value = outbox.get(timeout=1.0)
            if kind == "error":
                raise value
            return value
        if not worker.is_alive() and outbox.empty():
            raise ChildProcessError(f"a worker process ended (exit status {worker.exitcode})")


def _serve(
    inbox: Any,
    outbox: Any,
    handle: Callable[[list[Any]], list[Any]],
    finish: Callable[[], object],
    cancel: Callable[[], None],
) -> None:
    """A worker's loop: each chunk handled and its results answered; at the end, finish()'s answer."""
    try:
        while (chunk := inbox.get()) is not None:
            outbox.put(("chunk", handle(chunk)))
        outbox.put(("done", finish()))
    except BaseException as error:  # the parent raises it and removes what the run wrote
        cancel()
        # As an error any process can unpickle; an OSError keeps its errno (a full disk is said so).
        if isinstance(error, OSError):
            outbox.put(("error", OSError(error.errno, error.strerror, error.filename)))
        else:
            outbox.put(("error", RuntimeError(f"{type(error).__name__}: {error}")))


def _write_part(
    inbox: Any, outbox: Any, learned: frozenset[str], options: MetadataOptions, build: engine.IndexBuild
) -> None:
    """A worker: prepare each chunk, write its documents to this worker's segments (a new one every
    SEGMENT_DOCS documents), answer the results; at the end, finish the last segment and answer them
    all."""
    _start_worker()
    part = build.new_part()
    finished: list[object | None] = []  # the segments written (their writers let go)
    written = 0

    def handle(chunk: list[Spooled]) -> list[Prepared]:
        nonlocal part, written
        results = [_prepare_spooled(item, learned, options) for item in chunk]
        for prepared, _, _ in results:
            if not isinstance(prepared, SkippedFile):
                if written and written % SEGMENT_DOCS == 0:
                    finished.append(part.finish())
                    part = build.new_part()
                part.add(prepared)
                written += 1
        return results

    # (A failure cancels the segment being written; the parent removes what no commit names.)
    _serve(inbox, outbox, handle, lambda: [*finished, part.finish()], lambda: part.cancel())


def _clean_part(inbox: Any, outbox: Any, root: Path, max_file_bytes: int) -> None:
    """A worker: read and clean each chunk's files, answer the results."""
    _start_worker()
    _serve(
        inbox,
        outbox,
        lambda chunk: [clean_file(path, root, max_file_bytes) for path in chunk],
        lambda: None,
        lambda: None,
    )
