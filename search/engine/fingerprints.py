"""Fingerprints of a document's words that tell copies of one story apart from other stories.

A document's body is read as overlapping runs of SHINGLE_WORDS words (its shingles); two copies of a
syndicated story share most of them, two stories on one subject few. The resemblance of two documents
is the Jaccard index of their shingle sets (shared / either). A MinHash signature estimates it from
PERMUTATIONS numbers a document (the least of each of as many hash functions over its shingles: two
signatures agree at a place with probability equal to the resemblance), and bands of BAND_ROWS of those
numbers find the pairs worth comparing without comparing every pair (LSH).

Written with numpy rather than taken from datasketch: datasketch hashes each shingle with SHA-1 in
Python and needs scipy; here a document's shingles are hashed and permuted as arrays (~0.3 ms a
story), and the same words make the same signature in any process (zlib.crc32, not Python's salted
hash()).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

SHINGLE_WORDS = 5  # words a shingle: near-duplicates of news share long runs of words, topics do not
PERMUTATIONS = 128  # estimate's standard error at a resemblance of 0.8: sqrt(0.8 * 0.2 / 128) = 0.035
# Rows a band: a pair is compared when any of its 32 bands agree, which at a resemblance of 0.8
# happens with probability 1 - (1 - 0.8**4)**32 > 0.9999999, at 0.3 with 0.23. On the 41,578-article
# scale folder, 4 rows found every pair of resemblance >= 0.8 (8 rows missed 0.6% of them).
BAND_ROWS = 4
BANDS = PERMUTATIONS // BAND_ROWS
SIGNATURE_BYTES = PERMUTATIONS * 4  # little-endian uint32s

U64 = npt.NDArray[np.uint64]
U32 = npt.NDArray[np.uint32]

# Multiply-shift hash functions (Dietzfelbinger): h(x) = (a*x + b mod 2**64) >> 32, a odd; fixed
# constants, so that every index ever written computes the same signature for the same words.
_RANDOM = np.random.default_rng(0x5EED_C0B1E5)
_A = (_RANDOM.integers(0, 2**63, PERMUTATIONS, dtype=np.uint64) << np.uint64(1)) | np.uint64(1)
_B = _RANDOM.integers(0, 2**63, PERMUTATIONS, dtype=np.uint64)
# Odd constants that mix each word of a shingle into its hash (from xxHash and SplitMix64).
_MIX = tuple(
    np.uint64(c)
    for c in (
        0x9E3779B97F4A7C15,
        0xC2B2AE3D27D4EB4F,
        0x165667B19E3779F9,
        0x27D4EB2F165667C5,
        0xFF51AFD7ED558CCD,
    )
)
_CHUNK = 4096  # shingles permuted at once: a 10 MB array at most, whatever the document's length


def shingle_hashes(words: Sequence[str]) -> U64:
    """The distinct 64-bit hashes of a text's shingles (its whole text as one when it is shorter than a
    shingle); empty without words. words are as the index reads them (lower case, accents folded)."""
    if not words:
        return np.zeros(0, dtype=np.uint64)
    hashed = np.fromiter((zlib.crc32(word.encode()) for word in words), dtype=np.uint64, count=len(words))
    count = max(len(words) - SHINGLE_WORDS + 1, 1)
    shingles = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for place in range(min(SHINGLE_WORDS, len(words))):
            shingles = (shingles ^ hashed[place : place + count]) * _MIX[place]
    return np.unique(shingles)


def signature(words: Sequence[str]) -> bytes:
    """A text's MinHash signature, SIGNATURE_BYTES bytes; empty for a text without words."""
    shingles = shingle_hashes(words)
    if not len(shingles):
        return b""
    least = np.full(PERMUTATIONS, np.iinfo(np.uint64).max, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for start in range(0, len(shingles), _CHUNK):
            part = shingles[start : start + _CHUNK, None]
            np.minimum(least, ((part * _A + _B) >> np.uint64(32)).min(axis=0), out=least)
    return least.astype("<u4").tobytes()


def signatures(values: Sequence[bytes]) -> U32:
    """Signatures as a matrix, one row each (every value SIGNATURE_BYTES long)."""
    if not values:
        return np.zeros((0, PERMUTATIONS), dtype=np.uint32)
    return np.frombuffer(b"".join(values), dtype="<u4").reshape(len(values), PERMUTATIONS).astype(np.uint32)


def band_keys(rows: U32) -> U64:
    """Each signature's BANDS band keys (a 64-bit hash of its BAND_ROWS numbers), one row each."""
    wide = rows.astype(np.uint64).reshape(len(rows), BANDS, BAND_ROWS)
    keys = np.zeros((len(rows), BANDS), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for place in range(BAND_ROWS):
            keys = (keys ^ wide[:, :, place]) * _MIX[place]
    return keys


def estimated_resemblance(first: U32, second: U32) -> float:
    """The share of places where two signatures agree: an unbiased estimate of their resemblance."""
    return float(np.count_nonzero(first == second)) / PERMUTATIONS


def resemblance(first: U64, second: U64) -> float:
    """The Jaccard index of two sets of shingle hashes (shingle_hashes()): 0 when both are empty."""
    if not len(first) or not len(second):
        return 0.0
    shared = len(np.intersect1d(first, second, assume_unique=True))
    return shared / (len(first) + len(second) - shared)
