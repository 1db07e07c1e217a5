from __future__ import annotations

from collections import Counter
from pathlib import Path

from search import index_corpus, open_index
from search.boilerplate import RepetitionCounter, folder_of
from search.indexing import learned_chrome

from .conftest import write_corpus


def article(n: int, chrome: str = "") -> str:
    return f"{chrome}\nStory number {n} about the Sahel\nThe {n}th report from Gao describes the market.\n"


def test_lines_in_enough_documents_of_a_folder_are_learned() -> None:
    counter = RepetitionCounter()
    for n in range(8):
        counter.add(f"site/{n}.txt", ["Subscribe to the Daily Brief", f"Paragraph {n}", "March 26, 2012"])
    counter.add("other/a.txt", ["Subscribe to the Daily Brief"])
    assert counter.learned() == frozenset({"Subscribe to the Daily Brief"})  # a dateline never counts


def test_two_documents_are_not_enough() -> None:
    counter = RepetitionCounter()
    for n in range(2):
        counter.add(f"{n}.txt", ["Shared line"])
    assert counter.learned() == frozenset()


def test_a_line_must_cover_a_sizeable_share_of_its_folder() -> None:
    counter = RepetitionCounter()
    for n in range(20):
        counter.add(f"big/{n}.txt", ["Common quote"] if n < 3 else [f"unique {n}"])
    assert counter.learned() == frozenset()  # 3 of 20 documents


def test_a_sites_chrome_is_learned_though_its_pages_are_a_few_of_a_mixed_folder() -> None:
    counter = RepetitionCounter()
    for n in range(40):
        wire = n % 10 == 0  # 4 of the folder's 40 pages: under a quarter of it
        lines = [f"Story {n}", f"Paragraph {n}"] + (["Our Standards: The Trust Principles."] if wire else [])
        counter.add(f"{n}.html", lines, site="Reuters" if wire else f"Outlet {n % 3}")
    assert counter.learned() == frozenset({"Our Standards: The Trust Principles."})


def test_a_sites_long_lines_are_not_counted() -> None:
    counter = RepetitionCounter()
    paragraph = (
        "The same long paragraph of a syndicated story, carried word for word by every page of this site."
    )
    for n in range(10):
        counter.add(f"{n}.html", [paragraph, f"Story {n}"], site="Wire")
    for n in range(10, 60):
        counter.add(f"{n}.html", [f"Story {n}"])
    assert counter.learned() == frozenset()


def test_each_document_counts_once_per_line() -> None:
    counter = RepetitionCounter()
    counter.add("a.txt", ["Same", "Same", "Same"])
    assert counter.learned() == frozenset()


def test_knowing_each_folders_size_keeps_only_the_chrome_of_finished_folders_and_learns_the_same() -> None:
    documents = [(f"{site}/{n}.txt", ["Shared footer", f"{site} banner", f"Paragraph {site} {n}"])
                 for n in range(6) for site in ("a", "b", "c")][:-2]  # fmt: skip
    bounded = RepetitionCounter(expected=Counter(folder_of(doc_id) for doc_id, _ in documents))
    unbounded = RepetitionCounter()
    for doc_id, lines in documents:
        bounded.add(doc_id, lines)
        unbounded.add(doc_id, lines)
        if doc_id == "a/5.txt":  # folder a is complete: its line counts are gone
            assert "a" not in bounded.lines
    assert bounded.learned() == unbounded.learned() == {"Shared footer", "a banner", "b banner", "c banner"}


def test_folder_of() -> None:
    assert (folder_of("a.txt"), folder_of("voa/2013/b.txt")) == ("", "voa/2013")


def test_site_chrome_is_learned_at_index_time_and_kept_with_the_index(tmp_path: Path) -> None:
    files = {f"voa/{n}.txt": article(n, "Listen to this article on the Sahel Desk") for n in range(4)}
    files.update(
        {
            f"dw/{n}.txt": article(10 + n, "Listen to this article on the Sahel Desk" if n == 0 else "")
            for n in range(4)
        }
    )
    corpus = write_corpus(tmp_path / "corpus", files)
    index_corpus(corpus, tmp_path / "index")
    assert learned_chrome(tmp_path / "index") == frozenset({"Listen to this article on the Sahel Desk"})
    index = open_index(tmp_path / "index")
    assert index.search("listen desk").total == 0  # learned in voa/, removed wherever it stands
    assert len(index) == 8


def test_no_index_has_learned_nothing(tmp_path: Path) -> None:
    assert learned_chrome(tmp_path / "none") == frozenset()
