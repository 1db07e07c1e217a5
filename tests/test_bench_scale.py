"""A smoke run of bench/scale.py on a tiny folder, so the benchmark never rots."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import scale
from bench.data import REUTERS


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
    ours, textbook = tables[20][:2]
    assert (ours.system, textbook.system) == ("news-search", "textbook Whoosh")
    assert float(ours.figures["index s"]) > 0 and float(textbook.figures["index s"]) > 0
    assert "| news-search |" in capsys.readouterr().out
    assert len(list((tmp_path / "corpus-20").rglob("*.txt"))) == 20
