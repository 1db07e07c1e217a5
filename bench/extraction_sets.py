"""Build article-extraction sets beyond ../shared's 91 pages from public benchmarks' own files.

    python -m bench.extraction_sets SOURCES OUT

SOURCES holds checkouts of the public repositories (folder names as owner+name):
  j-szulc+html-cleaning-dataset-merged   Dragnet (2012, news and blogs), CleanPortalEval (2013,
                                          four news sites, several pages each), CleanEval (2007,
                                          the general web: dev and final)
  geodrome+page-signal                    L3S-GN1 (2008, 621 news articles from 408 sites, Google
                                          News), whose annotated copies mark the full text
  scrapinghub+article-extraction-benchmark  the 90 pages of that benchmark not in ../shared
                                          (held out: never tuned on)
OUT gets one folder a set, laid out as ../shared/eval/article-extraction/ is (ground-truth.json
{id: {"articleBody": ...}} and html/<id>.html.gz, UTF-8), for `python -m bench.cleaning`.

Each reference is the benchmark's own article text, its comments and headline left out where the
benchmark marks them (Dragnet's comments follow a separator line; L3S-GN1 labels the headline,
full text, supplements, related links and comments apart, and the full text is taken). Pages are
decoded as the product decodes a file (search.decoding), so a page in Windows-1252 is read as it
would be indexed.
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import re
from collections.abc import Iterator
from pathlib import Path

import lxml.html

from bench.data import SHARED
from search.decoding import decode

MERGED = "j-szulc+html-cleaning-dataset-merged"
L3S = "geodrome+page-signal"
SCRAPINGHUB = "scrapinghub+article-extraction-benchmark"
DRAGNET_COMMENTS = "!@#$%^&*()  COMMENTS"
CLEANEVAL_MARK_RE = re.compile(r"^\s*URL:.*$|<[phl]>|(?s:<!--.*?-->)", re.IGNORECASE | re.MULTILINE)
FULL_TEXT = "x-nc-sel2"  # L3S-GN1's label of an article's full text (Readme-L3S-GN1.txt)
HELD_OUT = frozenset({"scrapinghub-unseen"})  # reported, never looked at page by page

Page = tuple[str, str, str]  # id, the page's HTML, the reference article text


def _text(path: Path, is_html: bool) -> str:
    """A file's text as the product would read it ("" when it is no text)."""
    return decode(path.read_bytes(), is_html) or ""


def cleaneval_text(gold: str) -> str:
    """A CleanEval-style reference (CleanEval, CleanPortalEval) as plain text: the URL line and the
    <p>, <h>, <l> marks of its paragraphs, headings and list items left out, entities read ("" for
    CleanPortalEval's "<!-- this page contains no article -->")."""
    return html.unescape(CLEANEVAL_MARK_RE.sub("", gold)).strip()


def _paired(inputs: Path, golds: Path) -> Iterator[tuple[str, Path, Path]]:
    """(id, page, reference) of each page with a reference of the same name."""
    for page in sorted(inputs.glob("*.html")):
        gold = golds / f"{page.stem}.txt"
        if gold.is_file():
            yield page.stem, page, gold


def dragnet(sources: Path) -> Iterator[Page]:
    root = sources / MERGED / "dragnet_data"
    for page_id, page, gold in _paired(root / "input", root / "GoldStandard"):
        article = _text(gold, False).split(DRAGNET_COMMENTS)[0]
        yield page_id, _text(page, True), article.strip()


def cleanportaleval(sources: Path) -> Iterator[Page]:
    root = sources / MERGED / "CleanPortalEval-master"
    for page_id, page, gold in _paired(root / "input", root / "GoldStandard"):
        yield page_id, _text(page, True), cleaneval_text(_text(gold, False))


def cleaneval(sources: Path) -> Iterator[Page]:
    for split in ("cleaneval-dev", "cleaneval-final"):
        root = sources / MERGED / split
        for page_id, page, gold in _paired(root / "input", root / "GoldStandard"):
            yield (
                f"{split.removeprefix('cleaneval-')}-{page_id}",
                _text(page, True),
                cleaneval_text(_text(gold, False)),
            )


def full_text(annotated: str) -> str:
    """The text an L3S-GN1 assessor labelled full text, block by block in page order."""
    tree = lxml.html.document_fromstring(annotated)
    label = f"contains(concat(' ', normalize-space(@class), ' '), ' {FULL_TEXT} ')"
    outermost = tree.xpath(f"//*[{label}][not(ancestor::*[{label}])]")
    assert isinstance(outermost, list)
    return "\n".join(
        " ".join(block.text_content().split())
        for block in outermost
        if isinstance(block, lxml.html.HtmlElement)
    ).strip()


def l3s_gn1(sources: Path) -> Iterator[Page]:
    root = next((sources / L3S).glob("L3S-GN1-*"))
    for page in sorted((root / "original").glob("*.html")):
        annotated = root / "annotated" / page.name
        if annotated.is_file():
            yield page.stem, _text(page, True), full_text(_text(annotated, True))


def scrapinghub_unseen(sources: Path) -> Iterator[Page]:
    """The benchmark's pages that ../shared's split does not hold."""
    root = sources / SCRAPINGHUB
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    seen = json.loads((SHARED / "eval" / "article-extraction" / "ground-truth.json").read_text("utf-8"))
    for page_id in sorted(set(truth) - set(seen)):
        with gzip.open(root / "html" / f"{page_id}.html.gz", "rt", encoding="utf-8") as f:
            yield page_id, f.read(), truth[page_id].get("articleBody") or ""


SETS = {
    "l3s-gn1": l3s_gn1,
    "dragnet": dragnet,
    "cleanportaleval": cleanportaleval,
    "cleaneval": cleaneval,
    "scrapinghub-unseen": scrapinghub_unseen,
}


def write_set(pages: Iterator[Page], folder: Path) -> int:
    """The pages with a page and a reference, written as ../shared/eval/article-extraction/ is laid out."""
    (folder / "html").mkdir(parents=True, exist_ok=True)
    truth = {}
    for page_id, page, reference in pages:
        if not page.strip() or not reference.strip():
            continue  # (a page the product cannot read, or a reference with no article text)
        with gzip.open(folder / "html" / f"{page_id}.html.gz", "wt", encoding="utf-8") as f:
            f.write(page)
        truth[page_id] = {"articleBody": reference}
    (folder / "ground-truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=0), "utf-8")
    return len(truth)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("sources", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    for name, pages in SETS.items():
        count = write_set(pages(args.sources), args.out / name)
        print(f"{name:<20} {count:>5} pages{' (held out)' if name in HELD_OUT else ''}")


if __name__ == "__main__":
    main()
