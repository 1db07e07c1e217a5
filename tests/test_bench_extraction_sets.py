"""The extraction sets built from public benchmarks' files read each benchmark's reference as it marks it."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from bench.extraction_sets import DRAGNET_COMMENTS, MERGED, cleaneval_text, dragnet, full_text, write_set


def test_a_cleaneval_reference_is_its_text_without_its_marks() -> None:
    gold = (
        "URL: http://example.com/a\n\n<h>Floods close the port\n\n<p>Ships wait &amp; crews rest.\n<l>One\n"
    )
    assert cleaneval_text(gold).split() == [
        "Floods",
        "close",
        "the",
        "port",
        "Ships",
        "wait",
        "&",
        "crews",
        "rest.",
        "One",
    ]
    assert cleaneval_text("\nURL: http://bbc.co.uk/news\n<!-- this page contains\nno article -->\n") == ""


def test_the_full_text_of_an_l3s_page_is_its_labelled_blocks_in_order() -> None:
    annotated = (
        "<html><body><span class='x-nc-sel1'>Headline</span><p><span class='x-nc-sel2'>First  paragraph"
        "<span class='x-nc-sel2'> nested</span></span></p><span class='x-nc-sel0'>Menu</span>"
        "<div class='a x-nc-sel2 b'>Second <a href='#'>linked</a> part</div>"
        "<span class='x-nc-sel3'>A caption</span><span class='x-nc-sel5'>A comment</span></body></html>"
    )
    assert full_text(annotated) == "First paragraph nested\nSecond linked part"


def test_dragnet_comments_are_left_out_and_sets_are_written_as_the_shared_one(tmp_path: Path) -> None:
    root = tmp_path / MERGED / "dragnet_data"
    (root / "input").mkdir(parents=True)
    (root / "GoldStandard").mkdir()
    (root / "input" / "1.html").write_bytes("<p>Caf\xe9 story. A reader said.</p>".encode("cp1252"))
    (root / "GoldStandard" / "1.txt").write_text(
        f"Café story.\n{DRAGNET_COMMENTS}\nA reader said.\n", "utf-8"
    )
    (root / "input" / "2.html").write_text("<p>No reference for this one.</p>", "utf-8")
    assert write_set(dragnet(tmp_path), tmp_path / "out") == 1
    truth = json.loads((tmp_path / "out" / "ground-truth.json").read_text("utf-8"))
    assert truth == {"1": {"articleBody": "Café story."}}
    with gzip.open(tmp_path / "out" / "html" / "1.html.gz", "rt", encoding="utf-8") as page:
        assert "Café story" in page.read()  # read as the product reads a Windows-1252 page
