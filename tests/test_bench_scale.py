"""A smoke run of bench/scale.py on a tiny folder, so the benchmark never rots."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import latency, scale
from bench.data import REUTERS
from search import index_corpus

from .conftest import PROJECT_ROOT


@pytest.mark.skipif(
    not (REUTERS.is_file() and scale.ALLSIDES.is_file()), reason="../shared/corpora is not beside the project"
)
@pytest.mark.skipif(
    not scale.SEARCH.is_file(), reason="the search command is not installed beside this Python"
)
def test_scale_benchmark_measures_ours_and_textbook_whoosh_on_a_tiny_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tables = scale.main(["--sizes", "20", "--queries", "4", "--process-queries", "2", "--no-recoll",
                         "--folder", str(tmp_path)])  # fmt: skip
    ours, workbench, textbook = tables[20][:3]
    assert (ours.system, workbench.system, textbook.system) == (
        "news-search",
        "news-search workbench",
        "textbook Whoosh",
    )
    assert float(ours.figures["index s"]) > 0 and float(textbook.figures["index s"]) > 0
    assert float(workbench.figures["timeline ms mean/p95"].split(" / ")[0]) > 0
    assert "hits of" in workbench.figures["export s / MB"]
    assert "| news-search |" in capsys.readouterr().out
    assert len(list((tmp_path / "corpus-20").rglob("*.txt"))) == 20


@pytest.mark.skipif(
    not (REUTERS.is_file() and scale.ALLSIDES.is_file()), reason="../shared/corpora is not beside the project"
)
def test_latency_benchmark_times_two_checkouts_each_in_its_own_process(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scale.write_folder(tmp_path / "corpus", scale.articles()[:20])
    index_corpus(tmp_path / "corpus", tmp_path / "index")
    runs = latency.main([str(tmp_path / "index"), "--other", str(PROJECT_ROOT), "--rounds", "1",
                         "--size", "20", "--queries", "4"])  # fmt: skip
    assert [label.split()[0] for label, _ in runs] == ["other", "this"]
    assert all(figures["word"][1] > 0 and figures["phrase"][1] > 0 for _, figures in runs)
    assert "| code | word ms mean / p95 |" in capsys.readouterr().out
