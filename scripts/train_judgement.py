"""Train the judgement stage's heads (engine/judgement.py) and calibrate their thresholds.

    .venv/bin/python bench/data/functional/build.py     # the functional suite (if changed)
    .venv/bin/python scripts/train_judgement.py [--data ../shared/data/text]

Training rows: the `train` half of bench/data/functional/functional.csv (split by template),
scripts/data/judgement_train*.csv and scripts/data/school_train.csv (hand-written, school-style),
and, for identity_attack only, HateXplain and ETHOS rows that name a group (their training
buckets only, sha1 % 100 >= 30). Thresholds: picked on the functional `dev` half. The `test`
half is never read here.

Features: the engine's own sentence embeddings (its MiniLM encoders, one text per call as
at run time) beside the cue features from engine/cues.py and the first stage's TF-IDF
n-gram vector (so the heads can weigh phrases like "good to know" or "had better").
Heads: logistic regression.
Writes engine/weights/judgement.npz, adds it to manifest.json and rewrites
engine/judgement_thresholds.py. Takes about two minutes on one core.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

import train_moderation as tm  # noqa: E402

from gatehouse.moderation.engine import normalise  # noqa: E402
from gatehouse.moderation.engine.classifier import Classifier  # noqa: E402
from gatehouse.moderation.engine.cues import find_cues  # noqa: E402
from gatehouse.moderation.engine.features import N_FEATURES  # noqa: E402
from gatehouse.moderation.engine.judgement import (  # noqa: E402
    JUDGEMENT_FILE,
    JUDGEMENT_HEADS,
    LEX_SCALE,
    features,
)

WEIGHTS_DIR = ROOT / "src/gatehouse/moderation/engine/weights"
THRESHOLDS_PY = ROOT / "src/gatehouse/moderation/engine/judgement_thresholds.py"
FUNCTIONAL = ROOT / "bench/data/functional/functional.csv"
# Hand-written school-style rows (class,text): judgement_train.csv and judgement_train_more*.csv.
EXTRA = sorted((ROOT / "scripts/data").glob("judgement_train*.csv"))
SEED = 20261128
C = 1.0
# Which functional classes are positive for each head (every other class is negative).
POSITIVE: dict[str, set[str]] = {
    "identity_attack": {"identity_hate"},
    "concern": {"concern"},
    "veiled_threat": {"veiled_threat", "explicit_threat"},
    "allegation": {"hedged_allegation"},
    "negative_person": {"negative_identifiable"},
    "counter": {"counter_speech"},
}
# A head learns only from rows of these classes (others are unlabelled for it): "counter"
# tells condemning hate from hate, and has nothing to say about anything else.
ONLY_CLASSES: dict[str, set[str]] = {"counter": {"counter_speech", "identity_hate"}}
SCHOOL_COLUMNS: dict[str, tuple[str, ...]] = {
    "identity_attack": ("racist_or_identity_hate",),
    "veiled_threat": ("threat_of_violence",),
    "allegation": ("allegation_about_staff_or_pupil", "defamatory_statement"),
    "negative_person": ("negative_comment_about_person",),
    "concern": (),
    "counter": (),
}
# Publish-critical heads get a stricter operating point: holding a family's Eid greeting is
# worse than asking a moderator to look at a borderline comment.
MAX_DEV_FALSE_POSITIVE = {"identity_attack": 0.01, "concern": 0.02, "veiled_threat": 0.02,
                          "allegation": 0.03, "negative_person": 0.03, "counter": 0.02}
MAX_PUBLIC_IDENTITY_ROWS = 2500


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def labelled_rows(data: Path) -> tuple[list[str], dict[str, list[int | None]], list[str]]:
    """(texts, labels per head with None = not labelled for that head, split per row)."""
    texts: list[str] = []
    splits: list[str] = []
    labels: dict[str, list[int | None]] = {h: [] for h in JUDGEMENT_HEADS}

    def add(text: str, split: str, row_labels: dict[str, int | None]) -> None:
        texts.append(text)
        splits.append(split)
        for h in JUDGEMENT_HEADS:
            labels[h].append(row_labels.get(h))

    def by_class(cls: str) -> dict[str, int | None]:
        return {h: int(cls in POSITIVE[h]) if cls in ONLY_CLASSES.get(h, {cls}) else None
                for h in JUDGEMENT_HEADS}

    for row in read_csv(FUNCTIONAL):
        if row["split"] == "test":
            continue
        add(row["text"], row["split"], by_class(row["class"]))
    for path in EXTRA:
        for row in read_csv(path):
            add(row["text"], "train", by_class(row["class"]))
    for row in read_csv(tm.SCHOOL_TRAIN):
        school: dict[str, int | None] = {h: int(any(int(row[c]) for c in cols))
                                         for h, cols in SCHOOL_COLUMNS.items()}
        school["counter"] = 0 if int(row[tm.HATE]) else None  # hate, not condemning it
        add(row["text"], "train", school)
    public = [ex for loader in (tm.load_hatexplain, tm.load_ethos) for ex in loader(data)
              if ex.bucket >= 30 and tm.HATE in ex.labels and find_cues(ex.text, "").groups]
    rng = np.random.default_rng(SEED)
    for i in rng.permutation(len(public))[:MAX_PUBLIC_IDENTITY_ROWS]:
        add(public[i].text, "train", {"identity_attack": public[i].labels[tm.HATE]})
    return texts, labels, splits


def embed_like_runtime(model: Classifier, texts: list[str], cache: Path) -> np.ndarray:
    """Feature rows; the embeddings (the slow part) are cached on disk between runs."""
    files = model.manifest["files"]  # the key follows the encoder weights, not only the texts
    encoders = "".join(str(files[f]["sha256"]) for f in model.manifest["encoders"])  # type: ignore[index,union-attr]
    key = hashlib.sha256(("\x00".join(texts) + encoders).encode("utf-8")).hexdigest()[:16]
    path = cache / f"judgement-embeddings-{key}.npy"
    if path.exists():
        embs = np.load(path)
    else:
        embs = np.stack([np.concatenate([e.encode_one(normalise(t)) for e in model.encoders])
                         for t in texts])
        cache.mkdir(parents=True, exist_ok=True)
        np.save(path, embs)
    return np.stack([features(emb, find_cues(t, normalise(t))) for t, emb in zip(
        texts, embs, strict=True)])


def lexical_like_runtime(model: Classifier, texts: list[str]) -> sp.csr_matrix:
    """The first stage's TF-IDF vectors (as the engine computes them), times LEX_SCALE."""
    data: list[np.ndarray] = []
    indices: list[np.ndarray] = []
    indptr = [0]
    for text in texts:
        tfidf = model.predict_lexical(normalise(text))
        if tfidf is not None:
            indices.append(tfidf[0])
            data.append(tfidf[1] * LEX_SCALE)
        indptr.append(indptr[-1] + (len(tfidf[0]) if tfidf is not None else 0))
    return sp.csr_matrix((np.concatenate(data), np.concatenate(indices), indptr),
                         shape=(len(texts), N_FEATURES))


def feature_matrix(model: Classifier, texts: list[str],
                   cache: Path) -> tuple[sp.csr_matrix, int]:
    """Each text's [embedding, cue features, TF-IDF n-grams] row, and the column where the
    n-grams start (the heads' weights are saved split there, as judgement.py reads them)."""
    dense = embed_like_runtime(model, texts, cache)
    lexical = lexical_like_runtime(model, texts)
    return sp.hstack([sp.csr_matrix(dense), lexical]).tocsr(), dense.shape[1]


def head_labels(values: list[int | None]) -> tuple[np.ndarray, np.ndarray]:
    """(which rows are labelled for a head, their 0/1 labels with 0 where unlabelled)."""
    return np.array([v is not None for v in values]), np.array([v or 0 for v in values])


def fit_head(x: sp.csr_matrix, y: np.ndarray, rows: np.ndarray) -> LogisticRegression:
    return LogisticRegression(C=C, class_weight="balanced", max_iter=2000,
                              random_state=SEED).fit(x[rows], y[rows])


def pick_threshold(head: str, y: np.ndarray, p: np.ndarray) -> float:
    """The lowest threshold whose dev false-positive rate stays within the head's budget,
    kept inside [0.5, 0.95] (the dev half is small and separates easily, so a low point
    picked there would not hold on new wording)."""
    negatives = np.sort(p[y == 0])[::-1]
    allowed = int(MAX_DEV_FALSE_POSITIVE[head] * len(negatives))
    t = float(negatives[allowed]) + 1e-4 if len(negatives) > allowed else 0.5
    return float(min(max(t, 0.5), 0.95))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared/data/text")
    parser.add_argument("--cache", type=Path,
                        default=Path(tempfile.gettempdir()) / "gatehouse-train-cache")
    args = parser.parse_args()
    started = time.time()
    texts, labels, splits = labelled_rows(args.data)
    x, dense_width = feature_matrix(Classifier(), texts, args.cache)
    split = np.array(splits)
    coef, intercept, thresholds = [], [], {}
    for head in JUDGEMENT_HEADS:
        known, y = head_labels(labels[head])
        train, dev = known & (split == "train"), known & (split == "dev")
        clf = fit_head(x, y, train)
        p_dev = clf.predict_proba(x[dev])[:, 1]
        thresholds[head] = round(pick_threshold(head, y[dev], p_dev), 3)
        rec = float((p_dev[y[dev] == 1] >= thresholds[head]).mean())
        fpr = float((p_dev[y[dev] == 0] >= thresholds[head]).mean())
        print(f"{head:16s} train={int(train.sum()):5d} pos={int(y[train].sum()):4d}  "
              f"dev threshold={thresholds[head]:.3f} recall={rec:.3f} false-pos={fpr:.3f}")
        coef.append(clf.coef_[0])
        intercept.append(clf.intercept_[0])
    path = WEIGHTS_DIR / JUDGEMENT_FILE
    weights = np.stack(coef, axis=1).astype(np.float32)
    np.savez_compressed(path, heads=np.array(JUDGEMENT_HEADS),
                        coef=weights[:dense_width], lex_coef=weights[dense_width:],
                        intercept=np.array(intercept, np.float32))
    manifest_path = WEIGHTS_DIR / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["files"][JUDGEMENT_FILE] = {
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "bytes": path.stat().st_size,
        "kind": "judgement stage: logistic regression per head on [the MiniLM embedding, "
                "cue features, TF-IDF n-grams]; see scripts/train_judgement.py"}
    manifest["judgement"] = {
        "heads": list(JUDGEMENT_HEADS), "thresholds": thresholds, "seed": SEED,
        "rows": len(texts), "training_seconds": round(time.time() - started),
        "functional_sha256": hashlib.sha256(FUNCTIONAL.read_bytes()).hexdigest(),
        "split": "functional suite by template: train for fitting, dev for thresholds"}
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    write_thresholds(thresholds)
    print(f"wrote {path} ({time.time() - started:.0f}s)")


def write_thresholds(thresholds: dict[str, float]) -> None:
    body = "\n".join(f'    "{h}": {t},' for h, t in thresholds.items())
    THRESHOLDS_PY.write_text(f'''"""Operating points of the judgement stage's heads (judgement.py).

Generated by scripts/train_judgement.py from the dev half of bench/data/functional/ (never
its test half). At or above "concern" a comment is a safeguarding concern for the DSL.
"""

from __future__ import annotations

JUDGEMENT_THRESHOLDS: dict[str, float] = {{
{body}
}}
CONCERN_THRESHOLD = JUDGEMENT_THRESHOLDS["concern"]
''')


if __name__ == "__main__":
    main()
