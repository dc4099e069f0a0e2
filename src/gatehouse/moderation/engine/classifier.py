"""The trained text model: per label, a lexical head and a semantic head, blended.

- Lexical: logistic regression over hashed word and character n-grams (TF-IDF). Fast, good at
  slurs and swearing, and explainable (its strongest n-grams are the "triggers").
- Semantic: logistic regression over MiniLM sentence embeddings (encoder.py). Catches meaning
  without tell-tale words ("she won't see it coming").

Weights live in `weights/` (written by scripts/train_moderation.py) and are checked against
`weights/manifest.json` on load, so a truncated or swapped file fails loudly.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import features
from .encoder import ONNX_FILE, Encoder

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
HEADS_FILE = "heads.npz"
TRIGGERS_PER_HEAD = 4
MIN_TRIGGER_PULL = 0.05


class WeightsError(RuntimeError):
    """The weights files are missing, corrupt or do not match the manifest."""


@dataclass(frozen=True)
class HeadScores:
    """Probability per head and the word n-grams that pushed each head up most."""

    scores: dict[str, float]
    triggers: dict[str, list[str]]
    # The sentence embedding the semantic heads read (None without the encoder); the
    # judgement stage reads it too.
    embedding: np.ndarray | None = None
    # The TF-IDF vector the lexical heads read, as (bucket indices, weights); the judgement
    # stage reads it too.
    lexical: tuple[np.ndarray, np.ndarray] | None = None


def verify_weights(directory: Path) -> dict[str, object]:
    """Check every file in the manifest against its SHA-256; return the manifest."""
    try:
        manifest = json.loads((directory / "manifest.json").read_text())
        for name, info in manifest["files"].items():
            digest = hashlib.sha256((directory / name).read_bytes()).hexdigest()
            if digest != info["sha256"]:
                raise WeightsError(f"{directory / name} does not match manifest.json")
    except (OSError, KeyError, ValueError) as exc:
        raise WeightsError(f"cannot read moderation weights in {directory}: {exc}") from exc
    return manifest


class Classifier:
    """Blended lexical + semantic logistic-regression heads."""

    def __init__(self, directory: Path = WEIGHTS_DIR, semantic: bool | None = None) -> None:
        self.manifest = verify_weights(directory)
        with np.load(directory / HEADS_FILE, allow_pickle=False) as data:
            self.heads = tuple(str(h) for h in data["heads"])
            self.lex_coef = data["lex_coef"].astype(np.float32)
            self.lex_intercept = data["lex_intercept"].astype(np.float32)
            self.idf = data["idf"].astype(np.float32)
            self.sem_coef = data["sem_coef"].astype(np.float32)
            self.sem_intercept = data["sem_intercept"].astype(np.float32)
            self.blend = data["blend"].astype(np.float32)
            # Optional ensemble: output head j = sum_i blended_i * mix[i, j] (identity if absent).
            self.mix = (data["mix"].astype(np.float32) if "mix" in data.files
                        else np.eye(len(self.heads), dtype=np.float32))
        if semantic is None:
            semantic = os.environ.get("GATEHOUSE_SEMANTIC", "1") != "0"
        # One or more encoders; the semantic heads read their embeddings side by side.
        files = [str(f) for f in self.manifest.get("encoders", [ONNX_FILE])]  # type: ignore[union-attr]
        # Without the encoder the lexical head stands alone (weight 1), e.g. on a tiny box.
        self.encoders = [Encoder(directory, onnx_file=f) for f in files] if semantic else []
        self.encoder = self.encoders[0] if self.encoders else None
        if self.encoder is None:
            self.blend = np.ones_like(self.blend)

    def predict(self, normalised: str) -> HeadScores:
        return self.predict_many([normalised])[0]

    def predict_many(self, normalised: list[str]) -> list[HeadScores]:
        lexical = [self._lexical(t) for t in normalised]
        lex_p = np.array([p for p, _, _ in lexical]).reshape(len(normalised), len(self.heads))
        if self.encoder is not None and normalised:
            # One text per encoder call: dynamic int8 quantisation scales by the whole input
            # tensor, so batching would make a comment's score depend on its batch mates.
            emb = np.stack([np.concatenate([e.encode_one(t) for e in self.encoders])
                            for t in normalised])
            sem_p = _sigmoid_array(emb @ self.sem_coef + self.sem_intercept)
        else:
            emb = [None] * len(normalised)
            sem_p = np.zeros_like(lex_p)
        blended = (self.blend * lex_p + (1.0 - self.blend) * sem_p) @ self.mix
        return [HeadScores(dict(zip(self.heads, map(float, row), strict=True)), trig, vec, tfidf)
                for row, (_, trig, tfidf), vec in zip(blended, lexical, emb, strict=True)]

    def predict_lexical(self, normalised: str) -> tuple[np.ndarray, np.ndarray] | None:
        """The TF-IDF vector (bucket indices, weights) of a normalised text; None if empty."""
        return self._lexical(normalised)[2]

    def _lexical(self, normalised: str) -> tuple[
            np.ndarray, dict[str, list[str]], tuple[np.ndarray, np.ndarray] | None]:
        counts, names = features.raw_counts(normalised)
        if not counts:
            return _sigmoid_array(self.lex_intercept), {h: [] for h in self.heads}, None
        idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float32, count=len(counts)))
        x = tf * self.idf[idx]
        x /= float(np.sqrt(x @ x)) or 1.0
        contrib = x[:, None] * self.lex_coef[idx]  # (features present, heads)
        probs = _sigmoid_array(contrib.sum(axis=0) + self.lex_intercept)
        return probs, self._triggers(idx, contrib, names), (idx, x)

    def _triggers(self, idx: np.ndarray, contrib: np.ndarray,
                  names: dict[int, str]) -> dict[str, list[str]]:
        """Readable word n-grams with the largest positive pull on each head."""
        word_rows = [i for i, b in enumerate(idx.tolist()) if b in names]
        if not word_rows:
            return {h: [] for h in self.heads}
        sub = contrib[word_rows]
        out: dict[str, list[str]] = {}
        for h, head in enumerate(self.heads):
            order = np.argsort(-sub[:, h])[:TRIGGERS_PER_HEAD]
            out[head] = [names[int(idx[word_rows[j]])] for j in order
                         if sub[j, h] > MIN_TRIGGER_PULL]
        return out


def _sigmoid_array(v: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(v, -30.0, 30.0)))


def sigmoid(v: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(v, 30.0), -30.0)))
