"""The data beside the project (../shared/), read one way by every benchmark; the product never reads it."""

from __future__ import annotations

import gzip
import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
REUTERS = SHARED / "corpora" / "reuters-21578" / "reuters-21578.jsonl.gz"
ALLSIDES = SHARED / "corpora" / "allsides-article-bias" / "allsides-article-bias.jsonl.gz"


def rows(path: Path, start: int = 0, stop: int | None = None) -> Iterator[dict[str, Any]]:
    """The records of a gzipped JSON Lines file, from the start-th up to (not including) the stop-th."""
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in itertools.islice(lines, start, stop):
            yield json.loads(line)


def reuters_text(story: dict[str, Any]) -> str:
    """A Reuters story as a user's .txt file would hold it: headline, then dateline and text."""
    return f"{story['title']}\n{story.get('dateline') or ''} {story['text']}"
