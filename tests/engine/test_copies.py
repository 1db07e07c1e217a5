"""Copy groups: found at indexing, kept right by updates, the same as a rebuild gives."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import numpy as np
import pytest
import whoosh.index
from hypothesis import given
from hypothesis import strategies as st

from search import index_corpus, open_index
from search.engine import copies
from search.engine.columns import segments_of
from search.engine.folder import COPIES_NAME, numbering, numbers_hold, read_copy_table

from ..conftest import COPIES_CORPUS, WIRE, edited, story_text, story_words, write_corpus

THE_STORY = ("first-half.txt", "outlet-a.txt", "outlet-b.txt", "second-half.txt", "wire.txt")


def groups(index_dir: Path) -> tuple[tuple[str, ...], ...]:
    table = read_copy_table(index_dir)
    assert table is not None
    return table.groups


def rebuilt_groups(corpus: Path, tmp_path: Path) -> tuple[tuple[str, ...], ...]:
    fresh = tmp_path / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    index_corpus(corpus, fresh)
    return groups(fresh)


def assert_numbered_right(index_dir: Path) -> None:
    """The document numbers a run wrote beside its groups are those of their ids, in its numbering."""
    table = read_copy_table(index_dir)
    assert table is not None and len(table.numbers) == len(table.groups)
    with whoosh.index.open_dir(str(index_dir)).searcher() as searcher:
        segments = numbering(segments_of(searcher.reader()))
        assert numbers_hold(table, segments) or not table.groups
        for group, numbers in zip(table.groups, table.numbers, strict=True):
            assert numbers == tuple(searcher.document_number(id=document_id) for document_id in group)


def test_folded_hits_are_the_same_with_the_numbers_written_or_the_ids_looked_up(tmp_path: Path) -> None:
    """A query folds copies by the numbers the run wrote; without them (an index written before), or
    with numbers of other segments, by looking each id up: the same hits either way."""
    corpus = write_corpus(tmp_path / "corpus", COPIES_CORPUS)
    index_dir, second = tmp_path / "index", tmp_path / "second"
    index_corpus(corpus, index_dir)
    index_corpus(corpus, second)  # (searched after the first: its numbers start past the first's)
    assert_numbered_right(index_dir)

    def folded(*index_dirs: Path) -> list[tuple[str, float, tuple[str, ...]]]:
        results = open_index(list(index_dirs)).search("story", limit=50)
        return [(hit.id, hit.score, tuple(copy.id for copy in hit.copies)) for hit in results.hits]

    expected, expected_both = folded(index_dir), folded(index_dir, second)
    assert any(copies for *_, copies in expected) and len(expected_both) == 2 * len(expected)
    for folder in (index_dir, second):
        path = folder / COPIES_NAME
        data = json.loads(path.read_text(encoding="utf-8"))
        path.write_text(json.dumps({**data, "numbered": [["another-segment", 3]]}), encoding="utf-8")
    assert folded(index_dir) == expected and folded(index_dir, second) == expected_both
    for folder in (index_dir, second):
        path = folder / COPIES_NAME
        data = json.loads(path.read_text(encoding="utf-8"))
        path.write_text(json.dumps({**data, "numbers": [], "numbered": []}), encoding="utf-8")
    assert folded(index_dir) == expected and folded(index_dir, second) == expected_both


def test_a_copy_edited_a_little_keeps_its_group_and_gets_its_new_number(tmp_path: Path) -> None:
    """A grouped document written again (its text edited a little: still a copy) is a new document
    number in the same group: the group's numbers are those of the update, not the run before."""
    corpus = write_corpus(tmp_path / "corpus", COPIES_CORPUS)
    index_dir = tmp_path / "index"
    index_corpus(corpus, index_dir)
    before = read_copy_table(index_dir)
    assert before is not None and before.groups == (THE_STORY,)
    edited_copy = corpus / THE_STORY[0]
    edited_copy.write_text(edited_copy.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")
    assert index_corpus(corpus, index_dir).updated == 1
    after = read_copy_table(index_dir)
    assert after is not None and after.groups == (THE_STORY,) and after.numbers != before.numbers
    assert_numbered_right(index_dir)


def test_a_table_a_commit_behind_or_malformed_is_read_by_its_ids(tmp_path: Path) -> None:
    """Groups written for the commit before (a run between its commit and its groups, or one that
    stopped there) may number documents since deleted or written again: their ids are looked up.
    Numbers without their segments, or out of range, are not taken either."""
    corpus = write_corpus(tmp_path / "corpus", COPIES_CORPUS)
    index_dir = tmp_path / "index"
    index_corpus(corpus, index_dir)
    path = index_dir / COPIES_NAME
    behind = path.read_text(encoding="utf-8")
    (corpus / "outlet-a.txt").unlink()
    edited_copy = corpus / "outlet-b.txt"
    edited_copy.write_text(edited_copy.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")
    index_corpus(corpus, index_dir)

    def folded() -> list[tuple[str, tuple[str, ...]]]:
        results = open_index(index_dir).search("port OR story", limit=50)
        return [(hit.id, tuple(copy.id for copy in hit.copies)) for hit in results.hits]

    path.write_text(behind, encoding="utf-8")
    data = json.loads(behind)
    assert data["numbers"] and "outlet-a.txt" in data["groups"][0]
    with_numbers = folded()
    path.write_text(json.dumps({**data, "numbers": [], "numbered": []}), encoding="utf-8")
    assert with_numbers == folded()
    assert not any("outlet-a.txt" in copies for _, copies in with_numbers)
    for malformed in (
        {"numbered": []},
        {"numbers": [[n + 10**6 for n in group] for group in data["numbers"]]},
        {"numbers": [[float(n) for n in group] for group in data["numbers"]]},
        {"numbered": [["x"]]},
    ):
        path.write_text(json.dumps({**data, **malformed}), encoding="utf-8")
        table = read_copy_table(index_dir)
        assert table is not None and table.groups == tuple(map(tuple, data["groups"])) and not table.numbers


def test_a_build_groups_the_copies_of_a_story(tmp_path: Path) -> None:
    """Copies with a new headline, a chrome line, the end cut, a few words edited: one group, joined
    through the wire story where two versions are less alike than 0.8."""
    corpus = write_corpus(tmp_path / "corpus", COPIES_CORPUS)
    index_corpus(corpus, tmp_path / "index")
    assert groups(tmp_path / "index") == (THE_STORY,)


def test_removing_the_documents_that_joined_a_group_splits_it(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", COPIES_CORPUS)
    index_corpus(corpus, tmp_path / "index")
    (corpus / "wire.txt").unlink()
    index_corpus(corpus, tmp_path / "index")
    assert groups(tmp_path / "index") == (
        ("first-half.txt", "outlet-a.txt", "outlet-b.txt", "second-half.txt"),
    )
    (corpus / "outlet-a.txt").unlink()  # the two halves and the cut copy share less than 0.8
    index_corpus(corpus, tmp_path / "index")
    assert groups(tmp_path / "index") == () == rebuilt_groups(corpus, tmp_path)


def test_an_edited_copy_leaves_its_group_and_a_new_one_joins(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", COPIES_CORPUS)
    index_corpus(corpus, tmp_path / "index")
    (corpus / "outlet-a.txt").write_text(story_text("Something else", story_words(9)))
    (corpus / "late.txt").write_text(story_text("Harvest, again", story_words(2)))  # a copy of other-1
    index_corpus(corpus, tmp_path / "index")
    assert groups(tmp_path / "index") == (
        ("first-half.txt", "outlet-b.txt", "second-half.txt", "wire.txt"),
        ("late.txt", "other-1.txt"),
    )


@pytest.mark.parametrize("small", [False, True])
def test_any_run_of_updates_leaves_the_groups_a_rebuild_makes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small: bool
) -> None:
    """Adding, editing and removing documents in random order, the groups after each update are the
    groups a full build of the same folder makes; so too with signatures read two documents at a time
    and two kept (as at a million). (Each new copy in a folder of its own, as outlets' stories are
    kept: three identical files in a folder of twelve would be learned as its chrome by a rebuild, and
    cleaned otherwise than by an update.)"""
    if small:
        monkeypatch.setattr(copies, "KEYS_AT_ONCE", 2)
        monkeypatch.setattr(copies, "ROWS_KEPT", 2)
    corpus = write_corpus(tmp_path / "corpus", COPIES_CORPUS)
    index = tmp_path / "index"
    index_corpus(corpus, index)
    chooser = random.Random(7)
    versions = [
        story_text("A", WIRE),
        story_text("B", edited(WIRE, range(0, 300), step=60)),
        story_text("C", story_words(2)[:250]),
        story_text("D", story_words(11)),
        story_text("E", edited(story_words(3), range(100, 200))),
    ]
    for step in range(8):
        for path in chooser.sample(sorted(corpus.rglob("*.txt")), 2):
            path.unlink()
        for n in range(3):
            write_corpus(corpus, {f"new-{step}-{n}/story.txt": chooser.choice(versions)})
        changed = chooser.choice(sorted(corpus.rglob("*.txt")))
        changed.write_text(chooser.choice(versions) + f"\nEdited at step {step}.\n")
        index_corpus(corpus, index, allow_mass_removal=True)
        assert groups(index) == rebuilt_groups(corpus, tmp_path), step
        assert_numbered_right(index)
    assert any(len(group) > 2 for group in groups(index))


def test_groups_of_another_generation_are_made_again(tmp_path: Path) -> None:
    """A run that stopped after its commit and before writing the groups: the next run finds them of
    an older generation and makes them all again, even when nothing changed."""
    corpus = write_corpus(tmp_path / "corpus", COPIES_CORPUS)
    index_corpus(corpus, tmp_path / "index")
    path = tmp_path / "index" / COPIES_NAME
    stale = json.loads(path.read_text())
    path.write_text(json.dumps({**stale, "generation": stale["generation"] - 1, "groups": []}))
    index_corpus(corpus, tmp_path / "index")
    assert groups(tmp_path / "index") == (THE_STORY,)
    path.write_text("{not json")
    index_corpus(corpus, tmp_path / "index")
    assert groups(tmp_path / "index") == (THE_STORY,)


@pytest.mark.parametrize(
    ("threshold", "expected"), [(0.95, (("outlet-a.txt", "wire.txt"),)), (0.8, (THE_STORY,))]
)
def test_the_threshold_is_a_setting_and_a_new_one_regroups(
    tmp_path: Path, threshold: float, expected: tuple[tuple[str, ...], ...]
) -> None:
    corpus = write_corpus(tmp_path / "corpus", COPIES_CORPUS)
    index_corpus(corpus, tmp_path / "index", copy_threshold=0.9)
    index_corpus(corpus, tmp_path / "index", copy_threshold=threshold)
    assert groups(tmp_path / "index") == expected


def test_a_document_without_words_is_no_ones_copy(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", {"a.txt": "Title one\n\n!!!\n", "b.txt": "Title two\n\n???\n"})
    index_corpus(corpus, tmp_path / "index")
    assert groups(tmp_path / "index") == ()


@given(
    st.lists(st.integers(0, 2**32 - 1) | st.sampled_from([5, 5 + 2**20, 5 + 2**21, 2**32 - 1]), max_size=60),
    st.lists(st.integers(0, 2**32 - 1) | st.sampled_from([5, 5 + 2**22, 2**32 - 1]), max_size=20),
)
def test_among_is_isin(values: list[int], wanted: list[int]) -> None:
    """The band keys an update looks for are found as np.isin finds them, keys equal in their low bits
    (the table's) too."""
    from search.engine.copies import _among

    keys = np.array(values, dtype=np.uint32)
    sought = np.unique(np.array(wanted, dtype=np.uint32))
    assert _among(keys, sought).tolist() == np.isin(keys, sought).tolist()


def _mapped_kb(folder: Path) -> int:
    """The resident kB of this process's maps of files in folder (Linux's /proc/self/smaps)."""
    total, inside = 0, False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        fields = line.split()
        if fields and "-" in fields[0] and not fields[0].endswith(":"):  # a map's header line
            inside = len(fields) > 5 and fields[5].startswith(str(folder))
        elif inside and fields[0] == "Rss:":
            total += int(fields[1])
    return total


@pytest.mark.skipif(not Path("/proc/self/smaps").exists(), reason="reads Linux's /proc/self/smaps")
def test_grouping_copies_lets_go_of_the_index_pages_it_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Grouping reads every signature and some stored bodies through the index's maps; their pages are
    let go as it goes and when it ends (at a million articles they were ~2 GB of the process's memory),
    and the groups are the same."""
    corpus = write_corpus(tmp_path / "corpus", COPIES_CORPUS)
    index_dir = tmp_path / "index"
    index_corpus(corpus, index_dir)
    monkeypatch.setattr(copies, "READS_BETWEEN_RELEASES", 2)
    monkeypatch.setattr(copies, "ESTIMATE_MARGIN", 1.0)  # (every pair compared by its stored bodies)
    reads, releases = [], []
    stored, release = copies._Fingerprints.stored, copies.release_mapped_pages
    monkeypatch.setattr(copies._Fingerprints, "stored", lambda self, d: reads.append(d) or stored(self, d))
    monkeypatch.setattr(copies, "release_mapped_pages", lambda reader: releases.append(1) or release(reader))
    with whoosh.index.open_dir(str(index_dir)).searcher() as searcher:
        for docnum in range(searcher.doc_count_all()):
            searcher.stored_fields(docnum)
        assert _mapped_kb(index_dir) > 0  # (read through the maps)
        found = copies.copy_groups(searcher, read_copy_table(index_dir).threshold)
        assert _mapped_kb(index_dir) == 0
    assert len(reads) >= 6 and len(releases) >= len(reads) // 2  # (as it goes, not only at its end)
    assert found == groups(index_dir) != ()


class _Prints:
    """Fingerprints of made-up documents: band keys and signatures given, bodies counted as read."""

    def __init__(self, keys: np.ndarray, rows: np.ndarray, bodies: list[str]) -> None:
        self.docs = np.arange(len(keys), dtype=np.int64)
        self.keys = keys.astype(np.uint32)
        self._rows, self._bodies = rows.astype(np.uint32), bodies
        self.read: list[int] = []

    def row(self, place: int) -> np.ndarray:
        return self._rows[place]

    def stored(self, docnum: int) -> dict[str, str]:
        self.read.append(docnum)
        return {"body": self._bodies[docnum]}


def test_a_bucket_of_many_documents_compared_by_their_bodies_reads_each_body_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Templated stubs whose signatures nearly agree fill one band bucket and are compared by their
    bodies, each with every one before it: the bodies read are kept through the bucket, however many."""
    monkeypatch.setattr(copies, "SHINGLES_KEPT", 2)
    count = 12
    keys = np.arange(count * copies.BANDS).reshape(count, copies.BANDS)
    keys[:, 0] = 7  # one bucket: band 0
    rows = np.tile(np.arange(128), (count, 1))
    for n in range(count):  # each its own 8 places: two agree on 112 of 128, an estimate of 0.875,
        rows[n, 8 * n : 8 * n + 8] += 1000  # too near the threshold to decide: bodies compared
    bodies = [" ".join(f"word{n}x{k}" for k in range(30)) for n in range(count)]  # no two alike
    prints = _Prints(keys, rows, bodies)
    found = copies._components(np.arange(count), prints, copies._Pairs(prints, 0.8))  # type: ignore[arg-type]
    assert found == [] and sorted(prints.read) == list(range(count))


@given(
    st.integers(2, 14).flatmap(
        lambda n: st.tuples(
            st.lists(st.lists(st.integers(0, 3), min_size=4, max_size=4), min_size=n, max_size=n),
            st.sets(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1))),
        )
    )
)
def test_groups_are_the_connected_documents_that_share_a_band(case: tuple[list[list[int]], set]) -> None:
    """_components joins two documents when a band of theirs agrees and they are copies: its groups are
    the connected components (two or more) of that graph, members ascending."""
    band_values, related = case
    count = len(band_values)
    copy_pairs = {(min(a, b), max(a, b)) for a, b in related if a != b}
    keys = np.full((count, copies.BANDS), 0, dtype=np.int64)
    keys[:, :] = np.arange(count)[:, None] + 100  # bands of their own, but for the first four
    keys[:, :4] = band_values

    class Related:
        def copies(self, first: int, second: int) -> bool:
            return (min(first, second), max(first, second)) in copy_pairs

        def bucket_done(self) -> None:
            pass

    found = copies._components(np.arange(count), _Prints(keys, keys, [""] * count), Related())  # type: ignore[arg-type]
    edges = [(a, b) for a, b in copy_pairs if any(keys[a, k] == keys[b, k] for k in range(copies.BANDS))]
    component = list(range(count))

    def top(node: int) -> int:
        while component[node] != node:
            node = component[node]
        return node

    for a, b in edges:
        component[top(a)] = top(b)
    expected: dict[int, list[int]] = {}
    for node in range(count):
        expected.setdefault(top(node), []).append(node)
    assert sorted(found) == sorted(members for members in expected.values() if len(members) > 1)
