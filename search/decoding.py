"""Turn a file's bytes into text: which encoding, and whether it is text at all.

News folders hold files from every decade and desk: UTF-8 with a bad byte, Windows-1252, Russian in
Windows-1251 or KOI8-R with no charset said anywhere, UTF-16 from Windows tools with or without a
byte-order mark. Bytes are decoded by what they say about themselves first (a byte-order mark, valid
UTF-8, a page's declared charset), and only then by a choice among legacy encodings, made by which
reading gives words a language could have.
"""

from __future__ import annotations

import codecs
import functools
import itertools
import re
import unicodedata

import charset_normalizer

BINARY_SNIFF_BYTES = 8192
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
DECLARED_CHARSET_RE = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)""",
    re.IGNORECASE,
)
# UTF-8 text may hold this many bad bytes per valid non-ASCII letter and still be read as UTF-8.
MAX_BAD_UTF8_SHARE = 0.05
# Above this share of bytes over 127, text is in a non-Latin script, not cp1252 with accents.
NON_LATIN_SHARE = 0.3
# The legacy single-byte encodings news archives are written in, most common first: a tie between
# two readings goes to the earlier one (Windows-1252 for Western text, Windows-1251 before KOI8-R).
LEGACY_ENCODINGS = (
    "cp1252",
    "cp1251",
    "koi8_r",
    "koi8_u",
    "cp1250",
    "cp1253",
    "cp1254",
    "cp1257",
    "cp1255",
    "cp1256",
)
HIGH_BYTES = bytes(range(128, 256))
CHOOSING_SAMPLE_BYTES = 65_536  # enough words to tell encodings apart, read once a file
WORD_RE = re.compile(r"[^\W\d_]+")
# In UTF-16, every other byte is the high byte of a code point: for text in one alphabet it takes a
# few values (0x00 for Latin, 0x04 for Cyrillic), while the other byte takes many.
UTF16_MAX_HIGH_BYTE_VALUES = 3
UTF16_MIN_HIGH_BYTE_SHARE = 0.95
UTF16_MIN_PRINTABLE_SHARE = 0.95
# Control characters are never article text; left in, an escape sequence in a file reaches every
# terminal that shows a snippet. Form feeds and vertical tabs (page breaks of old text files) break lines.
CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
PAGE_BREAK_RE = re.compile("[\x0b\x0c]")


def without_controls(text: str) -> str:
    """Text as an article holds it: control characters dropped, page breaks made line breaks. For a
    file's decoded text and for the text an app gives alike."""
    return PAGE_BREAK_RE.sub("\n", CONTROL_RE.sub("", text))


def looks_like_html(raw: bytes) -> bool:
    """True when a file's first bytes are those of a whole HTML page."""
    head = raw[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in head


def declared_charset(raw: bytes) -> str | None:
    """The charset a page declares in a <meta> tag or an XML declaration, if Python knows it."""
    match = DECLARED_CHARSET_RE.search(raw[:4096])
    if not match:
        return None
    name = (match.group(1) or match.group(2)).decode("ascii", "ignore")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _try(raw: bytes, encoding: str) -> str | None:
    try:
        return raw.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _mostly_utf8(raw: bytes) -> bool:
    """True for UTF-8 text with a few bad bytes: it has valid multi-byte letters, and the bad bytes are
    at most MAX_BAD_UTF8_SHARE of them (text in Windows-1252 has no valid multi-byte letter at all)."""
    decoded = raw.decode("utf-8", errors="replace")
    bad = decoded.count("\ufffd") - raw.count("\ufffd".encode())
    letters = sum(1 for char in decoded if ord(char) > 127 and char != "\ufffd")
    return letters > 0 and bad <= max(1, MAX_BAD_UTF8_SHARE * letters)


def utf16_without_bom(raw: bytes) -> str | None:
    """The text of UTF-16 written without a byte-order mark (Windows tools do), else None.

    Such a file is full of zero bytes and would pass for binary. It is UTF-16 when the bytes at one
    parity (the high bytes of its code points) take at most a few values nearly always, and the
    reading is nearly all printable; a binary file's bytes are spread at both parities.
    """
    sample = raw[: BINARY_SNIFF_BYTES & ~1]
    if len(sample) < 4:
        return None
    for parity, encoding in ((1, "utf-16-le"), (0, "utf-16-be")):
        highs, lows = sample[parity::2], sample[1 - parity :: 2]
        common = sorted((highs.count(value) for value in set(highs)), reverse=True)
        if (
            sum(common[:UTF16_MAX_HIGH_BYTE_VALUES]) >= UTF16_MIN_HIGH_BYTE_SHARE * len(highs)
            and lows.count(0) < 0.05 * len(lows)
            and (text := _try(raw[: len(raw) & ~1], encoding)) is not None
            and sum(c.isprintable() or c.isspace() for c in text) >= UTF16_MIN_PRINTABLE_SHARE * len(text)
        ):
            return text
    return None


@functools.lru_cache(maxsize=4096)
def _script(char: str) -> str:
    """The script a letter belongs to, from its Unicode name: 'LATIN', 'CYRILLIC', 'CJK', ..."""
    return unicodedata.name(char, "?").split(" ", 1)[0]


def implausible_words(text: str) -> int:
    """How many words no language writes: what a reading in the wrong encoding produces.

    A word mixing scripts ('Cafй', Windows-1252 read as 1251), a Latin word mostly of accented letters
    ('Ïðåçèäåíò', Russian read as Windows-1252), or one whose capitals come after small letters
    more than once ('рЕЗИДЕНТ', KOI8-R read as Windows-1251). Counted over words with a letter
    above ASCII; 'Müller' and 'Zürich' pass.
    """
    count = 0
    for word in WORD_RE.findall(text):
        high = sum(ord(char) > 127 for char in word)
        if not high:
            continue
        scripts = {_script(char) for char in word}
        late_capitals = sum(1 for a, b in itertools.pairwise(word) if a.islower() and b.isupper())
        if (
            len(scripts) > 1
            or (scripts == {"LATIN"} and len(word) >= 3 and high * 2 > len(word) + 1)
            or late_capitals > 1
            or (late_capitals == 1 and word[0].islower())
        ):
            count += 1
    return count


def _legacy(raw: bytes) -> str:
    """Text in a legacy encoding no one declared: the reading with the fewest implausible words.

    charset-normalizer's guess is heard only for text mostly of bytes above 127 (another script,
    where a guess has enough to go on), and wins ties there; among the single-byte encodings, the
    more common one wins a tie.
    """
    sample = raw[:CHOOSING_SAMPLE_BYTES]
    candidates: list[str] = []
    high_bytes = len(sample) - len(sample.translate(None, HIGH_BYTES))
    if high_bytes > NON_LATIN_SHARE * len(sample):
        best = charset_normalizer.from_bytes(sample).best()  # the choice is made on the sample anyway
        if best is not None:
            candidates.append(best.encoding)
    candidates += [name for name in LEGACY_ENCODINGS if name not in candidates]
    chosen, fewest = candidates[0], -1
    for name in candidates:  # in order of preference: the first flawless reading is taken
        reading = sample.decode(name, errors="replace")
        flaws = implausible_words(reading) + reading.count("\ufffd")  # an undefined byte counts too
        if fewest < 0 or flaws < fewest:
            chosen, fewest = name, flaws
        if not flaws:
            break
    return raw.decode(chosen, errors="replace")


def decode(raw: bytes, is_html: bool) -> str | None:
    """Decode a file's bytes, or None when they are binary.

    A byte-order mark wins; then UTF-16 without one; then UTF-8; then the charset an HTML page
    declares (a bad byte replaced); then UTF-8 with its few bad bytes replaced; then the legacy
    encoding whose reading has the fewest implausible words (Windows-1252 on a tie).
    """
    for bom, encoding in BOMS:
        if raw.startswith(bom):
            return _try(raw[len(bom) :], encoding)
    if b"\x00" in raw[:BINARY_SNIFF_BYTES]:
        return utf16_without_bom(raw)
    text = _try(raw, "utf-8")
    if text is None and is_html and (charset := declared_charset(raw)):
        # As declared, a bad byte replaced: decoding a UTF-8 page with one bad byte as Windows-1252
        # turned every accented letter of it into mojibake.
        text = raw.decode(charset, errors="replace")
    if text is None and _mostly_utf8(raw):
        text = raw.decode("utf-8", errors="replace")
    return text if text is not None else _legacy(raw)
