"""search watch: the index follows its corpus folder as files change."""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from search import (
    IndexReport,
    open_index,
)
from search.watching import is_watched, watch_corpus

from .conftest import write_corpus


@contextlib.contextmanager
def watching(corpus: Path, index_dir: Path) -> Iterator[tuple[queue.Queue[IndexReport], threading.Thread]]:
    """watch_corpus on a thread, its reports in a queue; stopped, and checked stopped, on leaving."""
    reports: queue.Queue[IndexReport] = queue.Queue()
    stop = threading.Event()
    watcher = threading.Thread(
        target=watch_corpus,
        args=(corpus, index_dir, reports.put),
        kwargs={"stop": stop, "debounce_ms": 100},
    )
    watcher.start()
    try:
        assert reports.get(timeout=20).added == 1  # brought up to date first
        time.sleep(0.3)  # let the watcher start before the change
        yield reports, watcher
    finally:
        stop.set()
        watcher.join(timeout=20)
    assert not watcher.is_alive()


def test_watch_updates_the_index_when_files_change_and_stops_when_told(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", {"a.txt": "First story headline\nBody about Gao."})
    with watching(corpus, tmp_path / "index") as (reports, _):
        write_corpus(corpus, {"b.txt": "Second story headline\nConvoy reaches Kidal."})
        assert reports.get(timeout=20).added == 1
        assert open_index(tmp_path / "index").search("Kidal").total == 1


def test_watch_applies_a_new_actors_toml_and_survives_a_name_that_is_not_utf8(tmp_path: Path) -> None:
    corpus = write_corpus(
        tmp_path / "corpus", {"a.txt": "First story headline\nAssimi Goita spoke in Bamako."}
    )
    with watching(corpus, tmp_path / "index") as (reports, watcher):
        write_corpus(corpus, {"actors.toml": '[[actor]]\nname = "Assimi Goïta"\naliases = ["Goita"]\n'})
        applied = reports.get(timeout=20)
        assert not applied.rebuilt and applied.changes == (("updated", "a.txt"),)  # shown as the file says
        assert [a.name for a in open_index(tmp_path / "index").document("a.txt").actors][:1] == [
            "Assimi Goïta"
        ]
        assert open_index(tmp_path / "index").search("mali", actors=["Goita"]).total == 0  # no 'mali' there
        assert open_index(tmp_path / "index").search("bamako", actors=["Goita"]).total == 1
        (corpus / "bad\udcff.txt").write_bytes(b"Second story headline\nConvoy reaches Kidal.")
        while "bad\\xff.txt" not in [doc_id for _, doc_id in reports.get(timeout=20).changes]:
            pass
        assert watcher.is_alive()
        assert open_index(tmp_path / "index").search("Kidal").hits[0].id == "bad\\xff.txt"


def test_watch_stops_quietly_when_ctrl_c_lands_outside_the_wait(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", {"a.txt": "First story headline\nBody about Gao."})

    def interrupted(report: object) -> None:
        raise KeyboardInterrupt  # as if Ctrl-C came while an update was being reported

    watch_corpus(corpus, tmp_path / "index", interrupted, debounce_ms=100)
    assert open_index(tmp_path / "index").search("Gao").total == 1


@pytest.mark.parametrize(("name", "watched"), [("a.txt", True), ("sub/b.HTML", True), ("a.meta.json", True),
                                               ("actors.toml", True), ("notes.md", False), (".hidden/a.txt", False)])  # fmt: skip
def test_which_changes_matter_to_the_index(name: str, watched: bool) -> None:
    assert is_watched(f"/corpus/{name}") is watched
