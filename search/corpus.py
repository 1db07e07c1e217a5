"""Find the article files under a corpus folder and read each one into a SourceFile."""

from __future__ import annotations

import hashlib
import os
import stat as stat_module
from pathlib import Path

from bs4.dammit import UnicodeDammit

from .errors import CorpusNotFoundError
from .models import SkippedFile, SourceFile

TEXT_SUFFIXES = frozenset({".txt"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
ARTICLE_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES
BINARY_SNIFF_BYTES = 8192


def check_corpus_dir(root: Path) -> Path:
    """Return the corpus folder as an absolute path, or raise if it is not a folder."""
    if not root.exists():
        raise CorpusNotFoundError(f"corpus folder not found: {root}")
    if not root.is_dir():
        raise CorpusNotFoundError(f"corpus path is not a folder: {root}")
    return root.resolve()


def relative_id(path: Path, root: Path) -> str:
    """The document id of a file: its path relative to the corpus root, with forward slashes."""
    return path.relative_to(root).as_posix()


def discover(root: Path) -> list[Path]:
    """Every article file under root, recursively, in a stable order; hidden folders are skipped."""
    found: list[Path] = []
    for folder, subfolders, filenames in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            if Path(name).suffix.lower() in ARTICLE_SUFFIXES:
                found.append(Path(folder, name))
    return found


def looks_like_html(raw: bytes) -> bool:
    """True when a file's first bytes are those of a whole HTML page."""
    head = raw[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in head


def decode(raw: bytes, is_html: bool) -> str:
    """Decode bytes as UTF-8 when they are, else by the page's declared charset, else cp1252."""
    dammit = UnicodeDammit(raw, known_definite_encodings=["utf-8"], is_html=is_html)
    if dammit.unicode_markup is None:
        return raw.decode("latin-1")
    return dammit.unicode_markup


def read_source(path: Path, root: Path, max_bytes: int) -> SourceFile | SkippedFile:
    """Read one file, or say why it cannot be indexed (unreadable, special, too large, binary, empty)."""
    rel = relative_id(path, root)
    try:
        stat = path.stat()
        if not stat_module.S_ISREG(stat.st_mode):
            return SkippedFile(rel, "not a regular file")
        if stat.st_size > max_bytes:
            return SkippedFile(rel, f"too large ({stat.st_size:,} bytes; limit {max_bytes:,})")
        raw = path.read_bytes()
    except OSError as error:
        return SkippedFile(rel, f"unreadable ({error.strerror or error})")
    if not raw.strip():
        return SkippedFile(rel, "empty file")
    if b"\x00" in raw[:BINARY_SNIFF_BYTES]:
        return SkippedFile(rel, "binary file")
    is_html = path.suffix.lower() in HTML_SUFFIXES or looks_like_html(raw)
    return SourceFile(
        path=rel,
        text=decode(raw, is_html),
        size=stat.st_size,
        mtime=stat.st_mtime,
        content_hash=hashlib.blake2b(raw, digest_size=16).hexdigest(),
        is_html=is_html,
    )
