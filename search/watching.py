"""search watch: keep an index up to date while its corpus folder changes."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from .corpus import (
    ARTICLE_SUFFIXES,
    SIDECAR_SUFFIX,
    check_corpus_dir,
)
from .errors import (
    IndexNeedsRebuildError,
)
from .indexing import USER_ACTORS_FILE, index_corpus
from .models import (
    IndexReport,
)

log = logging.getLogger(__name__)


def is_watched(path: str) -> bool:
    """The files whose changes matter to the index: articles, their sidecars, the user's actors file."""
    name = Path(path).name
    if any(part.startswith(".") for part in Path(path).parts):
        return False
    return (
        name.endswith(SIDECAR_SUFFIX)
        or name == USER_ACTORS_FILE
        or Path(name).suffix.lower() in ARTICLE_SUFFIXES
    )


def _update_or_rebuild(root: Path, index_dir: Path, options: dict[str, Any]) -> IndexReport:
    """An incremental update (an edited actors.toml included: its documents' actors are found again);
    a rebuild when the index can no longer be updated as it was built (the program's cleaner changed):
    watching keeps the index current."""
    try:
        return index_corpus(root, index_dir, **options)
    except IndexNeedsRebuildError as why:
        report = index_corpus(root, index_dir, rebuild=True, **options)
        return replace(report, warnings=(f"rebuilt the index: {why.reason}", *report.warnings))


def watch_corpus(
    corpus_dir: Path,
    index_dir: Path,
    on_update: Callable[[IndexReport], None],
    *,
    stop: threading.Event | None = None,
    debounce_ms: int = 1000,
    **options: Any,
) -> None:
    """Keep index_dir up to date with corpus_dir until stop is set (or Ctrl-C).

    Brings the index up to date once, then runs an incremental update after each burst of
    changes (changes within debounce_ms of each other make one update), reporting each run
    through on_update. The options are index_corpus's.
    """
    import watchfiles  # imported here: only this command needs it
    from watchfiles._rust_notify import WatchfilesRustInternalError

    root = check_corpus_dir(corpus_dir)
    try:
        on_update(_update_or_rebuild(root, index_dir, options))
        while stop is None or not stop.is_set():
            try:
                for _ in watchfiles.watch(
                    root,
                    watch_filter=lambda change, path: is_watched(path),
                    debounce=debounce_ms,
                    stop_event=stop,
                    raise_interrupt=False,
                ):
                    on_update(_update_or_rebuild(root, index_dir, options))
                return
            except WatchfilesRustInternalError as error:
                # watchfiles cannot name a file whose name is not UTF-8 ('Unable to decode path'):
                # the update reads the folder itself, which can; then the watch starts again.
                log.warning("%s: updating from the folder itself", error)
                on_update(_update_or_rebuild(root, index_dir, options))
    except KeyboardInterrupt:
        # Ctrl-C may land during an update rather than inside watchfiles' wait: the update's
        # writer is cancelled, the last commit stands, and stopping is still the user's wish.
        log.info("interrupted during an update; the index keeps its last commit")
