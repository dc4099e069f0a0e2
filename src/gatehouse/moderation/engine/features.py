"""Hashed word and character n-gram features: the one featuriser used by training and runtime.

Feature hashing (CRC32 into 2**N_BITS buckets) means no vocabulary file and no drift between
the training script and the engine: both call `featurise()`. Weighting is sublinear TF times
IDF, then L2 normalisation, as in a classic TF-IDF model.
"""

from __future__ import annotations

import math
import re
import zlib
from collections import Counter

N_BITS = 18
N_FEATURES = 1 << N_BITS
_MASK = N_FEATURES - 1
CHAR_NGRAMS = (2, 3, 4, 5)
MAX_WORDS = 400  # long comments are judged on their first few hundred words

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def words(text: str) -> list[str]:
    """Word tokens of normalised text."""
    return _WORD.findall(text)[:MAX_WORDS]


def word_grams(tokens: list[str]) -> list[str]:
    """Unigrams and bigrams, as readable strings (also used to explain scores)."""
    grams = list(tokens)
    grams += [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]
    return grams


def _bucket(key: str) -> int:
    return zlib.crc32(key.encode("utf-8")) & _MASK


def raw_counts(text: str) -> tuple[Counter[int], dict[int, str]]:
    """Bucket counts for `text`, and which word n-gram landed in each word bucket."""
    tokens = words(text)
    counts: Counter[int] = Counter()
    names: dict[int, str] = {}
    for gram in word_grams(tokens):
        b = _bucket("w:" + gram)
        counts[b] += 1
        names[b] = gram
    for token in tokens:
        padded = f" {token} "
        for n in CHAR_NGRAMS:
            for i in range(len(padded) - n + 1):
                counts[_bucket(padded[i:i + n])] += 1
    return counts, names


def weigh(counts: Counter[int], idf: list[float] | None) -> dict[int, float]:
    """Sublinear TF x IDF, L2-normalised."""
    vec: dict[int, float] = {}
    for b, c in counts.items():
        w = 1.0 + math.log(c)
        if idf is not None:
            w *= idf[b]
        vec[b] = w
    norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
    return {b: v / norm for b, v in vec.items()}
